// Python face of the discrete-event core: Simulator, RandomStream, statistics.

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include "bindings/bindings.hpp"
#include "bindings/seed.hpp"
#include "sim/random.hpp"
#include "sim/simulator.hpp"
#include "sim/stats.hpp"

namespace py = pybind11;

namespace bindings {

namespace {

// A Python callable scheduled as an event. run() releases the GIL, so calling and
// dropping the callable must take it back; both happen under one acquisition.
struct PyCallback {
  PyObject* fn;
  explicit PyCallback(py::object f) : fn(f.release().ptr()) {}
  PyCallback(PyCallback&& other) noexcept : fn(std::exchange(other.fn, nullptr)) {}
  PyCallback(const PyCallback&) = delete;
  void operator()() {
    py::gil_scoped_acquire gil;
    PyObject* callable = std::exchange(fn, nullptr);
    PyObject* result = PyObject_CallNoArgs(callable);
    Py_DECREF(callable);
    if (result == nullptr) throw py::error_already_set();
    Py_DECREF(result);
  }
  ~PyCallback() {
    if (fn != nullptr) {
      py::gil_scoped_acquire gil;
      Py_DECREF(fn);
    }
  }
};

// A picosecond count from a Python int: anything outside int64 is a TimeOverflow that
// names the keyword, not pybind11's "incompatible function arguments".
sim::Time ps_from(PyObject* value, const char* keyword) {
  if (!PyLong_Check(value)) {
    throw py::type_error(std::string(keyword) + ": expected an int (picoseconds), got " + Py_TYPE(value)->tp_name);
  }
  int overflow = 0;
  const long long ps = PyLong_AsLongLongAndOverflow(value, &overflow);
  if (ps == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow != 0) {
    throw sim::TimeOverflow(std::string(keyword) + ": outside the 63-bit picosecond range (about +-106 days)");
  }
  return sim::Time::from_ps(ps);
}

// Exactly one of the keyword times may be given; none means zero.
sim::Time time_from(std::optional<double> s, std::optional<double> ns, const std::optional<py::int_>& ps,
                    const char* what, const char* ps_keyword) {
  const int given = (s ? 1 : 0) + (ns ? 1 : 0) + (ps ? 1 : 0);
  if (given > 1) throw py::value_error(std::string(what) + ": give only one of *_s, *_ns, *_ps");
  if (s) return sim::Time::from_seconds(*s);
  if (ns) return sim::Time::from_ns(*ns);
  if (ps) return ps_from(ps->ptr(), ps_keyword);
  return sim::Time::zero();
}

std::uint64_t stream_id_from(const py::object& value) {
  if (!PyLong_Check(value.ptr())) {
    throw py::type_error(std::string("stream_id: expected an int, got ") + Py_TYPE(value.ptr())->tp_name);
  }
  const unsigned long long id = PyLong_AsUnsignedLongLong(value.ptr());
  if (id == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
    PyErr_Clear();
    throw py::value_error("stream_id: expected an integer from 0 to 2**64 - 1, got " +
                          py::str(value).cast<std::string>().substr(0, 40));
  }
  return id;
}

// Simulator.schedule is the hot call of Python models, so it bypasses pybind11's generic
// argument dispatch (about 0.5 us) with a vectorcall method that parses its keywords by
// interned-string identity.
struct ScheduleKeywords {
  PyObject* delay_s = PyUnicode_InternFromString("delay_s");
  PyObject* delay_ns = PyUnicode_InternFromString("delay_ns");
  PyObject* delay_ps = PyUnicode_InternFromString("delay_ps");
  PyObject* priority = PyUnicode_InternFromString("priority");
};

// The C++ object behind a Simulator instance (or a Python subclass of it), without
// pybind11's general type lookup.
sim::Simulator& simulator_of(PyObject* self) {
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  auto* value = inst->get_value_and_holder().value_ptr<sim::Simulator>();
  if (value == nullptr) throw py::type_error("Simulator.__init__ was not called");
  return *value;
}

// Event handles travel to Python as plain ints (order * 2^32 + slot): creating an int is
// far cheaper than a wrapped object, and schedule() is called once per event.
PyObject* handle_to_int(sim::EventHandle handle) {
  unsigned char bytes[16];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<unsigned char>(handle.slot >> (8 * i));
  for (int i = 0; i < 8; ++i) bytes[4 + i] = static_cast<unsigned char>(handle.order >> (8 * i));
  for (int i = 12; i < 16; ++i) bytes[i] = 0;
  return _PyLong_FromByteArray(bytes, sizeof(bytes), /*little_endian=*/1, /*is_signed=*/0);
}

sim::EventHandle handle_from_int(py::int_ value) {
  unsigned char bytes[16];
  if (_PyLong_AsByteArray(reinterpret_cast<PyLongObject*>(value.ptr()), bytes, sizeof(bytes), 1, 0) < 0) {
    throw py::error_already_set();
  }
  sim::EventHandle handle;
  handle.slot = 0;
  handle.order = 0;
  for (int i = 0; i < 4; ++i) handle.slot |= static_cast<std::uint32_t>(bytes[i]) << (8 * i);
  for (int i = 0; i < 8; ++i) handle.order |= static_cast<std::uint64_t>(bytes[4 + i]) << (8 * i);
  return handle;
}

// The module's SchedulingError and TimeOverflow, for the method that bypasses pybind11.
PyObject* scheduling_error_type = nullptr;
PyObject* time_overflow_type = nullptr;

bool same_name(PyObject* a, PyObject* b) { return a == b || PyUnicode_Compare(a, b) == 0; }

PyObject* fast_schedule(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  static const ScheduleKeywords names;
  try {
    if (nargs != 1) throw py::type_error("schedule(callback, *, delay_s=|delay_ns=|delay_ps=, priority=0)");
    PyObject* callback = args[0];
    if (!PyCallable_Check(callback)) throw py::type_error("schedule: callback is not callable");
    sim::Time delay = sim::Time::zero();
    int times_given = 0;
    long priority = 0;
    const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t i = 0; i < nkw; ++i) {
      PyObject* key = PyTuple_GET_ITEM(kwnames, i);
      PyObject* value = args[nargs + i];
      if (same_name(key, names.delay_s) || same_name(key, names.delay_ns)) {
        const double x = PyFloat_AsDouble(value);
        if (x == -1.0 && PyErr_Occurred()) throw py::error_already_set();
        delay = same_name(key, names.delay_s) ? sim::Time::from_seconds(x) : sim::Time::from_ns(x);
        ++times_given;
      } else if (same_name(key, names.delay_ps)) {
        delay = ps_from(value, "delay_ps");
        ++times_given;
      } else if (same_name(key, names.priority)) {
        priority = PyLong_AsLong(value);
        if (priority == -1 && PyErr_Occurred()) throw py::error_already_set();
        if (priority < -128 || priority > 127) throw py::value_error("schedule: priority must be in [-128, 127]");
      } else {
        throw py::type_error("schedule: unexpected keyword " + py::cast<std::string>(py::handle(key)));
      }
    }
    if (times_given > 1) throw py::value_error("schedule: give only one of delay_s, delay_ns, delay_ps");
    auto& simulator = simulator_of(self);
    const sim::EventHandle handle = simulator.schedule(delay, PyCallback(py::reinterpret_borrow<py::object>(callback)),
                                                       static_cast<sim::Priority>(priority));
    return handle_to_int(handle);
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (const sim::SchedulingError& e) {
    PyErr_SetString(scheduling_error_type != nullptr ? scheduling_error_type : PyExc_ValueError, e.what());
  } catch (const sim::TimeOverflow& e) {
    PyErr_SetString(time_overflow_type != nullptr ? time_overflow_type : PyExc_OverflowError, e.what());
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return nullptr;
}

PyMethodDef fast_schedule_def = {
    "schedule", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&fast_schedule)),
    METH_FASTCALL | METH_KEYWORDS,
    "schedule(self, callback: Callable[[], object], *, delay_s: Optional[float] = None, "
    "delay_ns: Optional[float] = None, delay_ps: Optional[int] = None, priority: int = 0) -> int\n\n"
    "Run callback() after a delay (default 0). Events at the same time run by priority\n"
    "(lower first), then in scheduling order."};

}  // namespace

