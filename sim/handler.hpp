#pragma once
// A type-erased `void()` callable sized for the event queue.
//
// Callables that are trivially copyable and fit in 16 bytes (a lambda capturing `this`
// and an id, a coroutine handle, a plain function pointer) are stored inline and cost no
// allocation. Anything larger or non-trivial is boxed on the heap: correct, just slower.
// Trivial copyability is what lets the event pool relocate handlers with memcpy.

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace sim {

class Handler {
 public:
  static constexpr std::size_t inline_bytes = 16;

  // clang-format 14 glues `>> &&` into `>>&&` here.
  // clang-format off
  template <class F>
  static constexpr bool stored_inline =
      std::is_trivially_copyable_v<std::decay_t<F>> && std::is_trivially_destructible_v<std::decay_t<F>> &&
      sizeof(std::decay_t<F>) <= inline_bytes && alignof(std::decay_t<F>) <= alignof(void*);
  // clang-format on

  Handler() = default;

  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Handler>>>
  Handler(F&& f) {  // NOLINT(google-explicit-constructor): handlers are made from lambdas
    using Fn = std::decay_t<F>;
    static_assert(std::is_invocable_r_v<void, Fn&>, "an event handler must be callable as void()");
    if constexpr (stored_inline<Fn>) {
      ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(f));
      thunk_ = &inline_thunk<Fn>;
    } else {
      Fn* boxed = new Fn(std::forward<F>(f));
      std::memcpy(storage_, &boxed, sizeof(boxed));
      thunk_ = &boxed_thunk<Fn>;
    }
  }

  // Handlers are trivially relocatable by construction; moving transfers ownership.
  Handler(Handler&& other) noexcept : thunk_(other.thunk_) {
    std::memcpy(storage_, other.storage_, inline_bytes);
    other.thunk_ = nullptr;
  }
  Handler& operator=(Handler&& other) noexcept {
    if (this != &other) {
      reset();
      thunk_ = other.thunk_;
      std::memcpy(storage_, other.storage_, inline_bytes);
      other.thunk_ = nullptr;
    }
    return *this;
  }
  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;
  ~Handler() { reset(); }

  explicit operator bool() const { return thunk_ != nullptr; }

  // Runs the callable once and leaves the handler empty.
  void operator()() {
    Thunk thunk = thunk_;
    thunk_ = nullptr;
    thunk(storage_, Op::run);
  }

  void reset() {
    if (thunk_ != nullptr) {
      Thunk thunk = thunk_;
      thunk_ = nullptr;
      thunk(storage_, Op::destroy);
    }
  }

 private:
  enum class Op { run, destroy };
  using Thunk = void (*)(void*, Op);

  template <class Fn>
  static void inline_thunk(void* storage, Op op) {
    if (op == Op::run) (*std::launder(static_cast<Fn*>(storage)))();
  }

  template <class Fn>
  static void boxed_thunk(void* storage, Op op) {
    Fn* boxed = nullptr;
    std::memcpy(&boxed, storage, sizeof(boxed));
    struct Deleter {
      Fn* p;
      ~Deleter() { delete p; }
    } deleter{boxed};
    if (op == Op::run) (*boxed)();
  }

  Thunk thunk_ = nullptr;
  alignas(void*) unsigned char storage_[inline_bytes];
};

}  // namespace sim
