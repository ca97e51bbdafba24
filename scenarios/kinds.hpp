#pragma once
// One function per scenario kind; each lives beside the model layer it drives.

#include "scenarios/runner.hpp"

namespace scenarios {

ScenarioKind mm1_kind();          // scenarios/kinds/mm1.cpp
ScenarioKind accelerator_kind();  // scenarios/kinds/accelerator.cpp
ScenarioKind fabric_kind();       // scenarios/kinds/fabric.cpp
ScenarioKind quantum_kind();      // scenarios/kinds/quantum.cpp
ScenarioKind training_kind();     // scenarios/kinds/training.cpp

}  // namespace scenarios
