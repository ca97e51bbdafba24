#include "scenarios/sweep_slurm.hpp"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "scenarios/sweep_journal.hpp"
#include "scenarios/sweep_runner.hpp"

namespace scenarios {

namespace {

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string script_text(const Sweep& sweep, const std::filesystem::path& output, const SlurmOptions& options,
                        const std::string& array, std::int64_t chunk, const std::filesystem::path& log_dir) {
  std::string s = "#!/bin/bash\n";
  s += "#SBATCH --job-name=simfabric-sweep\n";
  s += "#SBATCH --array=" + array + "\n";
  s += "#SBATCH --output=" + (log_dir / "%A_%a.out").string() + "\n";
  s += "#SBATCH --cpus-per-task=" + std::to_string(options.workers_per_task) + "\n";
  if (!options.partition.empty()) s += "#SBATCH --partition=" + options.partition + "\n";
  if (!options.time_limit.empty()) s += "#SBATCH --time=" + options.time_limit + "\n";
  if (!options.memory.empty()) s += "#SBATCH --mem=" + options.memory + "\n";
  for (const auto& arg : options.extra_args) s += "#SBATCH " + arg + "\n";
  s += "# Written by `simfabric sweep run --backend slurm`: array task k runs points\n";
  s += "# [k*" + std::to_string(chunk) + ", (k+1)*" + std::to_string(chunk) +
       ") that are not yet journaled. Results: `simfabric sweep collect`.\n";
  s += "set -euo pipefail\n";
  s += "first=$(( SLURM_ARRAY_TASK_ID * " + std::to_string(chunk) + " ))\n";
  s += "last=$(( first + " + std::to_string(chunk - 1) + " ))\n";
  s += "exec " + shell_quote(options.program) + " sweep run-point " + shell_quote(sweep.file) +
       " --point \"$first\" --last \"$last\" --workers " + std::to_string(options.workers_per_task) + " -o " +
       shell_quote(output.string()) + "\n";
  return s;
}

// Runs a shell command; returns its stdout without the trailing newline.
std::string command_output(const std::string& command, int& exit_status) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  const int status = ::pclose(pipe);
  exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

std::string array_spec(const std::vector<std::int64_t>& missing, std::int64_t chunk_size) {
  std::vector<std::int64_t> chunks;
  for (const std::int64_t index : missing) {
    const std::int64_t chunk = index / chunk_size;
    if (chunks.empty() || chunks.back() != chunk) chunks.push_back(chunk);
  }
  std::string spec;
  for (std::size_t i = 0; i < chunks.size();) {
    std::size_t j = i;
    while (j + 1 < chunks.size() && chunks[j + 1] == chunks[j] + 1) ++j;
    if (!spec.empty()) spec += ',';
    spec += std::to_string(chunks[i]);
    if (j > i) {
      spec += '-';
      spec += std::to_string(chunks[j]);
    }
    i = j + 1;
  }
  return spec;
}

SlurmJob submit_slurm(const Sweep& sweep, const std::filesystem::path& output, const SlurmOptions& options) {
  const auto parts = parts_directory(output);
  claim_parts_directory(parts, sweep);
  const auto missing = missing_points(sweep, read_journals(parts));
  const auto points = static_cast<std::int64_t>(sweep.points.size());
  const std::int64_t chunk =
      options.chunk_size > 0 ? options.chunk_size : std::max<std::int64_t>(1, (points + 99) / 100);
  SlurmJob job;
  const auto log_dir = parts / "slurm";
  std::filesystem::create_directories(log_dir);
  job.script = log_dir / "sweep.sbatch";
  if (missing.empty()) return job;
  {
    std::ofstream out(job.script);
    out << script_text(sweep, output, options, array_spec(missing, chunk), chunk, log_dir);
    if (!out) throw std::runtime_error("cannot write " + job.script.string());
  }
  for (std::size_t i = 0; i < missing.size(); ++i) {
    if (i == 0 || missing[i] / chunk != missing[i - 1] / chunk) ++job.tasks;
  }
  const std::string command = std::string("sbatch --parsable ") + shell_quote(job.script.string());
  job.job_id = command_output(command, job.sbatch_status);
  if (const auto semicolon = job.job_id.find(';'); semicolon != std::string::npos) job.job_id.resize(semicolon);
  if (job.job_id.empty() || job.sbatch_status != 0) {
    throw std::runtime_error("sbatch did not submit " + job.script.string() + " (exit status " +
                             std::to_string(job.sbatch_status) + "); is Slurm reachable from here?");
  }
  return job;
}

void wait_for_slurm_job(const std::string& job_id, const std::function<void()>& on_poll) {
  auto pause = std::chrono::milliseconds(200);
  while (true) {
    int status = 0;
    const std::string listed = command_output("squeue -h -o %T -j " + job_id + " 2>/dev/null", status);
    if (on_poll) on_poll();
    if (listed.empty()) return;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace scenarios
