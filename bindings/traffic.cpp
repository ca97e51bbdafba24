// Python face of the traffic workloads (incast, traffic matrices, Poisson arrivals, any
// transfer list) on either fabric model, and the packet model's parameters; in the
// `network` submodule beside run_permutation.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <iomanip>
#include <optional>
#include <sstream>
#include <variant>

#include "bindings/bindings.hpp"
#include "bindings/collective_args.hpp"
#include "bindings/packet_keywords.hpp"
#include "bindings/seed.hpp"
#include "models/collective/link_names.hpp"
#include "models/collective/parameters.hpp"
#include "models/packet/traffic_run.hpp"
#include "scenarios/kinds/fabric_traffic.hpp"
#include "sim/enum_names.hpp"

namespace py = pybind11;

namespace bindings {

namespace {

namespace mn = models::network;
namespace mp = models::packet;
using topologies::Topology;

template <class T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

// The keywords every traffic run shares.
struct Model {
  std::string model = "flow";
  std::string policy = "ecmp";
  std::uint64_t seed = 1;
  std::uint32_t subflows = 4;
  std::optional<mp::PacketParams> packet;
};

Model model_from(const std::string& model, const std::string& policy, const py::object& seed, std::uint32_t subflows,
                 const std::optional<mp::PacketParams>& packet) {
  if (model != "flow" && model != "packet")
    throw py::value_error("model must be 'flow' or 'packet', got '" + model + "'");
  if (model == "flow" && packet) throw py::value_error("packet parameters given with model='flow'");
  return {model, policy, seed_from(seed, "seed"), subflows, packet};
}

py::dict run(const Topology& topology, const Model& m, const std::vector<mn::TimedTransfer>& transfers) {
  mn::NetworkParams np;
  np.policy = mn::path_policy_from(m.policy);
  np.seed = m.seed;
  np.subflows = m.subflows;
  mp::PacketParams pp = m.packet.value_or(mp::PacketParams{});
  pp.seed = m.seed;
  for (auto l : pp.series_links) {
    if (l >= topology.link_count()) throw py::index_error("series_links: no link " + std::to_string(l));
  }
  mp::TrafficResult r;
  {
    py::gil_scoped_release release;
    r = mp::run_traffic(topology, np, m.model == "packet" ? &pp : nullptr, transfers);
  }
  py::dict d;
  for (const auto& metric : mp::traffic_metrics(r)) d[py::str(metric.name)] = metric.value;
  d["complete"] = r.fct.complete;
  d["model"] = m.model;
  std::vector<std::uint32_t> src, dst;
  std::vector<double> bytes, start, end;
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    src.push_back(transfers[i].src);
    dst.push_back(transfers[i].dst);
    bytes.push_back(static_cast<double>(transfers[i].bytes));
    start.push_back(transfers[i].start.to_seconds());
    end.push_back(r.end[i] ? r.end[i]->to_seconds() : -1.0);
  }
  py::dict t;
  t["src"] = to_array(src);
  t["dst"] = to_array(dst);
  t["bytes"] = to_array(bytes);
  t["start_s"] = to_array(start);
  t["end_s"] = to_array(end);
  t["fct_s"] = to_array(r.fct.fct_s);
  t["ideal_fct_s"] = to_array(r.ideal_fct_s);
  t["slowdown"] = to_array(r.fct.slowdown);
  if (r.packet) {
    std::vector<std::uint32_t> retx;
    for (const auto& f : r.packet->flows) retx.push_back(f.retransmissions);
    t["retransmissions"] = to_array(retx);
    std::vector<std::string> names;
    std::vector<std::uint64_t> carried, drops, marks, trims, pauses, peak;
    for (topologies::LinkId l = 0; l < r.packet->ports.size(); ++l) {
      const auto& s = r.packet->ports[l];
      names.push_back(models::collective::link_name(topology, l));
      carried.push_back(s.tx_bytes);
      drops.push_back(s.drops);
      marks.push_back(s.ecn_marks);
      trims.push_back(s.trims);
      pauses.push_back(s.pauses);
      peak.push_back(s.max_queue_bytes);
    }
    py::dict links;
    links["name"] = names;
    links["carried_bytes"] = to_array(carried);
    links["drops"] = to_array(drops);
    links["ecn_marks"] = to_array(marks);
    links["trims"] = to_array(trims);
    links["pfc_pauses"] = to_array(pauses);
    links["max_queue_bytes"] = to_array(peak);
    d["links"] = links;
    py::list series;
    for (const auto& s : r.packet->queue_series) {
      std::vector<double> times;
      for (auto at : s.times()) times.push_back(at.to_seconds());
      series.append(py::make_tuple(to_array(times), to_array(s.values())));
    }
    d["queue_series"] = series;
  }
  d["transfers"] = t;
  return d;
}

std::uint32_t endpoint(const Topology& t, const std::variant<std::uint32_t, std::string>& e, const char* what) {
  const auto& ends = t.endpoints();
  if (const auto* i = std::get_if<std::uint32_t>(&e)) {
    if (*i >= ends.size()) {
      throw py::index_error(std::string(what) + ": no endpoint " + std::to_string(*i) + " (the topology has " +
                            std::to_string(ends.size()) + ")");
    }
    return *i;
  }
  for (std::uint32_t i = 0; i < ends.size(); ++i) {
    if (t.node(ends[i]).name == std::get<std::string>(e)) return i;
  }
  throw py::key_error(std::string(what) + ": no endpoint named '" + std::get<std::string>(e) + "'");
}

// A TOML basic string.
std::string toml_string(const std::string& text) {
  std::ostringstream out;
  out << '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out << '\\' << c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out << "\\u" << std::hex << std::setw(4) << std::setfill('0') << static_cast<int>(c) << std::dec;
    } else {
      out << c;
    }
  }
  out << '"';
  return out.str();
}

