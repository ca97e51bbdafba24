# Run by ctest (package_pip): pip install --target a scratch directory, then import the
# package and run the program from there with nothing else on the path.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(ENV{SIMFABRIC_SETUP_BASE} ${WORK_DIR}/setup)
set(ENV{PIP_NO_INDEX} 1)
execute_process(COMMAND ${PYTHON} -m pip install --no-build-isolation --no-deps --target ${WORK_DIR}/site ${SOURCE_DIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pip install failed (${rc}):\n${out}\n${err}")
endif()
set(ENV{PYTHONPATH} ${WORK_DIR}/site)
unset(ENV{SIMFABRIC_BIN})
execute_process(COMMAND ${PYTHON} -c
  "import simfabric, pathlib, sys; assert pathlib.Path(simfabric.__file__).is_relative_to(sys.argv[1]), simfabric.__file__"
  ${WORK_DIR}/site
  WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "import from ${WORK_DIR}/site failed:\n${err}")
endif()
execute_process(COMMAND ${PYTHON} -m simfabric --version WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^simfabric ")
  message(FATAL_ERROR "python -m simfabric --version: ${rc}\n${out}\n${err}")
endif()
message(STATUS "installed and ran: ${out}")
