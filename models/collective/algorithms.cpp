#include "models/collective/algorithms.hpp"

#include <bit>
#include <stdexcept>

namespace models::collective {

namespace {

double all_reduce_factor(std::uint32_t p) { return 2.0 * (p - 1) / p; }
double gather_factor(std::uint32_t p) { return static_cast<double>(p - 1) / p; }

class RingAllReduce final : public Program {
 public:
  RingAllReduce(std::uint32_t p, double n) : p_(p), n_(n) {}
  std::string name() const override { return "ring all-reduce"; }
  bool repeats_ops() const override { return true; }
  std::uint32_t ranks() const override { return p_; }
  std::uint64_t op_count(Agent) const override { return 2ull * (p_ - 1); }
  Op op(Agent r, std::uint64_t) const override { return Op{}.send((r + 1) % p_, n_ / p_).recv((r + p_ - 1) % p_); }
  double data_bytes() const override { return n_; }
  double bus_factor() const override { return all_reduce_factor(p_); }

 private:
  std::uint32_t p_;
  double n_;
};

// All-gather and reduce-scatter: p-1 ring steps of n/p.
class RingHalf final : public Program {
 public:
  RingHalf(std::uint32_t p, double n, bool gather) : p_(p), n_(n), gather_(gather) {}
  std::string name() const override { return gather_ ? "ring all-gather" : "ring reduce-scatter"; }
  bool repeats_ops() const override { return true; }
  std::uint32_t ranks() const override { return p_; }
  std::uint64_t op_count(Agent) const override { return p_ - 1; }
  Op op(Agent r, std::uint64_t) const override { return Op{}.send((r + 1) % p_, n_ / p_).recv((r + p_ - 1) % p_); }
  double data_bytes() const override { return n_; }
  double bus_factor() const override { return gather_factor(p_); }

 private:
  std::uint32_t p_;
  double n_;
  bool gather_;
};

class HalvingDoubling final : public Program {
 public:
  HalvingDoubling(std::uint32_t p, double n) : p_(p), n_(n), log_(std::countr_zero(p)) {}
  std::string name() const override { return "halving-doubling all-reduce"; }
  std::uint32_t ranks() const override { return p_; }
  std::uint64_t op_count(Agent) const override { return 2ull * log_; }
  Op op(Agent r, std::uint64_t k) const override {
    // Halving: partner at distance p/2, p/4, ... exchanges half of what is left; doubling
    // retraces the steps in reverse with growing pieces.
    const std::uint32_t step = k < log_ ? static_cast<std::uint32_t>(k) : static_cast<std::uint32_t>(2 * log_ - 1 - k);
    const Agent partner = r ^ (p_ >> (step + 1));
    const double bytes = n_ / static_cast<double>(2ull << step);
    return Op{}.send(partner, bytes).recv(partner);
  }
  double data_bytes() const override { return n_; }
  double bus_factor() const override { return all_reduce_factor(p_); }

