#pragma once
// One function per scenario kind; each lives beside the model layer it drives.

#include "scenarios/runner.hpp"

namespace scenarios {

ScenarioKind mm1_kind();      // scenarios/kinds/mm1.cpp
ScenarioKind quantum_kind();  // scenarios/kinds/quantum.cpp

}  // namespace scenarios
