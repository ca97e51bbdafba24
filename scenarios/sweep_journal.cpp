#include "scenarios/sweep_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>

#include "sim/input_file.hpp"

namespace scenarios {

namespace {

constexpr std::int64_t kSyncIntervalNs = 200'000'000;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string hex(std::uint64_t x) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(x));
  return buffer;
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

void write_all(int fd, const std::string& data, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write " + path.string());
    done += static_cast<std::size_t>(n);
  }
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

std::filesystem::path parts_directory(const std::filesystem::path& output) {
  std::filesystem::path parts = output;
  parts += ".parts";
  return parts;
}

void claim_parts_directory(const std::filesystem::path& parts, const Sweep& sweep) {
  const auto stamp = parts / "sweep.json";
  const nlohmann::json expected{
      {"fingerprint", hex(sweep.fingerprint)}, {"points", sweep.points.size()}, {"sweep", sweep.file}};
  if (std::filesystem::exists(std::filesystem::symlink_status(stamp))) {
    const auto found = nlohmann::json::parse(sim::read_input_file(stamp, 1 << 20, "sweep stamp"), nullptr, false);
    if (found.is_discarded() || found.value("fingerprint", "") != expected["fingerprint"]) {
      throw ScenarioError({{sweep.file, 0, "",
                            "results in " + parts.string() +
                                " belong to a different sweep plan (the sweep or its base scenario changed); "
                                "remove that directory or choose another output"}});
    }
    return;
  }
  std::filesystem::create_directories(parts);
  const auto temp = parts / ("sweep.json.tmp-" + std::to_string(::getpid()));
  {
    std::ofstream out(temp);
    out << expected.dump(2) << "\n";
    if (!out) throw std::runtime_error("cannot write " + temp.string());
  }
  std::filesystem::rename(temp, stamp);
  sync_directory(parts);
}

std::filesystem::path details_directory(const std::filesystem::path& parts, const Sweep& sweep) {
  if (!sweep.details) return {};
  const auto dir = parts / "details";
  std::filesystem::create_directories(dir);
  return dir;
}

std::string to_json_line(const PointResult& result) {
  nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
  for (const auto& m : result.metrics) {
    // JSON has no NaN or infinity; they travel as strings.
    nlohmann::ordered_json value =
        std::isfinite(m.value) ? nlohmann::ordered_json(m.value) : nlohmann::ordered_json(std::to_string(m.value));
    metrics.push_back({m.name, value, m.unit});
  }
  nlohmann::ordered_json line{{"point", result.index}, {"seed", result.seed},     {"ok", result.ok},
                              {"error", result.error}, {"wall_s", result.wall_s}, {"metrics", metrics}};
  return line.dump() + "\n";
}

bool from_json_line(const std::string& line, PointResult& result) {
  const auto json = nlohmann::json::parse(line, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("point") || !json.contains("metrics")) return false;
  try {
    result.index = json.at("point").get<std::int64_t>();
    result.seed = json.at("seed").get<std::uint64_t>();
    result.ok = json.at("ok").get<bool>();
    result.error = json.at("error").get<std::string>();
    result.wall_s = json.at("wall_s").get<double>();
    result.metrics.clear();
    for (const auto& m : json.at("metrics")) {
      const auto& value = m.at(1);
      const double x = value.is_number() ? value.get<double>() : std::strtod(value.get<std::string>().c_str(), nullptr);
      result.metrics.push_back({m.at(0).get<std::string>(), x, m.at(2).get<std::string>()});
    }
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return true;
}

std::map<std::int64_t, PointResult> read_journals(const std::filesystem::path& parts) {
  std::map<std::int64_t, PointResult> done;
  if (!std::filesystem::is_directory(parts)) return done;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(parts)) {
    if (entry.path().extension() != ".jsonl") continue;
    // Journals are written here; anything else under their name (a FIFO, a link to a
    // device) would block or never end.
    if (!entry.is_regular_file() || entry.is_symlink()) {
      throw std::invalid_argument("sweep journal " + entry.path().string() + ": not a regular file");
    }
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // the same record wins whatever the listing order
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // no newline: a torn last record
      PointResult result;
      if (from_json_line(line, result)) done.emplace(result.index, std::move(result));
    }
  }
  return done;
}

JournalWriter::JournalWriter(const std::filesystem::path& parts) {
  // A name no other process (here or on another node, now or after a restart) picks.
  char host[256] = "host";
  ::gethostname(host, sizeof host - 1);
  std::random_device entropy;
  const std::uint64_t nonce = (static_cast<std::uint64_t>(entropy()) << 32) ^ entropy();
  path_ = parts / (std::string(host) + "-" + std::to_string(::getpid()) + "-" + hex(nonce) + ".jsonl");
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("cannot create journal " + path_.string());
  sync_directory(parts);
  last_sync_ns_ = now_ns();
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) {
    ::fsync(fd_);
    ::close(fd_);
  }
}

void JournalWriter::append(const PointResult& result) {
  const std::string line = to_json_line(result);
  std::lock_guard lock(mutex_);
  write_all(fd_, line, path_);  // one write per record: in the kernel once it returns
  if (now_ns() - last_sync_ns_ >= kSyncIntervalNs) {
    ::fdatasync(fd_);
    last_sync_ns_ = now_ns();
  }
}

void JournalWriter::sync() {
  std::lock_guard lock(mutex_);
  ::fsync(fd_);
  last_sync_ns_ = now_ns();
}

}  // namespace scenarios
