// Traffic workloads on both fabric models: Poisson arrivals against their closed forms
// (offered load, mean inter-arrival), a traffic matrix of flows that never overlap and an
// N-to-1 incast against closed-form FCTs, and the file:line:column errors of bad CSV rows.

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "models/packet/traffic_run.hpp"
#include "topologies/builders.hpp"

using namespace models::network;
using models::packet::PacketParams;
using models::packet::run_traffic;

namespace {

constexpr std::int64_t kHostLatPs = 500'000;
constexpr std::int64_t kUpLatPs = 300'000;
constexpr double kBytesPerS = 50e9;  // 400 Gb/s: 20 ps per byte

topologies::Topology fabric(std::uint32_t leaves, std::uint32_t spines, std::uint32_t hosts) {
  topologies::LeafSpineParams p;
  p.leaves = leaves;
  p.spines = spines;
  p.hosts_per_leaf = hosts;
  p.host_gbps = 400.0;
  p.uplink_gbps = 400.0;
  p.host_latency = sim::Time::from_ps(kHostLatPs);
  p.uplink_latency = sim::Time::from_ps(kUpLatPs);
  return topologies::leaf_spine(p);
}

std::filesystem::path write_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("simfabric_traffic_" + name);
  std::ofstream(path) << text;
  return path;
}

std::vector<std::string> endpoint_names(const topologies::Topology& t) {
  std::vector<std::string> out;
  for (auto n : t.endpoints()) out.push_back(t.node(n).name);
  return out;
}

// The DCTCP paper's web-search flow sizes (Alizadeh et al., SIGCOMM 2010, Fig. 4), as
// scenarios/fabric/websearch_cdf.csv has them.
FlowSizes websearch() {
  FlowSizes s;
  s.kind = FlowSizes::Kind::cdf;
  s.cdf = {{0, 0},        {10000, 0.15},  {20000, 0.2},   {30000, 0.3},   {50000, 0.4},     {80000, 0.53},
           {200000, 0.6}, {1000000, 0.7}, {2000000, 0.8}, {5000000, 0.9}, {10000000, 0.97}, {30000000, 1.0}};
  return s;
}

// E[S^2] of a piecewise-uniform CDF (the first point a step).
double second_moment(const FlowSizes& s) {
  double m = s.cdf.front().first * s.cdf.front().first * s.cdf.front().second;
  for (std::size_t i = 1; i < s.cdf.size(); ++i) {
    const double a = s.cdf[i - 1].first, b = s.cdf[i].first;
    m += (s.cdf[i].second - s.cdf[i - 1].second) * (a * a + a * b + b * b) / 3.0;
  }
  return m;
}

}  // namespace

TEST_CASE("Poisson arrivals: offered load and mean inter-arrival within 4 standard deviations") {
  const std::uint32_t hosts = 16;
  const std::vector<double> capacity(hosts, kBytesPerS);
  for (const bool cdf : {false, true}) {
    CAPTURE(cdf);
    PoissonTraffic traffic;
    traffic.load = 0.4;
    traffic.duration = sim::Time::from_us(cdf ? 200e3 : 50e3);
    if (cdf) {
      traffic.sizes = websearch();
    } else {
      traffic.sizes.bytes = 1e6;
    }
    const auto flows = poisson_transfers(traffic, capacity, 7);
    const double mean = traffic.sizes.mean_bytes();
    const double window_s = traffic.duration.to_seconds();
    const double rate = traffic.load * kBytesPerS / mean;  // per host, flows/s
    const double expected = rate * window_s * hosts;
    // Compound Poisson: the offered bytes have variance (expected flows) x E[S^2].
    const double s2 = cdf ? second_moment(traffic.sizes) : mean * mean;
    const double load_sd = std::sqrt(expected * s2) / (hosts * kBytesPerS * window_s);
    double bytes = 0;
    for (const auto& f : flows) {
      bytes += static_cast<double>(f.bytes);
      REQUIRE(f.src != f.dst);
      REQUIRE(f.start < traffic.duration);
    }
    const double load = bytes / (hosts * kBytesPerS * window_s);
    CHECK(std::abs(load - traffic.load) < 4 * load_sd);
    CHECK(load_sd < 0.02);  // the check is tight enough to mean something
    CHECK(std::abs(static_cast<double>(flows.size()) - expected) < 4 * std::sqrt(expected));

    // Inter-arrival times per host: exponential with mean 1 / rate (sd = mean).
    std::vector<double> last(hosts, 0.0);
    double gap_sum = 0, above_mean = 0, gaps = 0;
    for (const auto& f : flows) {
      const double gap = f.start.to_seconds() - last[f.src];
      last[f.src] = f.start.to_seconds();
      gap_sum += gap;
      above_mean += gap > 1.0 / rate ? 1 : 0;
      gaps += 1;
    }
    CHECK(std::abs(gap_sum / gaps - 1.0 / rate) < 4.0 / rate / std::sqrt(gaps));
    // P(gap > mean) = 1/e for an exponential.
    const double p = std::exp(-1.0);
    CHECK(std::abs(above_mean / gaps - p) < 4 * std::sqrt(p * (1 - p) / gaps));
  }
}

