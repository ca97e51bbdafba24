#pragma once
// The Slurm back end: a job array whose task k runs points [k*C, (k+1)*C) of the sweep
// with `simfabric sweep run-point`, journaling into OUT.h5.parts/ on the shared file
// system. Only chunks that still have missing points are submitted, so re-submitting
// after a failure or a cancelled job runs only what is missing.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "scenarios/sweep.hpp"

namespace scenarios {

struct SlurmOptions {
  std::string program;                  // absolute path of simfabric on the compute nodes
  std::int64_t chunk_size = 0;          // points per array task; 0: about 100 tasks
  int workers_per_task = 1;             // threads (and --cpus-per-task) per array task
  std::string partition;                // empty: the cluster's default
  std::string time_limit;               // e.g. "00:30:00"; empty: the partition's default
  std::string memory;                   // e.g. "2G"; empty: the partition's default
  std::vector<std::string> extra_args;  // more #SBATCH lines, e.g. "--account=proj"
};

struct SlurmJob {
  std::filesystem::path script;
  std::string job_id;  // empty when nothing was missing
  std::int64_t tasks = 0;
  int sbatch_status = 0;
};

// The array indices ("0-3,7") of the chunks with missing points.
std::string array_spec(const std::vector<std::int64_t>& missing, std::int64_t chunk_size);

// Writes OUT.h5.parts/slurm/sweep.sbatch for the missing points and submits it.
SlurmJob submit_slurm(const Sweep& sweep, const std::filesystem::path& output, const SlurmOptions& options);

// Polls squeue until no task of the job is pending or running, calling `on_poll` each
// time (progress). sbatch --wait would poll with a back-off of up to 10 s.
void wait_for_slurm_job(const std::string& job_id, const std::function<void()>& on_poll = {});

}  // namespace scenarios
