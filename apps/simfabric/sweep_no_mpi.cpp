// Built when CMake found no MPI: the mpi back end explains what is missing.

#include <stdexcept>

#include "apps/simfabric/sweep_mpi.hpp"

namespace app {

int run_sweep_mpi(const scenarios::Sweep&, const std::filesystem::path&, bool) {
  throw std::runtime_error(
      "this simfabric was built without MPI; install Open MPI (scripts/install-deps.sh) and rebuild");
}

}  // namespace app
