#include "scenarios/sweep_progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace scenarios {

namespace {
std::string duration_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", s / 3600, s / 60 % 60);
  } else if (s >= 60) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%llds", s);
  }
  return buffer;
}
}  // namespace

SweepProgress::SweepProgress(std::size_t total, std::size_t already_done, bool enabled)
    : total_(total), already_done_(already_done), enabled_(enabled), tty_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void SweepProgress::point_done(bool ok) {
  std::lock_guard lock(mutex_);
  ++done_;
  if (!ok) ++failed_;
  const auto now = std::chrono::steady_clock::now();
  const auto interval = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(10'000);
  if (now - last_draw_ >= interval) {
    last_draw_ = now;
    draw(false);
  }
}

void SweepProgress::finish() {
  std::lock_guard lock(mutex_);
  draw(true);
}

void SweepProgress::draw(bool final_line) {
  if (!enabled_) return;
  const std::size_t finished = already_done_ + done_;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const std::size_t left = total_ - finished;
  const std::string eta = rate > 0 ? duration_text(static_cast<double>(left) / rate) : "?";
  const double fraction = total_ > 0 ? static_cast<double>(finished) / static_cast<double>(total_) : 1.0;
  if (tty_) {
    constexpr int kWidth = 30;
    std::string bar(kWidth, ' ');
    for (int i = 0; i < static_cast<int>(fraction * kWidth); ++i) bar[static_cast<std::size_t>(i)] = '#';
    std::fprintf(stderr, "\r[%s] %zu/%zu %3.0f%% %.1f pt/s ETA %s failed %zu   ", bar.c_str(), finished, total_,
                 100 * fraction, rate, final_line ? "0s" : eta.c_str(), failed_);
    if (final_line) std::fprintf(stderr, "\n");
  } else {
    std::fprintf(stderr, "sweep: %zu/%zu points (%.0f%%), %.1f points/s, %s %s, %zu failed\n", finished, total_,
                 100 * fraction, rate, final_line ? "elapsed" : "ETA",
                 final_line ? duration_text(elapsed).c_str() : eta.c_str(), failed_);
  }
  std::fflush(stderr);
}

}  // namespace scenarios
