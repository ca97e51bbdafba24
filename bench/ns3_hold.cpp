// The hold model on ns-3's event loop, for `bench/run_all.py`. Same workload and
// same random numbers as `simfabric bench hold`: each event picks a random entity and
// schedules one new event at now + Exp(mean).
//
// usage: ns3_hold SCHEDULER PENDING EVENTS MEAN_NS SEED
//   SCHEDULER: ns3::MapScheduler (the default), ns3::HeapScheduler, ns3::ListScheduler,
//              ns3::CalendarScheduler, ns3::PriorityQueueScheduler

#include <ns3/core-module.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/random.hpp"

namespace {

sim::RandomStream* rng = nullptr;
std::vector<std::uint64_t> hits;
std::uint64_t executed = 0;
std::uint64_t target = 0;
double mean_ps = 0;

void schedule_one();

void fire(std::uint32_t entity) {
  ++hits[entity];
  if (++executed >= target) {
    ns3::Simulator::Stop();
    return;
  }
  schedule_one();
}

void schedule_one() {
  const auto entity = static_cast<std::uint32_t>(rng->below(hits.size()));
  const auto delay = static_cast<std::int64_t>(rng->exponential(mean_ps));
  ns3::Simulator::Schedule(ns3::PicoSeconds(delay), &fire, entity);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: ns3_hold SCHEDULER PENDING EVENTS MEAN_NS SEED\n");
    return 2;
  }
  const std::string scheduler = argv[1];
  const std::uint64_t pending = std::strtoull(argv[2], nullptr, 10);
  target = std::strtoull(argv[3], nullptr, 10);
  mean_ps = std::strtod(argv[4], nullptr) * 1e3;
  const std::uint64_t seed = std::strtoull(argv[5], nullptr, 10);

  ns3::Time::SetResolution(ns3::Time::PS);
  ns3::ObjectFactory factory;
  factory.SetTypeId(scheduler);
  ns3::Simulator::SetScheduler(factory);

  sim::RandomStream stream(seed, 0);
  rng = &stream;
  hits.assign(1024, 0);
  for (std::uint64_t i = 0; i < pending; ++i) schedule_one();

  const auto start = std::chrono::steady_clock::now();
  ns3::Simulator::Run();
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto final_ps = ns3::Simulator::Now().GetPicoSeconds();
  ns3::Simulator::Destroy();

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "{\"scheduler\": \"%s\", \"pending\": %llu, \"events\": %llu, \"wall_s\": %.6f, "
      "\"events_per_second\": %.1f, \"final_time_ps\": %lld, \"peak_rss_bytes\": %llu}\n",
      scheduler.c_str(), static_cast<unsigned long long>(pending), static_cast<unsigned long long>(executed), wall_s,
      static_cast<double>(executed) / wall_s, static_cast<long long>(final_ps),
      static_cast<unsigned long long>(usage.ru_maxrss) * 1024ULL);
  return 0;
}
