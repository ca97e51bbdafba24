#include "models/network/time_buckets.hpp"

#include <algorithm>

namespace models::network {

std::pair<std::uint32_t, bool> TimeBuckets::add_slow(std::int64_t time_ps, bool activation, Entry entry) {
  const std::int64_t k = key(time_ps, activation);
  auto [it, fresh] = index_.try_emplace(k, 0);
  if (fresh) {
    const std::uint32_t b = buckets_.acquire();
    buckets_[b].time_ps = time_ps;
    buckets_[b].activation = activation;
    buckets_[b].order = 0;
    buckets_[b].entries.clear();
    it->second = b;
  }
  buckets_[it->second].entries.push_back(entry);
  last_key_ = k;
  last_ = it->second;
  return {it->second, fresh};
}

void TimeBuckets::close(std::uint32_t b) {
  const std::int64_t k = key(buckets_[b].time_ps, buckets_[b].activation);
  index_.erase(k);
  if (last_key_ == k) last_key_ = -1;
}

void TimeBuckets::release(std::uint32_t b) {
  buckets_[b].entries.clear();
  buckets_.release(b);
}

std::vector<std::uint32_t> TimeBuckets::pending_in_order() const {
  std::vector<std::uint32_t> order;
  order.reserve(index_.size());
  for (const auto& kv : index_) order.push_back(kv.second);
  std::sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
    const Bucket& x = buckets_[a];
    const Bucket& y = buckets_[b];
    return x.time_ps != y.time_ps ? x.time_ps < y.time_ps : x.order < y.order;
  });
  return order;
}

void TimeBuckets::shift(std::int64_t delta_ps) {
  std::unordered_map<std::int64_t, std::uint32_t> moved;
  moved.reserve(index_.size());
  for (const auto& [k, b] : index_) {
    buckets_[b].time_ps += delta_ps;
    moved.emplace(k + 2 * delta_ps, b);
  }
  index_ = std::move(moved);
  last_key_ = -1;
}

}  // namespace models::network
