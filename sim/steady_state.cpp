#include "sim/steady_state.hpp"

#include <algorithm>
#include <cmath>

namespace sim {

bool same_state(const StateDigest& a, const StateDigest& b, Tolerance tolerance) {
  if (a.words != b.words || a.values.size() != b.values.size()) return false;
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    const double x = a.values[i], y = b.values[i];
    if (std::abs(x - y) > tolerance.relative * std::max(std::abs(x), std::abs(y)) + tolerance.absolute) return false;
  }
  return true;
}

std::ptrdiff_t PeriodDetector::find(const StateDigest& now) const {
  for (std::size_t back = kept_.size(); back > 0; --back) {
    const StateDigest& h = kept_[back - 1];
    if (h.at > now.at || h.progress.size() != now.progress.size() || !same_state(h, now, tolerance_)) continue;
    const auto found = static_cast<std::ptrdiff_t>(back - 1);
    if (now.progress.empty()) return found;
    if (now.progress[0] <= h.progress[0]) continue;
    const std::uint64_t d = now.progress[0] - h.progress[0];
    bool uniform = true;
    for (std::size_t i = 1; i < now.progress.size() && uniform; ++i) uniform = now.progress[i] - h.progress[i] == d;
    if (uniform) return found;
  }
  return -1;
}

void PeriodDetector::keep(StateDigest digest) {
  kept_.push_back(std::move(digest));
  while (kept_.size() > depth_) kept_.pop_front();
}

}  // namespace sim
