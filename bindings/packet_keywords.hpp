#pragma once
// The packet model's parameters from Python: packet={...} with the keys of a scenario's
// [packet] table, read by the model's one reader (models/packet/parameters.hpp) with the
// declared defaults and ranges, or a sf.network.PacketParams as it is.

#include <pybind11/pybind11.h>

#include <cstdint>

#include "models/packet/params.hpp"

namespace bindings {

// None: the declared defaults. A dict: its keys as [packet] keys (durations as numbers in
// the key's unit or strings such as "10 us", sizes as bytes or strings such as "64 KiB");
// one ValueError names every bad or unknown key ("packet.rto_us: ..."). A PacketParams:
// a copy. The result draws from `seed`, the run's, as a scenario's packet model does.
models::packet::PacketParams packet_params_from(const pybind11::object& given, std::uint64_t seed);

}  // namespace bindings
