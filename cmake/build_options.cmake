# Build options beyond CMAKE_BUILD_TYPE. Each applies to every target of the project;
# dependencies found through find_package are included as system headers and so stay
# outside -Werror.

add_compile_options(-Wall -Wextra -Wno-missing-field-initializers)

# CI builds with warnings as errors (.ci/run); a user's build only reports them, so a
# newer compiler's new warning does not stop an install.
option(SIMFABRIC_WERROR "treat compiler warnings as errors" OFF)
if(SIMFABRIC_WERROR)
  add_compile_options(-Werror)
  # GCC's flow-based warnings come from the optimiser: they change with the -O level and
  # the compiler release, and GCC 12 raises them inside Boost and the standard library
  # once inlined into our code (Boost.Graph's named_graph in every Topology). They stay
  # warnings; everything the front end reports is an error.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-error=uninitialized -Wno-error=maybe-uninitialized -Wno-error=array-bounds
                        -Wno-error=stringop-overflow -Wno-error=stringop-overread -Wno-error=restrict
                        -Wno-error=dangling-pointer -Wno-error=use-after-free -Wno-error=free-nonheap-object)
  endif()
endif()

# `make sanitize`: every library, program, test and the Python module built with
# AddressSanitizer and UBSan. Undefined behaviour stops the program like a memory error
# does, so a test cannot pass over a report. GCC's `undefined` leaves out float-to-integer
# casts out of range, named here; the library's own checks (_GLIBCXX_ASSERTIONS) catch
# an index past a container's size that ASan cannot see inside its capacity.
option(SIMFABRIC_SANITIZE "build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(SIMFABRIC_SANITIZE)
  add_compile_options(-fsanitize=address,undefined,float-cast-overflow
                      -fno-sanitize-recover=undefined,float-cast-overflow
                      -fno-omit-frame-pointer -D_GLIBCXX_ASSERTIONS)
  add_link_options(-fsanitize=address,undefined)
endif()

# libFuzzer targets (tests/fuzz, `make fuzz`): clang only; instruments every library.
# Undefined behaviour (signed overflow, bad shifts, out-of-range float-to-integer casts,
# integer division by zero) stops the run as a finding, like a memory error.
option(SIMFABRIC_FUZZ "build libFuzzer targets with AddressSanitizer and UBSan (clang)" OFF)
if(SIMFABRIC_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
