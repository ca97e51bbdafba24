// `simfabric bench ...`: benchmarks that print one JSON object with --json.

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/simfabric/commands.hpp"
#include "models/queueing/hold.hpp"

namespace app {

void add_bench_commands(CLI::App& app, Action& action) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks (see bench/README.md)");
  bench->require_subcommand(1);

  auto params = std::make_shared<models::queueing::HoldParams>();
  auto json = std::make_shared<bool>(false);
  CLI::App* hold = bench->add_subcommand("hold", "Hold model: N pending events, each schedules one more");
  hold->add_option("--pending", params->pending, "events kept pending")->check(positive_number());
  hold->add_option("--events", params->events, "events to execute")->check(positive_number());
  hold->add_option("--mean-delay-ns", params->mean_delay_ns, "mean of the exponential delay")->check(positive_number());
  hold->add_option("--entities", params->entities, "entities events are spread over")->check(positive_number());
  hold->add_option("--seed", params->seed, "random seed")->check(non_negative_integer());
  hold->add_option("--queue", params->queue, "simulator, or a bare queue: binary, 4-ary, 8-ary, ladder")
      ->check(CLI::IsMember({"simulator", "binary", "4-ary", "8-ary", "ladder"}));
  hold->add_flag("--json", *json, "print one JSON object");
  hold->callback([params, json, &action] {
    action = [params, json] {
      const auto r = models::queueing::run_hold(*params);
      if (*json) {
        nlohmann::ordered_json out{{"benchmark", "hold"},
                                   {"queue", r.queue},
                                   {"pending", r.pending},
                                   {"events", r.events},
                                   {"wall_s", r.wall_s},
                                   {"events_per_second", r.events_per_second},
                                   {"queue_bytes_per_pending", r.queue_bytes_per_pending},
                                   {"peak_rss_bytes", r.peak_rss_bytes},
                                   {"final_time_ps", r.final_time_ps}};
        std::cout << out.dump() << "\n";
      } else {
        fmt::print("hold ({}): {} pending, {} events in {:.3f} s = {:.3g} events/s, {:.1f} B/pending event\n", r.queue,
                   r.pending, r.events, r.wall_s, r.events_per_second, r.queue_bytes_per_pending);
      }
      return kExitOk;
    };
  });
}

}  // namespace app
