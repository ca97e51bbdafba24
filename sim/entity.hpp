#pragma once
// A named component of a model. Its id is dense and follows creation order; its random
// stream is derived from (run seed, id), so adding draws to one component never changes
// another's.

#include <string>
#include <string_view>

#include "sim/random.hpp"
#include "sim/simulator.hpp"

namespace sim {

class Entity {
 public:
  Entity(Simulator& sim, std::string name)
      : sim_(sim), id_(sim.register_entity(std::move(name))), rng_(sim.stream(id_)) {}
  Entity(const Entity&) = delete;
  Entity& operator=(const Entity&) = delete;

  Simulator& sim() const { return sim_; }
  EntityId id() const { return id_; }
  const std::string& name() const { return sim_.entity_name(id_); }
  RandomStream& rng() { return rng_; }

 private:
  Simulator& sim_;
  EntityId id_;
  RandomStream rng_;
};

}  // namespace sim
