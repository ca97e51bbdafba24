#pragma once

namespace sim {

// A visitor built from lambdas, for std::visit over the variants the models use.
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
// Spelled out for compilers without aggregate deduction (clang 14, used by `make fuzz`).
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace sim