// A size keyword as the reader's size keys take it: whole bytes (anything else is
// written as given, for the reader to refuse).
std::string size_text(double bytes) {
  std::ostringstream out;
  if (std::isfinite(bytes) && bytes >= 0 && bytes == std::floor(bytes) && bytes < 9e18) {
    out << static_cast<std::int64_t>(bytes);
  } else {
    out << '"' << bytes << '"';
  }
  return out.str();
}

// A traffic workload built by the fabric kind's own [workload] reader
// (scenarios/kinds/fabric_traffic.hpp) from the keys of a [workload] table, so that a
// keyword means and checks what the scenario key does; problems are raised as ValueError
// naming the key ("workload.load: expected ...").
scenarios::BuiltTraffic traffic_from_reader(const Topology& t, const std::string& keys, std::uint64_t seed) {
  try {
    const auto scenario = scenarios::Scenario::parse("kind = \"fabric\"\n[workload]\n" + keys, "keywords");
    scenarios::Section w(scenario, "workload");
    const auto traffic = scenarios::read_traffic_workload(w, ".");
    w.reject_unread();
    w.throw_if_errors();
    std::vector<std::uint32_t> hosts(t.endpoints().size());
    for (std::uint32_t i = 0; i < hosts.size(); ++i) hosts[i] = i;
    return scenarios::build_traffic(*traffic, t, hosts, seed, w);
  } catch (const scenarios::ScenarioError& e) {
    throw py::value_error(e.what());
  }
}

template <class E>
void enum_property(py::class_<mp::PacketParams>& c, const char* name, E mp::PacketParams::*field) {
  c.def_property(
      name, [field](const mp::PacketParams& p) { return std::string(sim::name_of(p.*field)); },
      [field, name](mp::PacketParams& p, const std::string& text) { p.*field = sim::parse_enum<E>(text, name); });
}

}  // namespace

