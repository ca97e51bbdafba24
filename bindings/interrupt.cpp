// Ctrl-C during long C++ runs. The bindings release the GIL while a model runs, so
// Python's own handler only sets a flag; the core's run loops poll it here (on the
// thread that called from Python) and abandon the run between two events with
// sim::Interrupted, which reaches Python as the KeyboardInterrupt (or whatever the
// installed SIGINT handler raised).

#include <thread>

#include "bindings/bindings.hpp"
#include "sim/interrupt.hpp"

namespace py = pybind11;

namespace bindings {

namespace {

std::thread::id g_main_thread;
// The exception the signal handler raised, held until the translator gives it back.
PyObject* g_type = nullptr;
PyObject* g_value = nullptr;
PyObject* g_traceback = nullptr;

bool python_signal_pending() {
  // Worker threads of a parallel run do not hold the interpreter's signals; the thread
  // that called in is polled, and its unwinding ends the parallel work with it.
  if (std::this_thread::get_id() != g_main_thread) return false;
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() == 0) return false;
  PyErr_Fetch(&g_type, &g_value, &g_traceback);
  return true;
}

}  // namespace

void bind_interrupt(py::module_&) {
  g_main_thread = std::this_thread::get_id();
  sim::set_interrupt_poll(&python_signal_pending);
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const sim::Interrupted&) {
      if (g_type != nullptr) {
        PyErr_Restore(g_type, g_value, g_traceback);
        g_type = g_value = g_traceback = nullptr;
      } else {
        PyErr_SetNone(PyExc_KeyboardInterrupt);
      }
    }
  });
}

}  // namespace bindings
