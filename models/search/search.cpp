#include "models/search/search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "models/search/pareto.hpp"

namespace models::search {

namespace {

constexpr std::uint64_t kSearchStream = 0x5ea7c4;
constexpr std::size_t kTries = 100;  // breeding attempts for one new child before giving up
constexpr double kListedSpace =
    1e6;  // spaces up to this size are listed once random draws stop finding new architectures

class Run {
 public:
  Run(const Evaluator& ev, const SearchOptions& o) : ev_(ev), o_(o), space_(ev.space()), rng_(o.seed, kSearchStream) {
    mutation_ = o.mutation > 0 ? o.mutation : 1.0 / static_cast<double>(space_.gene_count());
  }

  SearchResult run() {
    if (o_.algorithm == Algorithm::random) {
      random_search();
    } else {
      nsga2();
    }
    finish();
    return std::move(result_);
  }

 private:
  std::size_t m() const { return o_.goals.size(); }
  std::size_t remaining() const { return o_.evaluations - result_.evaluated.size(); }

  Genome draw() {
    Genome g(space_.gene_count());
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<std::uint8_t>(rng_.below(space_.choice_count(i)));
    return g;
  }

  // Records the genome's architecture as seen; false if it was already.
  bool fresh(const Genome& raw) {
    Genome g = raw;
    space_.canonicalize(g);
    return seen_.insert(std::string(g.begin(), g.end())).second;
  }

  // A new architecture drawn at random; nullopt once every architecture has been seen.
  std::optional<Genome> fresh_random() {
    for (std::size_t t = 0; t < kTries; ++t) {
      Genome g = draw();
      if (fresh(g)) return g;
    }
    // Draws keep failing when most of the space has been seen: a space small enough is
    // listed once, and the architectures not seen yet are drawn from the list.
    if (space_.cardinality() > kListedSpace) return std::nullopt;
    if (!unseen_) {
      unseen_.emplace();
      space_.enumerate(
          [this](const Genome& g) {
            if (!seen_.count(std::string(g.begin(), g.end()))) unseen_->push_back(g);
          },
          kListedSpace);
    }
    while (!unseen_->empty()) {
      const std::size_t i = rng_.below(unseen_->size());
      Genome g = std::move((*unseen_)[i]);
      (*unseen_)[i] = std::move(unseen_->back());
      unseen_->pop_back();
      if (fresh(g)) return g;
    }
    return std::nullopt;
  }

  void evaluate(std::vector<Genome> raws, std::uint32_t generation) {
    std::vector<Genome> canonical = raws;
    for (auto& g : canonical) space_.canonicalize(g);
    std::vector<Metrics> metrics(canonical.size());
    ev_.evaluate(canonical, metrics);
    for (std::size_t i = 0; i < canonical.size(); ++i) {
      Point p;
      p.genome = std::move(canonical[i]);
      p.metrics = metrics[i];
      p.violation = violation(p.metrics, o_.constraints);
      p.generation = generation;
      const auto v = objective_vector(p.metrics, o_.goals);
      values_.insert(values_.end(), v.begin(), v.end());
      violations_.push_back(p.violation);
      result_.evaluated.push_back(std::move(p));
      raw_.push_back(std::move(raws[i]));
    }
    if (o_.progress) o_.progress(result_.evaluated.size(), o_.evaluations);
  }

  void random_search() {
    std::uint32_t batch_index = 0;
    while (remaining() > 0) {
      std::vector<Genome> batch;
      const std::size_t want = std::min(o_.population, remaining());
      while (batch.size() < want) {
        auto g = fresh_random();
        if (!g) break;
        batch.push_back(std::move(*g));
      }
      result_.exhausted = batch.size() < want;
      if (!batch.empty()) evaluate(std::move(batch), batch_index++);
      if (result_.exhausted) break;
    }
    result_.generations = batch_index;
  }

  // Rank (front index) and crowding distance of each member of `members`.
  void rank(const std::vector<std::size_t>& members, std::vector<std::size_t>& rank_of, std::vector<double>& crowd_of,
            std::vector<std::vector<std::size_t>>& fronts) {
    std::vector<double> v, viol;
    v.reserve(members.size() * m());
    for (std::size_t i : members) {
      v.insert(v.end(), values_.begin() + static_cast<std::ptrdiff_t>(i * m()),
               values_.begin() + static_cast<std::ptrdiff_t>((i + 1) * m()));
      viol.push_back(violations_[i]);
    }
    fronts = nondominated_sort(v, m(), viol);
    rank_of.assign(members.size(), 0);
    crowd_of.assign(members.size(), 0.0);
    for (std::size_t f = 0; f < fronts.size(); ++f) {
      const auto d = crowding_distance(v, m(), fronts[f]);
      for (std::size_t j = 0; j < fronts[f].size(); ++j) {
        rank_of[fronts[f][j]] = f;
        crowd_of[fronts[f][j]] = d[j];
      }
    }
  }