void bind_traffic(py::module_& m) {
  py::module_ nm = m.attr("network").cast<py::module_>();

  py::class_<mp::PacketParams> pp(nm, "PacketParams",
                                  "Parameters of the packet model (docs/packet.md; the [packet] keys of a fabric "
                                  "scenario). Times in picoseconds (_ps), sizes in bytes.");
  pp.def(py::init<>());
  enum_property(pp, "transport", &mp::PacketParams::transport);
  enum_property(pp, "paths", &mp::PacketParams::paths);
#define SIMFABRIC_FIELD(name) pp.def_readwrite(#name, &mp::PacketParams::name)
  SIMFABRIC_FIELD(mtu_bytes);
  SIMFABRIC_FIELD(header_bytes);
  SIMFABRIC_FIELD(entropies);
  SIMFABRIC_FIELD(flowlet_gap_ps);
  SIMFABRIC_FIELD(switch_latency_ps);
  SIMFABRIC_FIELD(cut_through);
  SIMFABRIC_FIELD(port_buffer_bytes);
  SIMFABRIC_FIELD(shared_buffer);
  SIMFABRIC_FIELD(switch_buffer_bytes);
  SIMFABRIC_FIELD(shared_alpha);
  SIMFABRIC_FIELD(control_priority);
  SIMFABRIC_FIELD(ecn);
  SIMFABRIC_FIELD(ecn_kmin_bytes);
  SIMFABRIC_FIELD(ecn_kmax_bytes);
  SIMFABRIC_FIELD(ecn_pmax);
  SIMFABRIC_FIELD(pfc);
  SIMFABRIC_FIELD(pfc_xoff_bytes);
  SIMFABRIC_FIELD(pfc_xon_bytes);
  SIMFABRIC_FIELD(pfc_headroom_bytes);
  SIMFABRIC_FIELD(trimming);
  SIMFABRIC_FIELD(initial_window_bytes);
  SIMFABRIC_FIELD(rto_ps);
  SIMFABRIC_FIELD(dctcp_g);
  SIMFABRIC_FIELD(dcqcn_g);
  SIMFABRIC_FIELD(dcqcn_timer_ps);
  SIMFABRIC_FIELD(dcqcn_cnp_interval_ps);
  SIMFABRIC_FIELD(dcqcn_rate_ai_gbps);
  SIMFABRIC_FIELD(dcqcn_rate_hai_gbps);
  SIMFABRIC_FIELD(dcqcn_fast_recovery_steps);
  SIMFABRIC_FIELD(dcqcn_byte_counter_bytes);
  SIMFABRIC_FIELD(dcqcn_min_rate_gbps);
  SIMFABRIC_FIELD(series_links);
#undef SIMFABRIC_FIELD
  nm.def(
      "packet_params", [](const py::object& packet) { return packet_params_from(packet, mp::PacketParams{}.seed); },
      py::arg("packet") = py::none(),
      "A PacketParams from a dict of a scenario's [packet] keys (docs/packet.md), read as a scenario file's are: the "
      "declared defaults and ranges, durations as numbers in the key's unit (rto_us) or strings such as \"10 us\", "
      "sizes as bytes or strings such as \"64 KiB\"; ValueError names every bad or unknown key (packet.<key>). A "
      "PacketParams is copied, None gives the defaults.");

  using Endpoint = std::variant<std::uint32_t, std::string>;
  const char* common =
      " model='flow' (max-min fluid, policy/subflows) or 'packet' (packet=PacketParams(), its paths and transport); "
      "the topology's link states hold from the start. Returns a dict: completion_s, median_fct_s, p99_fct_s, "
      "max_fct_s, mean/median/p99_slowdown (FCT / ideal FCT alone on the fabric), complete, flows, events, "
      "'transfers' (per-flow arrays) and, for the packet model, drops, ecn_marks, trims, pfc_pauses, "
      "retransmissions, timeouts, 'links' and 'queue_series'.";
  const auto doc = [common](const char* what) { return std::string(what) + common; };

  nm.def(
      "run_transfers",
      [](const Topology& t, const std::vector<Endpoint>& src, const std::vector<Endpoint>& dst,
         const std::vector<double>& bytes, std::optional<std::vector<double>> start_s, const std::string& model,
         const std::string& policy, const py::object& seed, std::uint32_t subflows,
         const std::optional<mp::PacketParams>& packet) {
        if (src.size() != dst.size() || src.size() != bytes.size() || (start_s && start_s->size() != src.size())) {
          throw py::value_error("src, dst, bytes and start_s must have the same length");
        }
        std::vector<mn::TimedTransfer> transfers;
        for (std::size_t i = 0; i < src.size(); ++i) {
          const double b = bytes[i];
          const double s = start_s ? (*start_s)[i] : 0.0;
          if (!(b >= 1 && b <= static_cast<double>(mn::kMaxTransferBytes))) {
            throw py::value_error("bytes[" + std::to_string(i) + "]: expected 1 to 2^40");
          }
          if (!(s >= 0 && s <= mn::kMaxTrafficStartS)) {
            throw py::value_error("start_s[" + std::to_string(i) + "]: expected 0 to 3600");
          }
          transfers.push_back({endpoint(t, src[i], "src"), endpoint(t, dst[i], "dst"),
                               static_cast<std::uint64_t>(std::llround(b)), sim::Time::from_seconds(s)});
          if (transfers.back().src == transfers.back().dst)
            throw py::value_error("a transfer from an endpoint to itself");
        }
        return run(t, model_from(model, policy, seed, subflows, packet), transfers);
      },
      py::arg("topology"), py::arg("src"), py::arg("dst"), py::arg("bytes"), py::arg("start_s") = py::none(),
      py::arg("model") = "flow", py::arg("policy") = "ecmp", py::arg("seed") = 1, py::arg("subflows") = 4,
      py::arg("packet") = py::none(),
      doc("transfers src[i] -> dst[i] (endpoint indices or names) of bytes[i], starting at start_s[i] (0).").c_str());

  nm.def(
      "run_incast",
      [](const Topology& t, double bytes, const py::object& senders, const Endpoint& receiver, const std::string& model,
         const std::string& policy, const py::object& seed, std::uint32_t subflows,
         const std::optional<mp::PacketParams>& packet) {
        const std::uint32_t r = endpoint(t, receiver, "receiver");
        const auto n = static_cast<std::uint32_t>(t.endpoints().size());
        std::vector<std::uint32_t> from;
        if (senders.is_none() || py::isinstance<py::int_>(senders)) {
          const auto count = senders.is_none() ? n - 1 : senders.cast<std::uint32_t>();
          if (count == 0 || count >= n) throw py::value_error("senders: expected 1 to " + std::to_string(n - 1));
          for (std::uint32_t k = 1; k <= count; ++k) from.push_back((r + k) % n);
        } else {
          for (const auto& e : senders.cast<std::vector<Endpoint>>()) from.push_back(endpoint(t, e, "senders"));
        }
        for (auto s : from) {
          if (s == r) throw py::value_error("the receiver is among the senders");
        }
        if (!(bytes >= 1 && bytes <= static_cast<double>(mn::kMaxTransferBytes))) {
          throw py::value_error("bytes: expected 1 to 2^40");
        }
        const auto transfers = mn::incast_transfers(from, r, static_cast<std::uint64_t>(std::llround(bytes)));
        return run(t, model_from(model, policy, seed, subflows, packet), transfers);
      },
      py::arg("topology"), py::arg("bytes"), py::arg("senders") = py::none(),
      py::arg("receiver") = static_cast<std::uint32_t>(workload_default("receiver")), py::arg("model") = "flow",
      py::arg("policy") = "ecmp", py::arg("seed") = 1, py::arg("subflows") = 4, py::arg("packet") = py::none(),
      doc("N-to-1 incast at time zero: senders (a count, the endpoints after the receiver; or a list; default "
          "every other endpoint) each send bytes to receiver.")
          .c_str());

  nm.def(
      "run_traffic_matrix",
      [](const Topology& t, const std::string& file, const std::string& model, const std::string& policy,
         const py::object& seed, std::uint32_t subflows, const std::optional<mp::PacketParams>& packet) {
        std::vector<std::string> names;
        for (auto n : t.endpoints()) names.push_back(t.node(n).name);
        const auto transfers = mn::read_traffic_matrix(file, names);
        return run(t, model_from(model, policy, seed, subflows, packet), transfers);
      },
      py::arg("topology"), py::arg("file"), py::arg("model") = "flow", py::arg("policy") = "ecmp", py::arg("seed") = 1,
      py::arg("subflows") = 4, py::arg("packet") = py::none(),
      doc("the transfers of a CSV traffic matrix (columns src, dst, bytes, start_us; docs/fabric.md).").c_str());

  nm.def(
      "run_poisson",
      [](const Topology& t, double load, std::optional<double> duration_us, std::optional<std::uint64_t> flows,
         const std::string& sizes, double bytes, double min_bytes, double max_bytes, double median_bytes, double sigma,
         const std::optional<std::string>& cdf_file, const std::string& model, const std::string& policy,
         const py::object& seed, std::uint32_t subflows, const std::optional<mp::PacketParams>& packet) {
        const Model m = model_from(model, policy, seed, subflows, packet);
        std::ostringstream keys;
        keys.precision(17);
        keys << "type = \"poisson\"\nload = " << load << "\nsizes = " << toml_string(sizes) << "\n";
        if (sizes == "fixed") keys << "bytes = " << size_text(bytes) << "\n";
        if (sizes == "uniform") {
          keys << "min_bytes = " << size_text(min_bytes) << "\nmax_bytes = " << size_text(max_bytes) << "\n";
        }
        if (sizes == "lognormal") keys << "median_bytes = " << size_text(median_bytes) << "\nsigma = " << sigma << "\n";
        if (sizes == "cdf") {
          if (!cdf_file) throw py::value_error("sizes='cdf' needs cdf_file");
          keys << "cdf_file = " << toml_string(*cdf_file) << "\n";
        }
        if (duration_us) keys << "duration_us = " << *duration_us << "\n";
        if (flows) keys << "flows = " << *flows << "\n";
        auto built = traffic_from_reader(t, keys.str(), m.seed);
        py::dict d = run(t, m, built.transfers);
        for (const auto& [key, value] : built.figures) d[py::str(key)] = value;
        return d;
      },
      py::arg("topology"), py::arg("load"), py::arg("duration_us") = py::none(), py::arg("flows") = py::none(),
      py::arg("sizes") = workload_text_default("sizes"),
      py::arg("bytes") = static_cast<double>(models::collective::workload_bytes_default("poisson")),
      py::arg("min_bytes") = workload_default("min_bytes"), py::arg("max_bytes") = workload_default("max_bytes"),
      py::arg("median_bytes") = workload_default("median_bytes"), py::arg("sigma") = workload_default("sigma"),
      py::arg("cdf_file") = py::none(), py::arg("model") = "flow", py::arg("policy") = "ecmp", py::arg("seed") = 1,
      py::arg("subflows") = 4, py::arg("packet") = py::none(),
      doc("flows with Poisson arrivals at `load` (payload over each host's link capacity) to uniform "
          "destinations, for duration_us and/or up to `flows` flows; sizes 'fixed' (bytes), 'uniform' "
          "(min_bytes, max_bytes), 'lognormal' (median_bytes, sigma) or 'cdf' (cdf_file: rows bytes,cdf).")
          .c_str());
}

}  // namespace bindings
