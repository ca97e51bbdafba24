#pragma once
// The durable record of finished points, kept in a directory beside the output file
// (OUT.h5.parts/). Every process that runs points appends to a journal file of its own,
// one JSON line per finished point, flushed to the kernel at once (so SIGKILL loses
// nothing) and fsync'd in groups (so a power cut loses at most the last fraction of a
// second). A torn last line is ignored when reading; its point simply runs again.
// Files are never shared between writers, so it works on cluster file systems too.

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "scenarios/sweep.hpp"

namespace scenarios {

std::filesystem::path parts_directory(const std::filesystem::path& output);

// Creates the parts directory for `sweep` or checks that an existing one belongs to the
// same plan (ScenarioError otherwise: results of another sweep are never mixed in).
void claim_parts_directory(const std::filesystem::path& parts, const Sweep& sweep);

// parts/details, created, when the sweep keeps per-point details; empty otherwise.
std::filesystem::path details_directory(const std::filesystem::path& parts, const Sweep& sweep);

// Every journaled point, by index; a point journaled twice keeps its first record.
std::map<std::int64_t, PointResult> read_journals(const std::filesystem::path& parts);

class JournalWriter {
 public:
  explicit JournalWriter(const std::filesystem::path& parts);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Thread-safe.
  void append(const PointResult& result);
  // fsync now.
  void sync();

 private:
  std::mutex mutex_;
  int fd_ = -1;
  std::filesystem::path path_;
  std::int64_t last_sync_ns_ = 0;
};

std::string to_json_line(const PointResult& result);
// Empty optional-like: returns false for a torn or foreign line.
bool from_json_line(const std::string& line, PointResult& result);

}  // namespace scenarios
