#pragma once
// A collective as a dependency graph of transfers, generated on demand: every agent (a
// rank, or one channel of a rank) runs a sequence of operations, and an operation's
// transfers depend on the previous operation of the same agent and on the matching
// messages from its peers. Programs generate operations lazily, so a 16,384-rank ring
// all-reduce never holds its 5e8 transfers in memory.

#include <array>
#include <cstdint>
#include <string>

#include "sim/time.hpp"

namespace models::collective {

using Agent = std::uint32_t;

struct Send {
  Agent to = 0;
  double bytes = 0.0;
};

struct Op {
  std::uint8_t n_recv = 0;
  std::uint8_t n_send = 0;
  std::array<Agent, 2> recv_from{};
  std::array<Send, 2> sends{};
  // true: sends start with the operation, concurrently with the receives (a ring step).
  // false: receive, then compute, then send (a tree or pipeline stage).
  bool overlap = true;
  // true: the operation ends once its sends are started; they only have to arrive
  // before the agent finishes (computation overlaps communication).
  bool async_sends = false;
  sim::Time compute;  // after the receives

  Op& recv(Agent from) {
    recv_from[n_recv++] = from;
    return *this;
  }
  Op& send(Agent to, double bytes) {
    sends[n_send++] = Send{to, bytes};
    return *this;
  }
};

class Program {
 public:
  virtual ~Program() = default;
  virtual std::string name() const = 0;
  virtual std::uint32_t ranks() const = 0;
  virtual std::uint32_t agents() const { return ranks(); }
  virtual std::uint32_t rank_of(Agent a) const { return a; }
  virtual std::uint64_t op_count(Agent a) const = 0;
  virtual Op op(Agent a, std::uint64_t k) const = 0;
  // True when op(a, k) does not depend on k: the runner may then skip steps that repeat
  // exactly (steady-state extrapolation).
  virtual bool repeats_ops() const { return false; }
  // NCCL: algbw = data_bytes / time; busbw = algbw * bus_factor.
  virtual double data_bytes() const = 0;
  virtual double bus_factor() const = 0;
};

}  // namespace models::collective
