#pragma once
// The fabric kind's [[job]] reader (scenarios/kinds/fabric.cpp) on its own, for front
// ends that describe their jobs as [[job]] tables: Python's collective.run_jobs hands its
// jobs over this way, so that a job means the same from a scenario file and from Python.

#include <vector>

#include "models/collective/experiment.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario.hpp"

namespace scenarios {

// Reads every [[job]] table of `scenario` (each with the keys of a scenario's [[job]]:
// name, hosts or first_host/host_count, start_us and the [workload] keys, traffic
// workloads included) into experiment.jobs, built and checked against its topology.
// Throws ScenarioError listing every problem, each at its table and key.
void read_fabric_jobs(const Scenario& scenario, models::collective::Experiment& experiment);

// A job's figures as the fabric kind's summary reports them, there prefixed "<name>_":
// start_s, completion_s, algbw, busbw (GB/s), median_fct_s (permutations and traffic),
// p99_fct_s and flows (traffic), complete.
std::vector<Metric> job_figures(const models::collective::JobWorkload& job,
                                const models::collective::JobResult& result);

}  // namespace scenarios
