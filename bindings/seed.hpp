#pragma once
// Seeds from Python: integers from 0 to 2^63 - 1, the rule of the command line and of
// scenario files, so that two different seeds never give the same run. Anything else is
// refused, never clamped or wrapped.

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

namespace bindings {

// TypeError for a value that is not an integer (Python int or numpy integer); ValueError
// naming `what` (the argument) for one outside the range.
inline std::uint64_t seed_from(const pybind11::object& value, const char* what) {
  namespace py = pybind11;
  if (!PyLong_Check(value.ptr()) && !PyIndex_Check(value.ptr())) {
    throw py::type_error(std::string(what) + ": expected an int, got " + Py_TYPE(value.ptr())->tp_name);
  }
  const py::object number = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  if (!number) throw py::error_already_set();
  int overflow = 0;
  const long long seed = PyLong_AsLongLongAndOverflow(number.ptr(), &overflow);
  if (seed == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow != 0 || seed < 0) {
    throw py::value_error(std::string(what) + ": expected an integer from 0 to 2**63 - 1, got " +
                          py::str(number).cast<std::string>().substr(0, 40));
  }
  return static_cast<std::uint64_t>(seed);
}

}  // namespace bindings
