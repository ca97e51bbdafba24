#pragma once
// The single source of the version; CMake reads it from here.
namespace sim {
inline constexpr const char* kVersion = "0.1.0";
}