  std::size_t tournament(const std::vector<std::size_t>& rank_of, const std::vector<double>& crowd_of) {
    const std::size_t n = rank_of.size();
    const std::size_t a = rng_.below(n);
    std::size_t b = rng_.below(n - 1);
    if (b >= a) ++b;
    if (rank_of[a] != rank_of[b]) return rank_of[a] < rank_of[b] ? a : b;
    return crowd_of[b] > crowd_of[a] ? b : a;
  }

  Genome breed(const std::vector<std::size_t>& population, const std::vector<std::size_t>& rank_of,
               const std::vector<double>& crowd_of) {
    const Genome& a = raw_[population[tournament(rank_of, crowd_of)]];
    const Genome& b = raw_[population[tournament(rank_of, crowd_of)]];
    Genome child = a;
    if (rng_.uniform() < o_.crossover) {
      for (std::size_t i = 0; i < child.size(); ++i) {
        if (rng_.next_u64() >> 63) child[i] = b[i];
      }
    }
    for (std::size_t i = 0; i < child.size(); ++i) {
      const std::size_t choices = space_.choice_count(i);
      if (choices < 2 || !(rng_.uniform() < mutation_)) continue;
      auto other = static_cast<std::uint8_t>(rng_.below(choices - 1));
      if (other >= child[i]) ++other;
      child[i] = other;
    }
    return child;
  }

  void nsga2() {
    std::vector<Genome> initial;
    const std::size_t want = std::min(o_.population, remaining());
    while (initial.size() < want) {
      auto g = fresh_random();
      if (!g) break;
      initial.push_back(std::move(*g));
    }
    if (initial.size() < want) result_.exhausted = true;
    if (initial.empty()) return;
    evaluate(std::move(initial), 0);
    std::vector<std::size_t> population(result_.evaluated.size());
    std::iota(population.begin(), population.end(), 0);

    std::vector<std::size_t> rank_of;
    std::vector<double> crowd_of;
    std::vector<std::vector<std::size_t>> fronts;
    std::uint32_t generation = 0;
    while (remaining() > 0 && !result_.exhausted && population.size() >= 2) {
      rank(population, rank_of, crowd_of, fronts);
      std::vector<Genome> children;
      const std::size_t count = std::min(o_.population, remaining());
      while (children.size() < count) {
        std::optional<Genome> child;
        for (std::size_t t = 0; t < kTries && !child; ++t) {
          Genome g = breed(population, rank_of, crowd_of);
          if (fresh(g)) child = std::move(g);
        }
        if (!child) child = fresh_random();  // the population has converged: new blood
        if (!child) {
          result_.exhausted = true;
          break;
        }
        children.push_back(std::move(*child));
      }
      if (children.empty()) break;
      const std::size_t first_child = result_.evaluated.size();
      evaluate(std::move(children), ++generation);

      // Survivors: parents and children by front, the last front cut by crowding distance.
      // A point whose objectives repeat an earlier one's only fills places left at the end:
      // equal points crowd out the variety the front needs (many cells price alike).
      std::vector<std::size_t> pool, repeats;
      std::set<std::vector<double>> taken;
      const auto offer = [&](std::size_t i) {
        std::vector<double> key(values_.begin() + static_cast<std::ptrdiff_t>(i * m()),
                                values_.begin() + static_cast<std::ptrdiff_t>((i + 1) * m()));
        key.push_back(violations_[i]);
        (taken.insert(std::move(key)).second ? pool : repeats).push_back(i);
      };
      for (std::size_t i : population) offer(i);
      for (std::size_t i = first_child; i < result_.evaluated.size(); ++i) offer(i);
      rank(pool, rank_of, crowd_of, fronts);
      std::vector<std::size_t> next;
      const std::size_t size = std::min(o_.population, pool.size() + repeats.size());
      for (const auto& front : fronts) {
        if (next.size() + front.size() <= size) {
          for (std::size_t j : front) next.push_back(pool[j]);
          continue;
        }
        std::vector<std::size_t> order(front.begin(), front.end());
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return crowd_of[a] > crowd_of[b]; });
        for (std::size_t j = 0; next.size() < size; ++j) next.push_back(pool[order[j]]);
        break;
      }
      for (std::size_t j = 0; next.size() < size; ++j) next.push_back(repeats[j]);
      population = std::move(next);
    }
    result_.generations = generation + 1;
  }