 private:
  std::uint32_t p_;
  double n_;
  std::uint32_t log_;
};

// NCCL's double binary tree: two trees each reduce then broadcast half the data in
// chunks; a rank that is a leaf in one tree is interior in the other.
class DoubleBinaryTree final : public Program {
 public:
  DoubleBinaryTree(std::uint32_t p, double n, std::uint32_t chunks) : p_(p), n_(n), chunks_(chunks) {
    for (auto& t : parent_) t.assign(p, kNone);
    for (auto& t : children_) t.assign(2ull * p, kNone);
    build(0, 0, p, kNone);
    // The second tree is the first with ranks mirrored (even p) or shifted by one (odd).
    for (std::uint32_t r = 0; r < p; ++r) {
      const std::uint32_t m = map(r);
      parent_[1][m] = parent_[0][r] == kNone ? kNone : map(parent_[0][r]);
      for (int c = 0; c < 2; ++c) {
        const std::uint32_t child = children_[0][2ull * r + c];
        children_[1][2ull * m + c] = child == kNone ? kNone : map(child);
      }
    }
  }
  std::string name() const override { return "double binary tree all-reduce"; }
  std::uint32_t ranks() const override { return p_; }
  std::uint32_t agents() const override { return 2 * p_; }
  std::uint32_t rank_of(Agent a) const override { return a % p_; }
  std::uint64_t op_count(Agent) const override { return 2ull * chunks_; }
  Op op(Agent a, std::uint64_t k) const override {
    const std::uint32_t tree = a / p_, r = a % p_, base = tree * p_;
    const double bytes = n_ / 2.0 / chunks_;
    // Synchronous sends: a connection carries one chunk at a time, in order.
    Op o;
    o.overlap = false;
    const std::uint32_t up = parent_[tree][r];
    if (k < chunks_) {  // reduce towards the root
      for (int c = 0; c < 2; ++c) {
        if (children_[tree][2ull * r + c] != kNone) o.recv(base + children_[tree][2ull * r + c]);
      }
      if (up != kNone) o.send(base + up, bytes);
    } else {  // broadcast back down
      if (up != kNone) o.recv(base + up);
      for (int c = 0; c < 2; ++c) {
        if (children_[tree][2ull * r + c] != kNone) o.send(base + children_[tree][2ull * r + c], bytes);
      }
    }
    return o;
  }
  double data_bytes() const override { return n_; }
  double bus_factor() const override { return all_reduce_factor(p_); }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  std::uint32_t map(std::uint32_t r) const { return p_ % 2 == 0 ? p_ - 1 - r : (r + 1) % p_; }
  // In-order balanced tree over [lo, hi): the middle is the root of the range.
  void build(int tree, std::uint32_t lo, std::uint32_t hi, std::uint32_t parent) {
    if (lo >= hi) return;
    const std::uint32_t mid = lo + (hi - lo) / 2;
    parent_[tree][mid] = parent;
    if (parent != kNone) {
      auto* slot = &children_[tree][2ull * parent];
      (slot[0] == kNone ? slot[0] : slot[1]) = mid;
    }
    build(tree, lo, mid, mid);
    build(tree, mid + 1, hi, mid);
  }
  std::uint32_t p_;
  double n_;
  std::uint32_t chunks_;
  std::vector<std::uint32_t> parent_[2];
  std::vector<std::uint32_t> children_[2];
};

class ChainBroadcast final : public Program {
 public:
  ChainBroadcast(std::uint32_t p, double n, std::uint32_t chunks) : p_(p), n_(n), chunks_(chunks) {}
  std::string name() const override { return "pipelined chain broadcast"; }
  std::uint32_t ranks() const override { return p_; }
  std::uint64_t op_count(Agent) const override { return chunks_; }
  Op op(Agent r, std::uint64_t) const override {
    Op o;
    o.overlap = false;
    if (r > 0) o.recv(r - 1);
    if (r + 1 < p_) o.send(r + 1, n_ / chunks_);
    return o;
  }
  double data_bytes() const override { return n_; }
  double bus_factor() const override { return 1.0; }

 private:
  std::uint32_t p_;
  double n_;
  std::uint32_t chunks_;
};

class PairwiseAllToAll final : public Program {
 public:
  PairwiseAllToAll(std::uint32_t p, std::vector<double> bytes, double factor)
      : p_(p), bytes_(std::move(bytes)), factor_(factor) {
    for (std::uint32_t s = 0; s < p; ++s) {
      double row = 0.0;
      for (std::uint32_t d = 0; d < p; ++d) row += bytes_[static_cast<std::size_t>(s) * p + d];
      data_ = std::max(data_, row);
    }
  }
  std::string name() const override { return "pairwise all-to-all"; }
  std::uint32_t ranks() const override { return p_; }
  std::uint64_t op_count(Agent) const override { return p_ - 1; }
  Op op(Agent r, std::uint64_t k) const override {
    const Agent to = static_cast<Agent>((r + k + 1) % p_);
    const Agent from = static_cast<Agent>((r + p_ - (k + 1) % p_) % p_);
    return Op{}.send(to, bytes_[static_cast<std::size_t>(r) * p_ + to]).recv(from);
  }
  double data_bytes() const override { return data_; }
  double bus_factor() const override { return factor_; }

 private:
  std::uint32_t p_;
  std::vector<double> bytes_;
  double factor_;
  double data_ = 0.0;
};

class UniformAllToAll final : public Program {
 public:
  UniformAllToAll(std::uint32_t p, double n) : p_(p), n_(n) {}
  std::string name() const override { return "pairwise all-to-all"; }
  std::uint32_t ranks() const override { return p_; }
  std::uint64_t op_count(Agent) const override { return p_ - 1; }
  Op op(Agent r, std::uint64_t k) const override {
    return Op{}.send(static_cast<Agent>((r + k + 1) % p_), n_ / p_).recv(static_cast<Agent>((r + p_ - k - 1) % p_));
  }
  double data_bytes() const override { return n_; }
  double bus_factor() const override { return gather_factor(p_); }

