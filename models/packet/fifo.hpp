#pragma once
// A FIFO of 32-bit ids on a power-of-two ring: the queues of ports, retransmissions and
// pulls hold millions of short-lived entries, and std::deque allocates per block.

#include <cstdint>
#include <vector>

namespace models::packet {

template <class T = std::uint32_t>
class Fifo {
 public:
  bool empty() const { return head_ == tail_; }
  std::size_t size() const { return tail_ - head_; }
  T& front() { return ring_[head_ & mask_]; }
  const T& front() const { return ring_[head_ & mask_]; }
  void pop() { ++head_; }
  void push(const T& v) {
    if (tail_ - head_ == ring_.size()) grow();
    ring_[tail_++ & mask_] = v;
  }
  void clear() { head_ = tail_ = 0; }

 private:
  void grow() {
    std::vector<T> bigger(ring_.empty() ? 8 : ring_.size() * 2);
    for (std::size_t i = 0; i < size(); ++i) bigger[i] = ring_[(head_ + i) & mask_];
    tail_ = size();
    head_ = 0;
    ring_.swap(bigger);
    mask_ = ring_.size() - 1;
  }
  std::vector<T> ring_;
  std::size_t mask_ = 0;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

}  // namespace models::packet
