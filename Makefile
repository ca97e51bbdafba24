# simfabric: `make demo` and `make test` work on a fresh Debian 12 clone; both install
# the system packages they need first (scripts/install-deps.sh, sudo when not root).

BUILD_DIR ?= build
PYTHON    := /usr/bin/python3
JOBS      ?= $(shell nproc)
CTEST_ARGS ?=

CMAKE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(PYTHON)

.PHONY: all build deps demo test test-cpp test-python bench bench-deps heavy fuzz clean help

all: build

help:
	@echo "make demo     install packages, build, run the default scenario"
	@echo "make test     install packages, build, run every C++ and Python test"
	@echo "make build    configure and build into $(BUILD_DIR)/ (default target)"
	@echo "make bench    run the benchmarks against peers (installs ns-3 and SimPy)"
	@echo "make heavy    run the long tests labelled 'heavy'"
	@echo "make fuzz     build the scenario-loader, topology and serve fuzz targets (clang) and run each ~20 s"
	@echo "make clean    remove $(BUILD_DIR)/"

deps:
	@scripts/install-deps.sh

bench-deps:
	@scripts/install-deps.sh --bench

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	$(BUILD_DIR)/bin/simfabric run scenarios/fabric/ring_allreduce_1024.toml -o $(BUILD_DIR)/demo.h5

test: build test-cpp test-python

test-cpp:
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -LE heavy $(CTEST_ARGS)

test-python:
	PYTHONPATH=$(CURDIR)/$(BUILD_DIR)/python SIMFABRIC_BIN=$(CURDIR)/$(BUILD_DIR)/bin/simfabric \
	  $(PYTHON) -m pytest -q tests/python

heavy: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L heavy $(CTEST_ARGS)

bench: bench-deps build
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null && cmake --build $(BUILD_DIR) -j $(JOBS)
	PYTHONPATH=$(CURDIR)/$(BUILD_DIR)/python $(PYTHON) bench/run_all.py --build-dir $(BUILD_DIR)

# Not part of `make test`: the sanitizer build alone takes longer than the fuzz run.
fuzz: deps
	tests/fuzz/run_fuzz.sh

clean:
	rm -rf $(BUILD_DIR) build-fuzz