 private:
  std::uint32_t p_;
  double n_;
};

class SendRecv final : public Program {
 public:
  explicit SendRecv(double n) : n_(n) {}
  std::string name() const override { return "send/recv"; }
  std::uint32_t ranks() const override { return 2; }
  std::uint64_t op_count(Agent) const override { return 1; }
  Op op(Agent r, std::uint64_t) const override { return r == 0 ? Op{}.send(1, n_) : Op{}.recv(0); }
  double data_bytes() const override { return n_; }
  double bus_factor() const override { return 1.0; }

 private:
  double n_;
};

// Rank = host * g + local index; three phases of ring steps.
class Hierarchical final : public Program {
 public:
  Hierarchical(std::uint32_t hosts, std::uint32_t g, double n) : h_(hosts), g_(g), n_(n) {}
  std::string name() const override { return "hierarchical all-reduce"; }
  std::uint32_t ranks() const override { return h_ * g_; }
  std::uint64_t op_count(Agent) const override { return 2ull * (g_ - 1) + 2ull * (h_ - 1); }
  Op op(Agent r, std::uint64_t k) const override {
    const std::uint32_t host = r / g_, local = r % g_;
    const std::uint64_t intra = g_ - 1, inter = 2ull * (h_ - 1);
    if (k < intra || k >= intra + inter) {
      return Op{}.send(host * g_ + (local + 1) % g_, n_ / g_).recv(host * g_ + (local + g_ - 1) % g_);
    }
    return Op{}.send(((host + 1) % h_) * g_ + local, n_ / g_ / h_).recv(((host + h_ - 1) % h_) * g_ + local);
  }
  double data_bytes() const override { return n_; }
  double bus_factor() const override { return all_reduce_factor(h_ * g_); }

 private:
  std::uint32_t h_, g_;
  double n_;
};

}  // namespace

std::unique_ptr<Program> make_program(const CollectiveParams& c) {
  const std::uint32_t p = c.ranks;
  if (p < 2) throw std::invalid_argument("collective: ranks must be at least 2");
  if (!(c.bytes >= 0.0)) throw std::invalid_argument("collective: bytes must not be negative");
  if (c.chunks < 1) throw std::invalid_argument("collective: chunks must be at least 1");
  switch (c.algorithm) {
    case Algorithm::ring_allreduce: return std::make_unique<RingAllReduce>(p, c.bytes);
    case Algorithm::tree_allreduce: return std::make_unique<DoubleBinaryTree>(p, c.bytes, c.chunks);
    case Algorithm::halving_doubling:
      if (!std::has_single_bit(p)) {
        throw std::invalid_argument("collective: halving_doubling needs a power-of-two rank count, got " +
                                    std::to_string(p));
      }
      return std::make_unique<HalvingDoubling>(p, c.bytes);
    case Algorithm::hierarchical_allreduce:
      if (c.ranks_per_host < 1 || p % c.ranks_per_host != 0 || p / c.ranks_per_host < 1) {
        throw std::invalid_argument("collective: hierarchical_allreduce needs ranks divisible by ranks_per_host");
      }
      return std::make_unique<Hierarchical>(p / c.ranks_per_host, c.ranks_per_host, c.bytes);
    case Algorithm::ring_allgather: return std::make_unique<RingHalf>(p, c.bytes, true);
    case Algorithm::ring_reduce_scatter: return std::make_unique<RingHalf>(p, c.bytes, false);
    case Algorithm::broadcast: return std::make_unique<ChainBroadcast>(p, c.bytes, c.chunks);
    case Algorithm::alltoall: return std::make_unique<UniformAllToAll>(p, c.bytes);
    case Algorithm::sendrecv:
      if (p != 2) throw std::invalid_argument("collective: sendrecv runs on exactly 2 ranks");
      return std::make_unique<SendRecv>(c.bytes);
  }
  throw std::invalid_argument("collective: unknown algorithm");
}

std::unique_ptr<Program> make_alltoall(std::uint32_t ranks, std::vector<double> bytes, double bus_factor) {
  if (ranks < 2) throw std::invalid_argument("all-to-all: ranks must be at least 2");
  if (bytes.size() != static_cast<std::size_t>(ranks) * ranks) {
    throw std::invalid_argument("all-to-all: need ranks * ranks byte counts");
  }
  return std::make_unique<PairwiseAllToAll>(ranks, std::move(bytes), bus_factor);
}

}  // namespace models::collective
