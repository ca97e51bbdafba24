#pragma once
// Pareto machinery over points with m objectives, all minimised, stored row-major
// (point i's objectives at values[i * m .. i * m + m)).

#include <cstddef>
#include <span>
#include <vector>

namespace models::search {

// Every objective of a is <= b's and one is < (a dominates b).
bool dominates(std::span<const double> a, std::span<const double> b);

// Fronts by Deb's constrained domination: a feasible point (violation 0) beats an
// infeasible one, the smaller violation beats the larger, and feasible points are ranked by
// domination (NSGA-II's fast non-dominated sort). Front 0 first; within a front, indices
// ascend.
std::vector<std::vector<std::size_t>> nondominated_sort(std::span<const double> values, std::size_t m,
                                                        std::span<const double> violation);

// NSGA-II's crowding distance of each point of `front` (same order): the boundary points of
// each objective get infinity, the others the sum over objectives of the gap between their
// neighbours, divided by that objective's range on the front.
std::vector<double> crowding_distance(std::span<const double> values, std::size_t m,
                                      std::span<const std::size_t> front);

// Indices (ascending) of the points no other point of `candidates` dominates; `candidates`
// empty means every point. Equal points are all kept.
std::vector<std::size_t> pareto_front(std::span<const double> values, std::size_t m,
                                      std::span<const std::size_t> candidates = {});

// Share of the reference points r for which some found point f is as good within the
// tolerance in every objective: f_k <= r_k + tolerance * range_k, range_k the spread of
// objective k over the reference points (1 where they all agree). With a tolerance of 0,
// the share of the reference front found exactly or dominated.
double coverage(std::span<const double> found, std::span<const double> reference, std::size_t m,
                double tolerance = 0.0);

// Area dominated by two-objective points and bounded by `reference` (a point every
// counted point must beat in both objectives; others add nothing).
double hypervolume_2d(std::span<const double> values, std::span<const double, 2> reference);

}  // namespace models::search
