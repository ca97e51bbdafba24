#!/usr/bin/env bash
# Installs the Debian 12 packages simfabric needs to build, test and run.
# Uses sudo when not root; does nothing when every package is already present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libboost-graph-dev
  libeigen3-dev libhdf5-dev libtbb-dev
  pybind11-dev doctest-dev
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libfmt-dev libspdlog-dev libcsv-dev
  python3-dev python3-numpy python3-h5py python3-pytest python3-pandas
  # analysis plots and sweep arrays; `pip install --no-build-isolation .` offline
  python3-matplotlib python3-xarray python3-setuptools python3-wheel python3-pip
  # sweeps on clusters: the MPI back end, and a one-node Slurm the tests start
  openmpi-bin libopenmpi-dev slurm-wlm munge
  # the scenario-loader fuzz target (make fuzz): clang with libFuzzer
  clang libclang-rt-14-dev
  # make format / format-check / tidy
  clang-format-14 clang-tidy-14
)

# Optional peers for `make bench`: ns-3 and SimPy; wrk drives the estimation service.
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(libns3-dev python3-simpy wrk)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ "$(id -u)" != 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  sudo=sudo
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