TEST_CASE("Poisson arrivals: a host's flows come from its stream alone; a flow count cuts the list in start order") {
  PoissonTraffic traffic;
  traffic.load = 0.5;
  traffic.sizes.kind = FlowSizes::Kind::lognormal;
  traffic.sizes.median_bytes = 50'000;
  traffic.sizes.sigma = 1.0;
  traffic.duration = sim::Time::from_us(500);
  const auto a = poisson_transfers(traffic, std::vector<double>(8, kBytesPerS), 3);
  const auto b = poisson_transfers(traffic, std::vector<double>(8, kBytesPerS), 3);
  const auto c = poisson_transfers(traffic, std::vector<double>(12, kBytesPerS), 3);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].start == b[i].start);
    CHECK(a[i].bytes == b[i].bytes);
    CHECK(a[i].dst == b[i].dst);
  }
  // More hosts: host 0's arrival times and sizes are unchanged (destinations spread wider).
  std::vector<std::pair<std::int64_t, std::uint64_t>> host0_a, host0_c;
  for (const auto& f : a)
    if (f.src == 0) host0_a.emplace_back(f.start.ps(), f.bytes);
  for (const auto& f : c)
    if (f.src == 0) host0_c.emplace_back(f.start.ps(), f.bytes);
  CHECK(host0_a == host0_c);
  traffic.max_flows = 10;
  const auto first = poisson_transfers(traffic, std::vector<double>(8, kBytesPerS), 3);
  REQUIRE(first.size() == 10);
  for (std::size_t i = 0; i < 10; ++i) CHECK(first[i].start == a[i].start);
  CHECK_THROWS_AS(poisson_transfers({0.5, {}, sim::Time::max(), 0}, {kBytesPerS, kBytesPerS}, 1),
                  std::invalid_argument);
}

