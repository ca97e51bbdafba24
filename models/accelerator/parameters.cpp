// The declarations of parameters.hpp.

#include "models/accelerator/parameters.hpp"

#include <limits>

#include "models/accelerator/device.hpp"
#include "models/accelerator/networks.hpp"
#include "models/accelerator/systolic.hpp"

namespace models::accelerator {
namespace {

using namespace sim::declare;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<sim::Parameter> declare_all() {
  const TransformerConfig transformer;
  return {
      with_notes(required(text("", "kind", "", {"accelerator"}, "selects this model")), "", "`\"accelerator\"`"),
      integer("", "seed", 1, 0, kInf, "run seed; the model draws no random numbers, so results do not depend on it"),
      text("", "name", "", {}, "label stored with the results"),

      with_notes(required(text("workload", "network", "", {}, "what runs")), "",
                 "a name of the network table, `nb201`, or `operators`"),
      with_notes(text("workload", "arch", "", {},
                      "the architecture of `nas_bench_201`, `fbnet` or `ofa_mbv3`; an error for any other network"),
                 "(required for search spaces)", "see [Architecture strings](#architecture-strings)"),
      integer("workload", "batch", 1, 1, 1 << 20, "batch size (sequences for the transformers)", "samples"),
      text("workload", "dtype", "bf16", choices_of<DataType>(),
           "element type of every tensor; sets bytes per element and the device's matrix peak"),
      with_notes(text("workload", "weights_tier", "", {},
                      "where weights (and a K/V cache) live, for operators that do not set `weight_tier`"),
                 "the device's home tier", "a tier of the device"),
      with_notes(text("workload", "activations_tier", "", {},
                      "where inputs and outputs live, for operators that do not set their own"),
                 "the device's home tier", "a tier of the device"),
      with_notes(text("workload", "scalesim_topology", "", {},
                      "the layers of that file as convolutions, instead of `network` (only `dtype` may accompany it)"),
                 "", "a SCALE-Sim topology CSV, relative to the scenario"),

      with_notes(
          integer("workload.transformer", "d_model", static_cast<double>(transformer.d_model), 1, kInf, "model width"),
          "", ">= 1, a multiple of `heads`"),
      integer("workload.transformer", "heads", static_cast<double>(transformer.heads), 1, kInf, "attention heads"),
      integer("workload.transformer", "d_ff", static_cast<double>(transformer.d_ff), 1, kInf, "feed-forward width"),
      integer("workload.transformer", "layers", static_cast<double>(transformer.layers), 1, 1000, "transformer layers"),
      integer("workload.transformer", "seq", 2048, 1, kInf,
              "`transformer_block` only: tokens per sequence (attention over all of them)", "tokens"),
      integer("workload.transformer", "kv_len", 4096, 1, kInf, "`llm_decode` only: cached tokens per sequence",
              "tokens"),

      integer("workload.ofa", "resolution", 224, 32, 1024, "input side", "pixels"),
      with_notes(required(numbers("workload.ofa", "depths", "blocks", "blocks per stage")), "", "5 numbers, 1 .. 4"),
      with_notes(required(numbers("workload.ofa", "kernels", "", "depthwise kernel of block i of stage s at 4s + i")),
                 "", "20 numbers, 3, 5 or 7"),
      with_notes(required(numbers("workload.ofa", "expansions", "", "expansion ratio, same layout")), "",
                 "20 numbers, 3, 4 or 6"),

      text("execution", "mode", "simulate", {"simulate", "systolic"},
           "event-core simulation of the memory hierarchy, or the analytical systolic-array model (the device needs "
           "a `[systolic]` table; see devices.md)"),
      integer("execution", "simulated_repeats", 16, 0, 1 << 20,
              "runs of identical tile steps simulated before a repeating pipeline state lets the rest be "
              "extrapolated (at least 8 are simulated); 0 simulates every step",
              "repetitions"),
      number("execution", "activations_on_chip", "fraction", 0.0, 0.0, 1.0,
             "an operator's output up to this fraction of the on-chip tier stays there for the next operator; 0 "
             "sends every activation through the home tier"),
      with_notes(text("execution", "convention", "framework", choices_of<OutputConvention>(),
                      "`systolic` mode only: output size of a convolution, framework-style (padding, floor) or "
                      "SCALE-Sim's (no padding, partial last window counts)"),
                 "framework (scalesim with `scalesim_topology`)"),
  };
}

}  // namespace

const std::vector<sim::Parameter>& parameters() {
  static const std::vector<sim::Parameter> all = declare_all();
  return all;
}

const sim::Parameter& parameter(std::string_view table, std::string_view key) {
  return sim::find_parameter(parameters(), table, key, "accelerator");
}

std::uint64_t default_count(std::string_view table, std::string_view key) {
  return static_cast<std::uint64_t>(parameter(table, key).default_number.value_or(0.0));
}

std::string parameters_markdown(std::string_view table) { return sim::parameters_markdown(parameters(), table); }

}  // namespace models::accelerator
