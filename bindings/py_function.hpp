#pragma once
// A Python callable held by a C++ model and called from inside Simulator.run(), which
// releases the GIL: calling and dropping it take the GIL back. A Python exception
// propagates out of run() as error_already_set.

#include <pybind11/pybind11.h>

#include <utility>

namespace bindings {

class PyFunction {
 public:
  PyFunction() = default;
  explicit PyFunction(const pybind11::object& f) : fn_(f.is_none() ? nullptr : f.inc_ref().ptr()) {}
  PyFunction(PyFunction&& other) noexcept : fn_(std::exchange(other.fn_, nullptr)) {}
  PyFunction& operator=(PyFunction&& other) noexcept {
    std::swap(fn_, other.fn_);
    return *this;
  }
  PyFunction(const PyFunction&) = delete;
  ~PyFunction() {
    if (fn_ != nullptr) {
      pybind11::gil_scoped_acquire gil;
      Py_DECREF(fn_);
    }
  }

  explicit operator bool() const { return fn_ != nullptr; }

  template <class... Args>
  void operator()(Args&&... args) const {
    if (fn_ == nullptr) return;
    pybind11::gil_scoped_acquire gil;
    const pybind11::handle callable(fn_);
    callable(std::forward<Args>(args)...);
  }

 private:
  PyObject* fn_ = nullptr;
};

}  // namespace bindings
