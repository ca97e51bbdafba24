# simfabric: `make demo` and `make test` work on a fresh Debian 12 clone; both install
# the system packages they need first (scripts/install-deps.sh, sudo when not root).

BUILD_DIR ?= build
PYTHON    := /usr/bin/python3
JOBS      ?= $(shell nproc)
CTEST_ARGS ?=
# WERROR=ON makes compiler warnings errors (CI sets it); it takes effect when a build
# directory is configured, so on a fresh one.
WERROR    ?= OFF
SANITIZE_DIR ?= build-sanitize
CLANG_FORMAT ?= clang-format-14
CLANG_TIDY   ?= clang-tidy-14

CMAKE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(PYTHON) -DSIMFABRIC_WERROR=$(WERROR)
# The C++ sources that format and tidy cover: every tracked one.
CXX_SOURCES = $(shell git ls-files '*.cpp' '*.hpp' '*.h')

.PHONY: all build deps demo test test-cpp test-python bench bench-deps heavy fuzz sanitize \
        format format-check tidy clean help

all: build

help:
	@echo "make demo     install packages, build, run the default scenario"
	@echo "make test     install packages, build, run every C++ and Python test"
	@echo "make build    configure and build into $(BUILD_DIR)/ (default target)"
	@echo "make bench    run the benchmarks against peers (installs ns-3 and SimPy)"
	@echo "make heavy    run the long tests labelled 'heavy'"
	@echo "make fuzz     build the scenario-loader, topology and serve fuzz targets (clang) and run each ~20 s"
	@echo "make sanitize build everything with ASan + UBSan in $(SANITIZE_DIR)/, run the C++ and Python tests"
	@echo "make format   rewrite the C++ sources with clang-format (.clang-format)"
	@echo "make format-check  fail if any C++ source differs from clang-format's layout"
	@echo "make tidy     run clang-tidy (.clang-tidy) over the C++ sources"
	@echo "make clean    remove $(BUILD_DIR)/ and the other build directories"

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
	SIMFABRIC_WERROR=$(WERROR) tests/fuzz/run_fuzz.sh

# AddressSanitizer + UBSan (GCC, -O1) over the test suite of `make test`. The C++ tests
# run as built, leak checking included. The Python tests load the instrumented module
# into the system interpreter, which is not instrumented: the ASan runtime has to be the
# first library loaded (LD_PRELOAD), with the C++ runtime right after it so that ASan
# finds the real __cxa_throw when it starts (else every C++ exception aborts), and leak
# checking is off there because CPython keeps its interned objects alive to the end by
# design. The command-line program the Python tests start is instrumented itself.
# LDFLAGS reaches the one test that configures a program against the installed
# (instrumented) libraries.
SANITIZE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
  -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DSIMFABRIC_SANITIZE=ON -DPython_EXECUTABLE=$(PYTHON)
ASAN_CHECKS := check_initialization_order=1:strict_init_order=1
# SIMFABRIC_SANITIZED tells the tests that measure the process itself (peak memory) that
# they would measure the sanitizer's shadow memory instead.
SANITIZE_CXX = $$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' $(SANITIZE_DIR)/CMakeCache.txt)
SANITIZE_ENV := UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SIMFABRIC_SANITIZED=1

sanitize: deps
	@test -f $(SANITIZE_DIR)/build.ninja || cmake -S . -B $(SANITIZE_DIR) $(SANITIZE_FLAGS)
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	$(SANITIZE_ENV) ASAN_OPTIONS=$(ASAN_CHECKS) LDFLAGS=-fsanitize=address,undefined \
	  ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j $(JOBS) -LE heavy $(CTEST_ARGS)
	$(SANITIZE_ENV) ASAN_OPTIONS=$(ASAN_CHECKS):detect_leaks=0 \
	  LD_PRELOAD="$$($(SANITIZE_CXX) -print-file-name=libasan.so) $$($(SANITIZE_CXX) -print-file-name=libstdc++.so)" \
	  PYTHONPATH=$(CURDIR)/$(SANITIZE_DIR)/python SIMFABRIC_BIN=$(CURDIR)/$(SANITIZE_DIR)/bin/simfabric \
	  $(PYTHON) -m pytest -q tests/python

format:
	$(CLANG_FORMAT) -i $(CXX_SOURCES)

format-check:
	$(CLANG_FORMAT) --dry-run --Werror $(CXX_SOURCES)

# Compile commands of a configure-only directory without precompiled headers (clang
# cannot read GCC's); nothing is built there.
TIDY_DIR ?= build-tidy
tidy: deps
	cmake -S . -B $(TIDY_DIR) $(CMAKE_FLAGS) -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON >/dev/null
	run-clang-tidy-14 -quiet -clang-tidy-binary $(CLANG_TIDY) -p $(TIDY_DIR) -j $(JOBS) \
	  '^$(CURDIR)/(apps|bench|bindings|models|scenarios|sim|tests|topologies)/.*\.cpp$$'

clean:
	rm -rf $(BUILD_DIR) build-fuzz $(SANITIZE_DIR) $(TIDY_DIR)
