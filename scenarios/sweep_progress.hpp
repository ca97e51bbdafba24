#pragma once
// Progress of a sweep on stderr: a bar with rate and ETA redrawn in place when stderr is a
// terminal, a plain line every few seconds otherwise (batch logs stay readable).

#include <chrono>
#include <cstddef>
#include <mutex>

namespace scenarios {

class SweepProgress {
 public:
  // `total` points, of which `already_done` were finished by an earlier run.
  SweepProgress(std::size_t total, std::size_t already_done, bool enabled = true);
  // One more point finished. Thread-safe.
  void point_done(bool ok);
  void finish();

 private:
  void draw(bool final_line);

  std::mutex mutex_;
  std::size_t total_;
  std::size_t already_done_;
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
  bool enabled_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace scenarios
