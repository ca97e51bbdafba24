// packet={...} for every Python function that runs the packet model (packet_keywords.hpp).

#include "bindings/packet_keywords.hpp"

#include <string>

#include "bindings/keyword_values.hpp"
#include "models/packet/parameters.hpp"

namespace py = pybind11;

namespace bindings {

models::packet::PacketParams packet_params_from(const py::object& given, std::uint64_t seed) {
  namespace mp = models::packet;
  if (py::isinstance<mp::PacketParams>(given)) {
    auto p = given.cast<mp::PacketParams>();
    p.seed = seed;
    return p;
  }
  KeywordValues values;
  if (!given.is_none()) {
    if (!py::isinstance<py::dict>(given)) {
      throw py::type_error("packet: expected a dict of [packet] keys or a network.PacketParams, got " +
                           std::string(py::str(py::type::of(given).attr("__name__"))));
    }
    values.set_table("packet", given.cast<py::dict>());
  }
  auto p = mp::read_packet_params(values, seed);
  values.finish();
  return p;
}

}  // namespace bindings
