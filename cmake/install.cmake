# `cmake --install build --prefix P`: the libraries (as simfabric::<layer>), their headers,
# the command-line program and a package config, so that another CMake project writes
#   find_package(simfabric REQUIRED)
#   target_link_libraries(app PRIVATE simfabric::sim simfabric::collective)
# Included from the top-level CMakeLists.txt after every target exists.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Every library target named simfabric_<layer> (not the tests' doctest main): a layer
# added later is exported without a change here, and none is left out of the set that
# another exported layer links.
function(simfabric_collect_libraries dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  set(found ${${out}})
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "STATIC_LIBRARY" AND target MATCHES "^simfabric_" AND NOT target MATCHES "doctest")
      list(APPEND found ${target})
    endif()
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
  foreach(subdir IN LISTS subdirs)
    if(NOT subdir MATCHES "/(tests|bench)(/|$)")
      simfabric_collect_libraries(${subdir} ${out})
      set(${out} ${${out}} PARENT_SCOPE)
    endif()
  endforeach()
endfunction()
set(simfabric_libraries "")
simfabric_collect_libraries(${PROJECT_SOURCE_DIR} simfabric_libraries)
list(TRANSFORM simfabric_libraries REPLACE "^simfabric_" "" OUTPUT_VARIABLE simfabric_exported_layers)

foreach(layer IN LISTS simfabric_exported_layers)
  set(target simfabric_${layer})
  set_property(TARGET ${target} PROPERTY EXPORT_NAME ${layer})
  # The libraries name the source root as their include directory; an installed copy
  # finds the same relative paths ("sim/simulator.hpp") under include/.
  get_target_property(includes ${target} INTERFACE_INCLUDE_DIRECTORIES)
  if(includes)
    list(TRANSFORM includes REPLACE "^${PROJECT_SOURCE_DIR}$" "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>")
    set_property(TARGET ${target} PROPERTY INTERFACE_INCLUDE_DIRECTORIES ${includes})
  endif()
  list(APPEND simfabric_export_targets ${target})
endforeach()
set_property(TARGET simfabric_sim APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES
  "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")

install(TARGETS ${simfabric_export_targets} EXPORT simfabricTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS simfabric RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

foreach(dir sim topologies models scenarios apps/serve)
  install(DIRECTORY ${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${dir}
    FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
endforeach()

set(simfabric_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/simfabric)
install(EXPORT simfabricTargets NAMESPACE simfabric:: DESTINATION ${simfabric_cmake_dir})
configure_package_config_file(cmake/simfabricConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/simfabricConfig.cmake INSTALL_DESTINATION ${simfabric_cmake_dir}
  PATH_VARS CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/simfabricConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/simfabricConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/simfabricConfigVersion.cmake DESTINATION ${simfabric_cmake_dir})