void bind_sim(py::module_& m) {
  scheduling_error_type = py::register_exception<sim::SchedulingError>(m, "SchedulingError", PyExc_ValueError).ptr();
  time_overflow_type = py::register_exception<sim::TimeOverflow>(m, "TimeOverflow", PyExc_OverflowError).ptr();

  py::class_<sim::RandomStream>(m, "RandomStream",
                                "xoshiro256++ stream derived from (seed, stream id); reproducible bit for bit.")
      .def(py::init([](const py::int_& seed, const py::int_& stream_id) {
             return sim::RandomStream(seed_from(seed, "RandomStream seed"), stream_id_from(stream_id));
           }),
           py::arg("seed"), py::arg("stream_id"))
      .def("next_u64", &sim::RandomStream::next_u64)
      .def("uniform", py::overload_cast<>(&sim::RandomStream::uniform), "Uniform on [0, 1).")
      .def("uniform", py::overload_cast<double, double>(&sim::RandomStream::uniform), py::arg("lo"), py::arg("hi"),
           "Uniform on [lo, hi), finite lo <= hi.")
      .def("below", &sim::RandomStream::below, py::arg("n"), "Uniform integer on [0, n).")
      .def("exponential", &sim::RandomStream::exponential, py::arg("mean"), "Exponential with a positive, finite mean.")
      .def("normal", &sim::RandomStream::normal, py::arg("mean"), py::arg("stddev"),
           "Normal with a finite mean and a finite stddev >= 0.")
      .def("bernoulli", &sim::RandomStream::bernoulli, py::arg("p"), "True with probability p, 0 <= p <= 1.");

  py::class_<sim::Simulator> simulator(m, "Simulator", R"doc(
The discrete-event simulator. Time is an integer count of picoseconds; the *_s and
*_ns keywords convert (rounding to the nearest picosecond). Events at the same time run
by priority (lower first), then in the order they were scheduled.)doc");
  simulator
      .def(py::init([](const py::int_& seed) { return std::make_unique<sim::Simulator>(seed_from(seed, "seed")); }),
           py::arg("seed") = 0, "seed: an integer from 0 to 2**63 - 1.")
      .def_property_readonly("seed", &sim::Simulator::seed)
      .def_property_readonly("now_s", [](const sim::Simulator& s) { return s.now().to_seconds(); })
      .def_property_readonly("now_ps", [](const sim::Simulator& s) { return s.now().ps(); })
      .def_property_readonly("events_executed", &sim::Simulator::events_executed)
      .def_property_readonly("events_pending", &sim::Simulator::events_pending)
      .def(
          "schedule_at",
          [](sim::Simulator& s, py::object callback, std::optional<double> at_s, std::optional<double> at_ns,
             const std::optional<py::int_>& at_ps, int priority) {
            if (!PyCallable_Check(callback.ptr())) throw py::type_error("schedule_at: callback is not callable");
            if (priority < -128 || priority > 127)
              throw py::value_error("schedule_at: priority must be in [-128, 127]");
            const sim::Time at = time_from(at_s, at_ns, at_ps, "schedule_at", "at_ps");
            return py::reinterpret_steal<py::int_>(handle_to_int(
                s.schedule_at(at, PyCallback(std::move(callback)), static_cast<sim::Priority>(priority))));
          },
          py::arg("callback"), py::kw_only(), py::arg("at_s") = py::none(), py::arg("at_ns") = py::none(),
          py::arg("at_ps") = py::none(), py::arg("priority") = 0,
          "Run callback() at an absolute time; returns the event handle (an int).")
      .def(
          "cancel", [](sim::Simulator& s, py::int_ handle) { return s.cancel(handle_from_int(handle)); },
          py::arg("handle"), "Cancel a pending event; False if it already ran or was cancelled.")
      .def(
          "run",
          [](sim::Simulator& s, std::optional<double> until_s, const std::optional<py::int_>& until_ps) {
            if (until_s && until_ps) throw py::value_error("run: give only one of until_s, until_ps");
            // Converted before the GIL is released; a nested run is refused by the core.
            std::optional<sim::Time> until;
            if (until_s) until = sim::Time::from_seconds(*until_s);
            if (until_ps) until = ps_from(until_ps->ptr(), "until_ps");
            py::gil_scoped_release release;
            if (until) {
              s.run_until(*until);
            } else {
              s.run();
            }
          },
          py::kw_only(), py::arg("until_s") = py::none(), py::arg("until_ps") = py::none(),
          "Run until no event is left, or until the given time (inclusive); the GIL is released meanwhile.")
      .def("stop", &sim::Simulator::stop, "End run() after the current event.")
      .def("stream", &sim::Simulator::stream, py::arg("stream_id"),
           "The random stream of one component, derived from (seed, stream_id).");
  {
    auto* type = reinterpret_cast<PyTypeObject*>(simulator.ptr());
    py::object method = py::reinterpret_steal<py::object>(PyDescr_NewMethod(type, &fast_schedule_def));
    if (!method) throw py::error_already_set();
    py::setattr(simulator, "schedule", method);
  }

  py::class_<sim::Tally>(m, "Tally", "Mean, variance, min and max of observations.")
      .def(py::init<std::string>(), py::arg("unit") = "")
      .def("add", &sim::Tally::add, py::arg("x"))
      .def_property_readonly("count", &sim::Tally::count)
      .def_property_readonly("mean", &sim::Tally::mean)
      .def_property_readonly("variance", &sim::Tally::variance)
      .def_property_readonly("min", &sim::Tally::min)
      .def_property_readonly("max", &sim::Tally::max)
      .def_property_readonly("unit", &sim::Tally::unit);
}

}  // namespace bindings
