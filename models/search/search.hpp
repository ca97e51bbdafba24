#pragma once
// Constrained multi-objective search on the estimators: NSGA-II (Deb et al., 2002) and
// random search, over any SearchSpace, each architecture priced by an Evaluator.
//
// NSGA-II: a population of distinct architectures; each generation breeds as many
// children by binary tournament (lower front wins, then larger crowding distance), uniform
// crossover of the parents' genes and per-gene mutation to another choice, evaluates them,
// and keeps the best of parents and children by non-dominated sorting under Deb's
// constrained domination, the last front cut by crowding distance (a point whose
// objectives repeat another's only fills places left over: many cells price alike, and
// copies would crowd out the variety the front needs). Random search draws
// distinct architectures uniformly. Both count an evaluation per distinct architecture
// (children already seen are bred again, not priced again) and stop at the budget of
// evaluations, or when no new architecture turns up (a small space seen whole).
//
// Objectives: latency (minimised), the accuracy objective (maximised), and optionally
// energy and memory (minimised). Constraints on latency, energy and memory make a point
// infeasible by the sum of its relative excesses; an unknown accuracy makes it infeasible
// too. The front is the non-dominated set of every feasible point evaluated.
//
// Every draw comes from one sim::RandomStream of the seed: the same seed gives the same
// result bit for bit, at any thread count.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "models/search/evaluator.hpp"

namespace models::search {

enum class Algorithm : std::uint8_t { nsga2, random };
inline constexpr sim::EnumName<Algorithm> kAlgorithmNames[] = {{Algorithm::nsga2, "nsga2"},
                                                               {Algorithm::random, "random"}};
constexpr std::span<const sim::EnumName<Algorithm>> enum_names(Algorithm) { return kAlgorithmNames; }

enum class Goal : std::uint8_t { latency, accuracy, energy, memory };
inline constexpr sim::EnumName<Goal> kGoalNames[] = {
    {Goal::latency, "latency"}, {Goal::accuracy, "accuracy"}, {Goal::energy, "energy"}, {Goal::memory, "memory"}};
constexpr std::span<const sim::EnumName<Goal>> enum_names(Goal) { return kGoalNames; }

struct Constraints {
  std::optional<double> latency_ms, energy_mj, memory_bytes;  // upper limits
};

struct SearchOptions {
  Algorithm algorithm = Algorithm::nsga2;
  std::size_t evaluations = 1000;  // distinct architectures priced
  std::size_t population = 50;     // NSGA-II population; random search's evaluation batch
  std::uint64_t seed = 1;
  double crossover = 0.9;  // probability that a child mixes two parents (else copies one)
  double mutation = 0.0;   // per-gene probability; 0: 1 / (number of genes)
  std::vector<Goal> goals{Goal::latency, Goal::accuracy};
  Constraints constraints;
  // Called after each batch of evaluations with (evaluated so far, budget).
  std::function<void(std::size_t, std::size_t)> progress;
};

struct Point {
  Genome genome;
  Metrics metrics;
  double violation = 0.0;        // 0: feasible
  std::uint32_t generation = 0;  // 0: the initial population (or random search's first batch)
  bool on_front = false;
};

struct SearchResult {
  std::vector<Point> evaluated;    // in evaluation order
  std::vector<std::size_t> front;  // indices into evaluated, by increasing latency
  std::size_t generations = 0;
  bool exhausted = false;  // stopped before the budget: no new architecture was found
};

// Throws std::invalid_argument for a population below 2, a budget of 0, probabilities
// outside [0, 1], a constraint that is not positive, a goal given twice or without its
// metric (energy and memory need the evaluator to compute them).
SearchResult run_search(const Evaluator& evaluator, const SearchOptions& options);

// The minimised objective vector of a point (accuracy negated; an unknown value as the
// largest double) and its constraint violation.
std::vector<double> objective_vector(const Metrics& m, const std::vector<Goal>& goals);
double violation(const Metrics& m, const Constraints& c);

}  // namespace models::search
