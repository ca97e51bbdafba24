#include "apps/simfabric/sweep_mpi.hpp"

#include <mpi.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "scenarios/sweep_journal.hpp"
#include "scenarios/sweep_progress.hpp"
#include "scenarios/sweep_runner.hpp"

namespace app {

namespace {

constexpr int kTagRequest = 1;  // worker -> rank 0: {finished index or -1, ok}
constexpr int kTagAssign = 2;   // rank 0 -> worker: next index, or -1 to stop

// Rank 0: answers every request with the next missing point until none are left, then
// with -1 once per worker, and runs points itself on a second thread meanwhile (so -np N
// gives N workers). Only this thread calls MPI (MPI_THREAD_FUNNELED); it polls rather
// than blocks in MPI_Recv, which would spin a core that the local worker needs.
void coordinate(const scenarios::Sweep& sweep, const std::filesystem::path& parts,
                const std::vector<std::int64_t>& missing, std::size_t already_done, int remote_workers,
                bool progress_enabled) {
  scenarios::SweepProgress progress(sweep.points.size(), already_done, progress_enabled);
  std::mutex mutex;
  std::size_t next = 0;
  const auto take = [&]() -> std::int64_t {
    std::lock_guard lock(mutex);
    return next < missing.size() ? missing[next++] : -1;
  };
  const auto details = scenarios::details_directory(parts, sweep);
  std::exception_ptr local_error;
  std::thread local([&] {
    try {
      std::optional<scenarios::JournalWriter> journal;
      for (std::int64_t index = take(); index >= 0; index = take()) {
        const auto result = scenarios::run_point(sweep, index, details);
        if (!journal) journal.emplace(parts);
        journal->append(result);
        progress.point_done(result.ok);
      }
    } catch (...) {
      local_error = std::current_exception();  // rethrown on this rank's main thread
    }
  });
  int running = remote_workers;
  while (running > 0) {
    int waiting = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &waiting, &status);
    if (!waiting) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    std::array<std::int64_t, 2> report{};
    MPI_Recv(report.data(), 2, MPI_INT64_T, status.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (report[0] >= 0) progress.point_done(report[1] != 0);
    const std::int64_t assign = take();
    if (assign < 0) --running;
    MPI_Send(&assign, 1, MPI_INT64_T, status.MPI_SOURCE, kTagAssign, MPI_COMM_WORLD);
  }
  local.join();
  if (local_error) std::rethrow_exception(local_error);
  progress.finish();
}

void work(const scenarios::Sweep& sweep, const std::filesystem::path& parts) {
  std::optional<scenarios::JournalWriter> journal;  // created on the first point only
  const auto details = scenarios::details_directory(parts, sweep);
  std::array<std::int64_t, 2> report{-1, 0};
  while (true) {
    MPI_Send(report.data(), 2, MPI_INT64_T, 0, kTagRequest, MPI_COMM_WORLD);
    std::int64_t index = -1;
    MPI_Recv(&index, 1, MPI_INT64_T, 0, kTagAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (index < 0) break;
    const auto result = scenarios::run_point(sweep, index, details);
    if (!journal) journal.emplace(parts);
    journal->append(result);  // journaled before rank 0 hears of it
    report = {index, result.ok ? 1 : 0};
  }
  if (journal) journal->sync();
}

// Throws on bad input or I/O errors; the caller turns that into MPI_Abort.
int run_ranks(const scenarios::Sweep& sweep, const std::filesystem::path& output, int rank, int size, bool progress) {
  const auto parts = scenarios::parts_directory(output);
  if (size == 1) {  // not under mpirun: run here, on one thread
    scenarios::LocalRunOptions options;
    options.progress = progress;
    scenarios::run_local(sweep, output, options);
  } else {
    std::vector<std::int64_t> missing;
    std::size_t already_done = 0;
    if (rank == 0) {
      scenarios::claim_parts_directory(parts, sweep);
      const auto done = scenarios::read_journals(parts);
      already_done = done.size();
      missing = scenarios::missing_points(sweep, done);
    }
    MPI_Barrier(MPI_COMM_WORLD);  // the parts directory exists before any rank journals
    if (rank == 0) {
      coordinate(sweep, parts, missing, already_done, size - 1, progress);
    } else {
      work(sweep, parts);
    }
    MPI_Barrier(MPI_COMM_WORLD);  // every journal is closed before assembly
  }
  if (rank != 0) return 0;
  const std::size_t missing = scenarios::collect_results(sweep, output).missing;
  if (missing > 0) {
    std::cerr << "simfabric: " << missing << " points still missing; run the same command again\n";
    return 1;
  }
  std::cerr << "sweep: results written to " << output.string() << "\n";
  return 0;
}

}  // namespace

int run_sweep_mpi(const scenarios::Sweep& sweep, const std::filesystem::path& output, bool progress) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int exit_code = 0;
  try {
    exit_code = run_ranks(sweep, output, rank, size, progress);
  } catch (const scenarios::ScenarioError& e) {
    std::cerr << "simfabric: invalid sweep:\n" << e.what() << "\n";
    MPI_Abort(MPI_COMM_WORLD, 2);  // the other ranks would wait forever
  } catch (const std::exception& e) {
    std::cerr << "simfabric: rank " << rank << ": error: " << e.what() << "\n";
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return exit_code;
}

}  // namespace app
