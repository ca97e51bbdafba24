#include "models/search/pareto.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace models::search {

namespace {

void check_shape(std::span<const double> values, std::size_t m) {
  if (m == 0 || values.size() % m != 0) throw std::invalid_argument("pareto: values must hold m objectives per point");
}

std::span<const double> row(std::span<const double> values, std::size_t m, std::size_t i) {
  return values.subspan(i * m, m);
}

}  // namespace

bool dominates(std::span<const double> a, std::span<const double> b) {
  bool better = false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    better = better || a[k] < b[k];
  }
  return better;
}

std::vector<std::vector<std::size_t>> nondominated_sort(std::span<const double> values, std::size_t m,
                                                        std::span<const double> violation) {
  check_shape(values, m);
  const std::size_t n = values.size() / m;
  if (violation.size() != n) throw std::invalid_argument("nondominated_sort: one violation per point");
  std::vector<std::size_t> feasible, infeasible;
  for (std::size_t i = 0; i < n; ++i) (violation[i] > 0 ? infeasible : feasible).push_back(i);

  std::vector<std::vector<std::size_t>> fronts;
  // Fast non-dominated sort over the feasible points.
  std::vector<std::vector<std::size_t>> beaten(feasible.size());
  std::vector<std::size_t> count(feasible.size(), 0);
  std::vector<std::size_t> current;
  for (std::size_t a = 0; a < feasible.size(); ++a) {
    for (std::size_t b = a + 1; b < feasible.size(); ++b) {
      const auto ra = row(values, m, feasible[a]), rb = row(values, m, feasible[b]);
      if (dominates(ra, rb)) {
        beaten[a].push_back(b);
        ++count[b];
      } else if (dominates(rb, ra)) {
        beaten[b].push_back(a);
        ++count[a];
      }
    }
  }
  for (std::size_t a = 0; a < feasible.size(); ++a) {
    if (count[a] == 0) current.push_back(a);
  }
  while (!current.empty()) {
    std::vector<std::size_t> next, front;
    for (std::size_t a : current) {
      front.push_back(feasible[a]);
      for (std::size_t b : beaten[a]) {
        if (--count[b] == 0) next.push_back(b);
      }
    }
    std::sort(front.begin(), front.end());
    fronts.push_back(std::move(front));
    std::sort(next.begin(), next.end());
    current = std::move(next);
  }
  // Infeasible points: one front per violation level, smallest first.
  std::stable_sort(infeasible.begin(), infeasible.end(),
                   [&](std::size_t a, std::size_t b) { return violation[a] < violation[b]; });
  for (std::size_t i = 0; i < infeasible.size();) {
    std::size_t j = i;
    std::vector<std::size_t> front;
    while (j < infeasible.size() && !(violation[infeasible[i]] < violation[infeasible[j]]))
      front.push_back(infeasible[j++]);
    std::sort(front.begin(), front.end());
    fronts.push_back(std::move(front));
    i = j;
  }
  return fronts;
}

std::vector<double> crowding_distance(std::span<const double> values, std::size_t m,
                                      std::span<const std::size_t> front) {
  check_shape(values, m);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> distance(front.size(), 0.0);
  if (front.size() <= 2) {
    std::fill(distance.begin(), distance.end(), kInf);
    return distance;
  }
  std::vector<std::size_t> order(front.size());
  for (std::size_t k = 0; k < m; ++k) {
    std::iota(order.begin(), order.end(), 0);
    const auto value = [&](std::size_t i) { return values[front[i] * m + k]; };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
    const double lo = value(order.front()), hi = value(order.back());
    distance[order.front()] = kInf;
    distance[order.back()] = kInf;
    if (!(hi > lo)) continue;
    for (std::size_t i = 1; i + 1 < order.size(); ++i)
      distance[order[i]] += (value(order[i + 1]) - value(order[i - 1])) / (hi - lo);
  }
  return distance;
}

std::vector<std::size_t> pareto_front(std::span<const double> values, std::size_t m,
                                      std::span<const std::size_t> candidates) {
  check_shape(values, m);
  std::vector<std::size_t> points(candidates.begin(), candidates.end());
  if (candidates.empty()) {
    points.resize(values.size() / m);
    std::iota(points.begin(), points.end(), 0);
  }
  // Sorted lexicographically, a point can only be dominated by one before it, and only by a
  // point kept on the front so far (domination is transitive).
  std::stable_sort(points.begin(), points.end(), [&](std::size_t a, std::size_t b) {
    const auto ra = row(values, m, a), rb = row(values, m, b);
    return std::lexicographical_compare(ra.begin(), ra.end(), rb.begin(), rb.end());
  });
  std::vector<std::size_t> front;
  if (m == 2) {  // a sweep: kept when its second objective is below every earlier one's, or ties the last kept
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i : points) {
      const auto r = row(values, m, i);
      if (r[1] < best) {
        front.push_back(i);
        best = r[1];
      } else if (!front.empty() && r[1] == best && r[0] == values[front.back() * m]) {
        front.push_back(i);
      }
    }
  } else {
    for (std::size_t i : points) {
      const auto r = row(values, m, i);
      if (std::none_of(front.begin(), front.end(), [&](std::size_t f) { return dominates(row(values, m, f), r); })) {
        front.push_back(i);
      }
    }
  }
  std::sort(front.begin(), front.end());
  return front;
}

double coverage(std::span<const double> found, std::span<const double> reference, std::size_t m, double tolerance) {
  check_shape(reference, m);
  if (found.size() % m != 0) throw std::invalid_argument("coverage: found must hold m objectives per point");
  const std::size_t nr = reference.size() / m, nf = found.size() / m;
  if (nr == 0) throw std::invalid_argument("coverage: an empty reference front");
  std::vector<double> slack(m);
  for (std::size_t k = 0; k < m; ++k) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t i = 0; i < nr; ++i) {
      lo = std::min(lo, reference[i * m + k]);
      hi = std::max(hi, reference[i * m + k]);
    }
    slack[k] = tolerance * (hi > lo ? hi - lo : 1.0);
  }
  std::size_t covered = 0;
  for (std::size_t i = 0; i < nr; ++i) {
    for (std::size_t j = 0; j < nf; ++j) {
      bool ok = true;
      for (std::size_t k = 0; k < m && ok; ++k) ok = found[j * m + k] <= reference[i * m + k] + slack[k];
      if (ok) {
        ++covered;
        break;
      }
    }
  }
  return static_cast<double>(covered) / static_cast<double>(nr);
}

double hypervolume_2d(std::span<const double> values, std::span<const double, 2> reference) {
  check_shape(values, 2);
  std::vector<std::size_t> inside;
  for (std::size_t i = 0; i < values.size() / 2; ++i) {
    if (values[2 * i] < reference[0] && values[2 * i + 1] < reference[1]) inside.push_back(i);
  }
  const auto front = pareto_front(values, 2, inside);
  std::vector<std::size_t> order(front.begin(), front.end());
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[2 * a] < values[2 * b]; });
  // Ascending first objective means descending second along a front: slabs of width x_next - x.
  double area = 0.0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const double x = values[2 * order[i]], y = values[2 * order[i] + 1];
    const double x_next = i + 1 < order.size() ? values[2 * order[i + 1]] : reference[0];
    area += (x_next - x) * (reference[1] - y);
  }
  return area;
}

}  // namespace models::search
