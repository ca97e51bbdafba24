#pragma once
// The MPI back end of `simfabric sweep run`: started under mpirun, rank 0 hands out
// missing point indices one at a time to the other ranks and to a thread of its own
// (dynamic balance: points differ in cost), each rank journals what it ran, and rank 0
// assembles the results file.

#include <filesystem>

#include "scenarios/sweep.hpp"

namespace app {

// Returns the process exit code. Without MPI in this build, throws std::runtime_error.
int run_sweep_mpi(const scenarios::Sweep& sweep, const std::filesystem::path& output, bool progress);

}  // namespace app