TEST_CASE("traffic matrix of flows that never overlap: closed-form FCTs on both models") {
  // host0, host1 under leaf0; host2, host3 under leaf1; every link 400 Gb/s.
  const auto topo = fabric(2, 1, 2);
  const std::uint64_t mss = 4096 - 64;
  const auto file = write_file("matrix.csv",
                               "# src, dst by name or index; start in microseconds\n"
                               "start_us,src,dst,bytes\n"
                               "0,host0,host1," +
                                   std::to_string(100 * mss) +
                                   "\n"
                                   "100,0,2," +
                                   std::to_string(200 * mss) +
                                   "\n"
                                   "\n"
                                   "250.5, host3 , host0 ," +
                                   std::to_string(50 * mss) + "\n");
  const auto transfers = read_traffic_matrix(file, endpoint_names(topo));
  REQUIRE(transfers.size() == 3);
  CHECK(transfers[2].start == sim::Time::from_ns(250'500));
  CHECK(transfers[2].src == 3);
  const std::vector<std::uint64_t> packets = {100, 200, 50};
  const std::vector<std::int64_t> hops = {2, 4, 4};
  const std::vector<std::int64_t> latency = {2 * kHostLatPs, 2 * kHostLatPs + 2 * kUpLatPs,
                                             2 * kHostLatPs + 2 * kUpLatPs};

  NetworkParams np;
  const auto flow = run_traffic(topo, np, nullptr, transfers);
  PacketParams pp;
  const auto packet = run_traffic(topo, np, &pp, transfers);
  REQUIRE(flow.fct.complete);
  REQUIRE(packet.fct.complete);
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    // Flow model: the path latency, then the bytes at line rate.
    const double ideal_s = static_cast<double>(latency[i]) * 1e-12 + static_cast<double>(packets[i] * mss) / kBytesPerS;
    CHECK(flow.ideal_fct_s[i] == doctest::Approx(ideal_s).epsilon(1e-12));
    CHECK(flow.fct.fct_s[i] == doctest::Approx(ideal_s).epsilon(1e-9));
    CHECK(flow.fct.slowdown[i] == doctest::Approx(1.0).epsilon(1e-9));
    // Packet model: full packets store-and-forward over `hops` equal links, the pipeline
    // of the first packet then one packet time for each of the others.
    const std::int64_t packet_ps = 20 * 4096;
    const std::int64_t fct_ps = latency[i] + (static_cast<std::int64_t>(packets[i]) + hops[i] - 1) * packet_ps;
    REQUIRE(packet.end[i]);
    CHECK((*packet.end[i] - transfers[i].start).ps() == fct_ps);
    CHECK(packet.fct.slowdown[i] == doctest::Approx(static_cast<double>(fct_ps) * 1e-12 / ideal_s).epsilon(1e-12));
    CHECK(packet.fct.slowdown[i] > 1.0);
  }
  CHECK(packet.packet->totals.drops == 0);
  CHECK(packet.packet->totals.retransmissions == 0);
}

TEST_CASE("N-to-1 incast: FCT against N x bytes / line rate on both models") {
  // Receiver host0 and its 8 senders host1..host8 under one leaf: two hops each.
  const auto topo = fabric(2, 1, 9);
  const std::uint32_t n = 8;
  const std::uint64_t bytes = 250 * (4096 - 64);
  std::vector<std::uint32_t> senders;
  for (std::uint32_t s = 1; s <= n; ++s) senders.push_back(s);
  const auto transfers = incast_transfers(senders, 0, bytes);
  const double path_s = 2 * kHostLatPs * 1e-12;

  const auto flow = run_traffic(topo, NetworkParams{}, nullptr, transfers);
  REQUIRE(flow.fct.complete);
  // Equal shares of the receiver's link: every flow ends together.
  const double closed_s = path_s + n * static_cast<double>(bytes) / kBytesPerS;
  for (double f : flow.fct.fct_s) CHECK(f == doctest::Approx(closed_s).epsilon(1e-9));

  // Unthrottled senders (DCQCN without ECN stays at line rate) into a buffer that holds
  // everything: the receiver's port never idles.
  PacketParams pp;
  pp.transport = models::packet::Transport::dcqcn;
  pp.ecn = false;
  pp.port_buffer_bytes = 64u << 20;
  const auto packet = run_traffic(topo, NetworkParams{}, &pp, transfers);
  REQUIRE(packet.fct.complete);
  // Headers on the wire: the port drains n x wire bytes; the first packet's two hops
  // come before and a packet time or two of pipeline after.
  const double wire_s = n * 250 * 4096 / kBytesPerS;
  CHECK(packet.fct.completion_s >= path_s + wire_s);
  CHECK(packet.fct.completion_s <= path_s + wire_s + 3 * 4096 / kBytesPerS);
  CHECK(packet.fct.completion_s / closed_s == doctest::Approx(4096.0 / 4032.0).epsilon(0.002));
  CHECK(packet.packet->totals.drops == 0);
  // DCTCP backs off from the marks of the queue it builds, and keeps the port nearly busy.
  const auto dctcp = run_traffic(topo, NetworkParams{}, &(pp = PacketParams{}), transfers);
  REQUIRE(dctcp.fct.complete);
  CHECK(dctcp.fct.completion_s / (path_s + wire_s) == doctest::Approx(1.0).epsilon(0.05));
}

TEST_CASE("traffic matrix and CDF files: bad rows are refused with file:line:column") {
  const auto topo = fabric(2, 1, 2);
  const auto names = endpoint_names(topo);
  const auto message = [&](const std::string& text) {
    const auto file = write_file("bad.csv", text);
    try {
      read_traffic_matrix(file, names);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string path = (std::filesystem::temp_directory_path() / "simfabric_traffic_bad.csv").string();
  const std::string head = "src,dst,bytes,start_us\n";
  CHECK(message(head + "0,1,100,0\n1,0,-5,0\n") ==
        path + ":3:5: expected bytes as a whole number from 1 to 2^40, got \"-5\"");
  CHECK(message(head + "0,host9,100,0\n").find(path + ":2:3: expected dst as an endpoint index or name") == 0);
  CHECK(message(head + "0,7,100,0\n") == path + ":2:3: dst: no endpoint 7 (the topology has 4 endpoints, 0..3)");
  CHECK(message(head + "0,1,nan,0\n") == path + ":2:5: expected bytes as a finite number, got \"nan\"");
  CHECK(message(head + "0,1,100,inf\n") == path + ":2:9: expected start_us as a finite number, got \"inf\"");
  CHECK(message(head + "0,1,100\n") == path + ":2:5: expected 4 comma-separated fields, got 3");
  CHECK(message("src,dst,bytes\n0,1,100\n") == path + ":1:1: expected a column start_us in the header");
  CHECK(message("src,dst,bytes,start\n").find(path + ":1:15: expected a column name src, dst, bytes or start_us") == 0);
  CHECK(message(head + "1,1,100,0\n") == path + ":2:3: expected dst to differ from src");
  CHECK(message(head + "0,1,100.5,0\n").find(path + ":2:5: expected bytes as a whole number") == 0);
  CHECK(message(head + "0,1,100,-1\n").find(path + ":2:9: expected start_us from 0 to 1 hour") == 0);
  CHECK(message(head).find("expected transfers after the header line") != std::string::npos);

  const auto cdf_message = [&](const std::string& text) {
    try {
      read_size_cdf(write_file("bad_cdf.csv", text));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string cdf_path = (std::filesystem::temp_directory_path() / "simfabric_traffic_bad_cdf.csv").string();
  CHECK(cdf_message("bytes,cdf\n100,0.5\n50,1\n") ==
        cdf_path + ":3:1: expected bytes above the previous row's, got \"50\"");
  CHECK(cdf_message("100,0.5\n200,0.4\n").find(cdf_path + ":2:5: expected cdf from 0 to 1") == 0);
  CHECK(cdf_message("100,0.5\n200,0.9\n") == cdf_path + ":2: expected the last row's cdf to be 1");
  CHECK(cdf_message("100,0.5\n200,1\n") == "accepted");
}