  void finish() {
    std::vector<std::size_t> feasible;
    for (std::size_t i = 0; i < result_.evaluated.size(); ++i) {
      if (!(violations_[i] > 0)) feasible.push_back(i);
    }
    if (!feasible.empty()) result_.front = pareto_front(values_, m(), feasible);
    auto& e = result_.evaluated;
    std::stable_sort(result_.front.begin(), result_.front.end(),
                     [&](std::size_t a, std::size_t b) { return e[a].metrics.latency_ms < e[b].metrics.latency_ms; });
    for (std::size_t i : result_.front) e[i].on_front = true;
  }

  const Evaluator& ev_;
  const SearchOptions& o_;
  const SearchSpace& space_;
  sim::RandomStream rng_;
  double mutation_ = 0.0;
  std::unordered_set<std::string> seen_;
  std::optional<std::vector<Genome>> unseen_;  // canonical genomes not seen when the list was made
  std::vector<Genome> raw_;                    // as bred (inactive genes kept, so they can come back)
  std::vector<double> values_, violations_;
  SearchResult result_;
};

void check(const Evaluator& ev, const SearchOptions& o) {
  if (o.population < 2) throw std::invalid_argument("search: population must be at least 2");
  if (o.evaluations == 0) throw std::invalid_argument("search: evaluations must be at least 1");
  if (!(o.crossover >= 0 && o.crossover <= 1))
    throw std::invalid_argument("search: crossover must be a probability (0 to 1)");
  if (!(o.mutation >= 0 && o.mutation <= 1))
    throw std::invalid_argument("search: mutation must be a probability (0 to 1)");
  if (o.goals.empty()) throw std::invalid_argument("search: give at least one goal");
  for (std::size_t i = 0; i < o.goals.size(); ++i) {
    if (std::count(o.goals.begin(), o.goals.end(), o.goals[i]) > 1) {
      throw std::invalid_argument("search: goal " + std::string(sim::name_of(o.goals[i])) + " given twice");
    }
  }
  const auto limit = [](const std::optional<double>& v, const char* what) {
    if (v && !(*v > 0 && std::isfinite(*v)))
      throw std::invalid_argument(std::string("search: ") + what + " must be a positive number");
  };
  limit(o.constraints.latency_ms, "the latency budget");
  limit(o.constraints.energy_mj, "the energy limit");
  limit(o.constraints.memory_bytes, "the memory limit");
  const bool energy = std::count(o.goals.begin(), o.goals.end(), Goal::energy) || o.constraints.energy_mj;
  const bool memory = std::count(o.goals.begin(), o.goals.end(), Goal::memory) || o.constraints.memory_bytes;
  if (energy && !ev.options().energy)
    throw std::invalid_argument("search: energy is a goal or a limit but the evaluator does not compute it");
  if (memory && !ev.options().memory)
    throw std::invalid_argument("search: memory is a goal or a limit but the evaluator does not compute it");
}

}  // namespace

std::vector<double> objective_vector(const Metrics& m, const std::vector<Goal>& goals) {
  std::vector<double> v;
  v.reserve(goals.size());
  for (Goal g : goals) {
    double x = 0.0;
    switch (g) {
      case Goal::latency: x = m.latency_ms; break;
      case Goal::accuracy: x = -m.accuracy; break;
      case Goal::energy: x = m.energy_mj; break;
      case Goal::memory: x = m.memory_bytes; break;
    }
    // Unknown values sort last but keep crowding distances finite.
    v.push_back(std::isnan(x) ? std::numeric_limits<double>::max() : x);
  }
  return v;
}

double violation(const Metrics& m, const Constraints& c) {
  if (std::isnan(m.accuracy)) return std::numeric_limits<double>::infinity();
  double v = 0.0;
  const auto excess = [&v](double value, const std::optional<double>& limit) {
    if (limit) v += std::isnan(value) ? std::numeric_limits<double>::infinity() : std::max(0.0, value / *limit - 1.0);
  };
  excess(m.latency_ms, c.latency_ms);
  excess(m.energy_mj, c.energy_mj);
  excess(m.memory_bytes, c.memory_bytes);
  return v;
}

SearchResult run_search(const Evaluator& evaluator, const SearchOptions& options) {
  check(evaluator, options);
  return Run(evaluator, options).run();
}

}  // namespace models::search
