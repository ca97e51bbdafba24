#include "models/collective/runner.hpp"

#include <algorithm>
#include <deque>
#include <limits>
#include <memory>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "sim/steady_state.hpp"

namespace models::collective {

namespace {

// What run_jobs drives for each job: a program's executor or a list of timed transfers.
// collect() reports absolute times; finish_result() counts them from the job's start.
class JobRun {
 public:
  virtual ~JobRun() = default;
  virtual void start() = 0;
  // A transfer of this job (tag as start_transfer was given it) ended.
  virtual void deliver(std::uint64_t tag, bool ok) = 0;
  virtual void collect(CollectiveResult& r) const = 0;
  virtual std::int64_t start_ps() const = 0;
  virtual std::uint64_t steps_extrapolated() const { return 0; }
  virtual std::uint64_t events_extrapolated() const { return 0; }
};

class Executor final : public JobRun {
 public:
  // A non-zero tag_base marks a run on a network other traffic shares: its tags are
  // tag_base + (from << 32 | to), the caller delivers them, and nothing is extrapolated
  // (the other traffic's state is not in the digest).
  Executor(sim::Simulator& sim, network::TransferNetwork& net, const Program& program,
           const std::vector<std::uint32_t>& placement, std::uint64_t tag_base = 0,
           std::function<void()> on_finish = {})
      : sim_(sim), net_(net), flow_(net.flow_model()), program_(program), agents_(program.agents()),
        tag_base_(tag_base), on_finish_(std::move(on_finish)) {
    // Steady-state extrapolation is the flow model's (FlowNetwork::checkpoint).
    extrapolate_ = tag_base_ == 0 && flow_ != nullptr && program_.repeats_ops() && flow_->extrapolation_allowed();
    const auto& ends = net.topology().endpoints();
    endpoint_.resize(program.ranks());
    for (std::uint32_t r = 0; r < program.ranks(); ++r) {
      const std::uint32_t e = placement.empty() ? r : placement.at(r);
      if (e >= ends.size()) {
        throw std::invalid_argument("collective: rank " + std::to_string(r) + " placed on endpoint " +
                                    std::to_string(e) + " but the topology has " + std::to_string(ends.size()));
      }
      endpoint_[r] = ends[e];
    }
  }
  Executor(sim::Simulator& sim, network::FlowNetwork& net, const Program& program,
           const std::vector<std::uint32_t>& placement, std::uint64_t tag_base = 0,
           std::function<void()> on_finish = {})
      : Executor(sim, std::make_unique<network::FlowTransfers>(net), program, placement, tag_base,
                 std::move(on_finish)) {}

  void start() override {
    start_ps_ = sim_.now().ps();
    if (tag_base_ == 0) net_.set_listener([this](std::uint64_t tag, bool ok) { on_transfer(tag - tag_base_, ok); });
    for (Agent a = 0; a < agents_.size(); ++a) {
      if (program_.op_count(a) == 0) {
        agents_[a].finished_ps = sim_.now().ps();
        agent_finished();
        continue;
      }
      begin(a);
    }
    started_ = true;
  }

  // A transfer of this run (tag as start_transfer was given it) ended.
  void deliver(std::uint64_t tag, bool ok) override { on_transfer(tag - tag_base_, ok); }
  bool finished() const { return finished_agents_ == agents_.size(); }

  std::uint64_t steps_extrapolated() const override { return steps_extrapolated_; }
  std::uint64_t events_extrapolated() const override { return events_extrapolated_; }

  // Steady-state extrapolation (sim/steady_state.hpp), at the end of a timestamp. The
  // digest is the whole state (network and every agent) with each agent's operation
  // index as its progress. If it repeats an earlier one with every agent d operations
  // further -- operations being independent of their index and nothing else pending --
  // the run from here repeats that interval exactly until an agent would reach its last
  // operation or a fault would fire. Those repetitions are skipped: time, pending events
  // and totals move as if simulated.
  void try_extrapolate() {
    check_requested_ = false;
    Check c;
    sim::StateDigest digest;
    if (!flow_->checkpoint(c.net)) {
      periods_.forget();
      totals_.clear();
      return;
    }
    digest.at = sim::Time::from_ps(c.net.time_ps);
    digest.words = std::move(c.net.state);
    c.transfers = transfers_;
    for (Agent a = 0; a < agents_.size(); ++a) {
      const AgentState& s = agents_[a];
      // Agents past their last operation (waiting for asynchronous sends) or done break
      // the uniformity the repetition relies on.
      if (s.stuck || s.finished_ps >= 0 || s.k >= program_.op_count(a) || s.phase == Phase::computing) {
        periods_.forget();
        totals_.clear();
        return;
      }
      digest.put(static_cast<std::uint64_t>(s.phase) | std::uint64_t{s.matched} << 8 |
                 std::uint64_t{s.sends_open} << 16 | std::uint64_t{s.async_open} << 32);
      digest.put(s.early.size());
      for (const auto& e : s.early) digest.put(std::uint64_t{e.first} << 32 | e.second);
      digest.progress.push_back(s.k);
    }
    if (const std::ptrdiff_t earlier = periods_.find(digest); earlier >= 0) {
      const Check& h = totals_[static_cast<std::size_t>(earlier)];
      const sim::Period period = sim::PeriodDetector::period(periods_[static_cast<std::size_t>(earlier)], digest);
      const std::int64_t period_ps = period.length.ps();
      std::uint64_t periods = std::numeric_limits<std::uint64_t>::max();
      for (Agent a = 0; a < agents_.size(); ++a) {
        // Every repeated operation index must stay below the agent's last one, as it
        // did in the interval being repeated (next() and the receive check see k < count).
        periods = std::min(periods, (program_.op_count(a) - 1 - digest.progress[a]) / period.progress);
      }
      if (const auto fault = flow_->next_fault()) {
        // The fault must come after every event pending after the jump, as it does
        // relative to them in a full run.
        const std::int64_t room_ps = fault->ps() - 1 - c.net.horizon_ps;
        periods = room_ps < period_ps ? 0 : std::min<std::uint64_t>(periods, room_ps / period_ps);
      }
      if (periods > 0) {
        flow_->extrapolate(h.net, c.net, periods);
        for (auto& s : agents_) s.k += periods * period.progress;
        transfers_ += periods * (c.transfers - h.transfers);
        steps_extrapolated_ += periods * period.progress;
        events_extrapolated_ += periods * (c.net.events - h.net.events);
        periods_.forget();
        totals_.clear();
        return;
      }
    }
    periods_.keep(std::move(digest));
    totals_.push_back(std::move(c));
    if (totals_.size() > kHistory) totals_.pop_front();
  }

  std::int64_t start_ps() const override { return start_ps_; }

  void collect(CollectiveResult& r) const override {
    r.algorithm = program_.name();
    r.ranks = program_.ranks();
    r.bytes = program_.data_bytes();
    r.rank_finish_s.assign(program_.ranks(), 0.0);
    r.complete = true;
    for (Agent a = 0; a < agents_.size(); ++a) {
      const std::uint32_t rank = program_.rank_of(a);
      const auto& s = agents_[a];
      if (s.finished_ps < 0) {
        r.complete = false;
        r.rank_finish_s[rank] = -1.0;
      } else if (r.rank_finish_s[rank] >= 0.0) {
        r.rank_finish_s[rank] = std::max(r.rank_finish_s[rank], static_cast<double>(s.finished_ps) * 1e-12);
      }
    }
    r.transfers = transfers_;
    r.failed_transfers = failed_;
  }

 private:
  enum class Phase : std::uint8_t { receiving, computing, sending, done };
  struct AgentState {
    std::uint64_t k = 0;
    Op op;
    Phase phase = Phase::receiving;
    std::uint8_t matched = 0;      // bit i: recv slot i satisfied
    std::uint8_t sends_open = 0;   // of the current operation
    std::uint32_t async_open = 0;  // sends of earlier operations still in flight
    bool stuck = false;
    std::int64_t finished_ps = -1;
    std::vector<std::pair<Agent, std::uint32_t>> early;  // messages not yet expected
  };

  // A check's totals, kept beside its digest in the detector (same index).
  struct Check {
    network::FlowNetwork::Checkpoint net;  // its state words moved into the digest
    std::uint64_t transfers = 0;
  };
  static constexpr std::size_t kHistory = 4;
  // Every step of agent 0 at first; sparser later so that a run that never settles pays
  // little (a match between checks s steps apart proves periodicity just as well).
  std::uint64_t check_interval() const { return std::uint64_t{1} << std::min<std::uint64_t>(checks_ / 64, 6); }

  std::uint64_t tag(Agent from, Agent to) const { return tag_base_ + (static_cast<std::uint64_t>(from) << 32 | to); }

  void agent_finished() {
    if (++finished_agents_ == agents_.size() && on_finish_) on_finish_();
  }

  void begin(Agent a) {
    // Runs operations back to back while their inputs are already there.
    while (true) {
      AgentState& s = agents_[a];
      s.op = program_.op(a, s.k);
      if (a == 0 && extrapolate_ && started_ && !check_requested_ && ++since_check_ >= check_interval()) {
        since_check_ = 0;
        ++checks_;
        check_requested_ = true;
        sim_.at_end_of_timestamp([this] { try_extrapolate(); }, sim::Simulator::kObserveHook);
      }
      s.matched = 0;
      s.sends_open = 0;
      for (std::uint8_t i = 0; i < s.op.n_recv; ++i) {
        for (auto& e : s.early) {
          if (e.first == s.op.recv_from[i] && e.second > 0) {
            --e.second;
            s.matched |= static_cast<std::uint8_t>(1u << i);
            break;
          }
        }
      }
      std::erase_if(s.early, [](const auto& e) { return e.second == 0; });
      s.phase = Phase::receiving;
      if (s.op.overlap) start_sends(a);
      if (!advance(a)) return;
      if (agents_[a].phase != Phase::done) return;
      if (!next(a)) return;
    }
  }

  // Moves the current operation on as far as it can go; true if it completed.
  bool advance(Agent a) {
    AgentState& s = agents_[a];
    const bool received = s.matched == (1u << s.op.n_recv) - 1;
    if (s.phase == Phase::receiving) {
      if (!received) return false;
      if (s.op.compute > sim::Time::zero() && !s.op.overlap) {
        s.phase = Phase::computing;
        sim_.schedule(s.op.compute, [this, a] { after_compute(a); });
        return false;
      }
      if (!s.op.overlap) start_sends(a);
      s.phase = Phase::sending;
    }
    if (s.phase == Phase::sending) {
      if (s.sends_open > 0 && !s.op.async_sends) return false;
      if (s.op.overlap && s.op.compute > sim::Time::zero()) {
        s.phase = Phase::computing;
        sim_.schedule(s.op.compute, [this, a] { after_overlap_compute(a); });
        return false;
      }
      s.phase = Phase::done;
      return true;
    }
    return false;
  }

  void after_compute(Agent a) {
    AgentState& s = agents_[a];
    start_sends(a);
    s.phase = Phase::sending;
    if (advance(a) && next(a)) begin(a);
  }

  void after_overlap_compute(Agent a) {
    agents_[a].phase = Phase::done;
    if (next(a)) begin(a);
  }

  // Steps to the next operation; false when the agent has none left (or is waiting for
  // asynchronous sends before it can finish).
  bool next(Agent a) {
    AgentState& s = agents_[a];
    ++s.k;
    if (s.k < program_.op_count(a)) return true;
    if (s.async_open == 0) {
      s.finished_ps = sim_.now().ps();
      agent_finished();
    }
    return false;
  }

  void start_sends(Agent a) {
    AgentState& s = agents_[a];
    const network::NodeId src = endpoint_[program_.rank_of(a)];
    for (std::uint8_t i = 0; i < s.op.n_send; ++i) {
      const Send& send = s.op.sends[i];
      // Asynchronous sends only have to arrive before the agent finishes. An agent's
      // program does not mix asynchronous and synchronous operations.
      if (s.op.async_sends) {
        ++s.async_open;
      } else {
        ++s.sends_open;
      }
      ++transfers_;
      net_.start_transfer(src, endpoint_[program_.rank_of(send.to)], send.bytes, tag(a, send.to));
    }
  }

 public:
  void on_transfer(std::uint64_t t, bool ok) {
    const auto from = static_cast<Agent>(t >> 32);
    const auto to = static_cast<Agent>(t & 0xffffffffu);
    if (!ok) {
      failed_.push_back(static_cast<std::uint64_t>(program_.rank_of(from)) << 32 | program_.rank_of(to));
      agents_[from].stuck = true;
      return;  // neither side can go on: the collective is reported incomplete
    }
    // Sender side.
    AgentState& s = agents_[from];
    if (s.sends_open > 0) {
      --s.sends_open;
      if (s.phase == Phase::sending && s.sends_open == 0 && !s.op.async_sends) {
        if (advance(from) && next(from)) begin(from);
      }
    } else {
      --s.async_open;
      if (s.async_open == 0 && s.k >= program_.op_count(from) && s.finished_ps < 0) {
        s.finished_ps = sim_.now().ps();
        agent_finished();
      }
    }
    // Receiver side.
    AgentState& d = agents_[to];
    if (d.k < program_.op_count(to) && d.phase == Phase::receiving) {
      for (std::uint8_t i = 0; i < d.op.n_recv; ++i) {
        if (d.op.recv_from[i] == from && !(d.matched & (1u << i))) {
          d.matched |= static_cast<std::uint8_t>(1u << i);
          if (advance(to) && next(to)) begin(to);
          return;
        }
      }
    }
    for (auto& e : d.early) {
      if (e.first == from) {
        ++e.second;
        return;
      }
    }
    d.early.emplace_back(from, 1);
  }

 private:
  Executor(sim::Simulator& sim, std::unique_ptr<network::FlowTransfers> owned, const Program& program,
           const std::vector<std::uint32_t>& placement, std::uint64_t tag_base, std::function<void()> on_finish)
      : Executor(sim, static_cast<network::TransferNetwork&>(*owned), program, placement, tag_base,
                 std::move(on_finish)) {
    owned_ = std::move(owned);
  }

  sim::Simulator& sim_;
  std::unique_ptr<network::FlowTransfers> owned_;  // the flow model's adapter when given a FlowNetwork
  network::TransferNetwork& net_;
  network::FlowNetwork* flow_;  // the flow model underneath; null for others
  const Program& program_;
  std::vector<AgentState> agents_;
  std::vector<network::NodeId> endpoint_;
  std::vector<std::uint64_t> failed_;
  std::uint64_t transfers_ = 0;
  std::uint64_t tag_base_ = 0;
  std::function<void()> on_finish_;
  std::size_t finished_agents_ = 0;
  bool extrapolate_ = false;
  bool started_ = false;
  std::int64_t start_ps_ = 0;
  bool check_requested_ = false;
  std::uint64_t since_check_ = 0;
  std::uint64_t checks_ = 0;
  std::uint64_t steps_extrapolated_ = 0;
  std::uint64_t events_extrapolated_ = 0;
  sim::PeriodDetector periods_{kHistory};
  std::deque<Check> totals_;  // the detector's kept checks, oldest first
};

// Timed transfers as a job: one event per distinct start time starts that time's
// transfers in list order (as models/network/timed_run.cpp does for a fabric alone).
class TrafficRun final : public JobRun {
 public:
  TrafficRun(sim::Simulator& sim, network::TransferNetwork& net, const std::vector<network::TimedTransfer>& transfers,
             std::uint32_t ranks, const std::vector<std::uint32_t>& placement, std::uint64_t tag_base)
      : sim_(sim), net_(net), transfers_(transfers), ranks_(ranks), tag_base_(tag_base) {
    const auto& ends = net.topology().endpoints();
    if (!placement.empty() && placement.size() != ranks) {
      throw std::invalid_argument("traffic: placement has " + std::to_string(placement.size()) + " entries for " +
                                  std::to_string(ranks) + " ranks");
    }
    for (std::uint32_t r = 0; r < ranks; ++r) {
      const std::uint32_t e = placement.empty() ? r : placement[r];
      if (e >= ends.size()) {
        throw std::invalid_argument("traffic: rank " + std::to_string(r) + " placed on endpoint " + std::to_string(e) +
                                    " but the topology has " + std::to_string(ends.size()));
      }
      endpoint_.push_back(ends[e]);
    }
    for (const auto& t : transfers) {
      if (t.src >= ranks || t.dst >= ranks) {
        throw std::invalid_argument("traffic: a transfer between hosts " + std::to_string(t.src) + " and " +
                                    std::to_string(t.dst) + " of " + std::to_string(ranks));
      }
    }
    order_.resize(transfers.size());
    for (std::uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::stable_sort(order_.begin(), order_.end(),
                     [&](auto a, auto b) { return transfers[a].start < transfers[b].start; });
    end_ps_.assign(transfers.size(), -1);
    lost_.assign(transfers.size(), false);
  }

  void start() override {
    start_ps_ = sim_.now().ps();
    if (tag_base_ == 0) net_.set_listener([this](std::uint64_t tag, bool ok) { deliver(tag, ok); });
    for (std::size_t first = 0; first < order_.size();) {
      std::size_t last = first;
      while (last < order_.size() && transfers_[order_[last]].start == transfers_[order_[first]].start) ++last;
      const auto from = static_cast<std::uint32_t>(first), to = static_cast<std::uint32_t>(last);
      sim_.schedule_at(sim_.now() + transfers_[order_[first]].start, [this, from, to] { start_group(from, to); });
      first = last;
    }
  }

  void deliver(std::uint64_t tag, bool ok) override {
    const std::uint64_t i = tag - tag_base_;
    if (ok) {
      end_ps_[i] = sim_.now().ps();
    } else if (!lost_[i]) {
      // Split subflows may fail one by one: one lost transfer each.
      lost_[i] = true;
      failed_.push_back(std::uint64_t{transfers_[i].src} << 32 | transfers_[i].dst);
    }
  }

  void collect(CollectiveResult& r) const override {
    r.algorithm = "traffic";
    r.ranks = ranks_;
    r.bytes = 0.0;
    const double start_s = static_cast<double>(start_ps_) * 1e-12;
    r.rank_finish_s.assign(ranks_, start_s);
    r.transfer_end_s.assign(transfers_.size(), -1.0);
    r.complete = true;
    for (std::size_t i = 0; i < transfers_.size(); ++i) {
      r.bytes += static_cast<double>(transfers_[i].bytes);
      double& rank = r.rank_finish_s[transfers_[i].src];
      if (end_ps_[i] < 0 || lost_[i]) {
        r.complete = false;
        rank = -1.0;
        continue;
      }
      r.transfer_end_s[i] = static_cast<double>(end_ps_[i]) * 1e-12;
      if (rank >= 0.0) rank = std::max(rank, r.transfer_end_s[i]);
    }
    r.transfers = started_;
    r.failed_transfers = failed_;
  }

  std::int64_t start_ps() const override { return start_ps_; }

 private:
  void start_group(std::uint32_t from, std::uint32_t to) {
    for (std::uint32_t k = from; k < to; ++k) {
      const std::uint32_t i = order_[k];
      const network::TimedTransfer& t = transfers_[i];
      ++started_;
      net_.start_transfer(endpoint_[t.src], endpoint_[t.dst], static_cast<double>(t.bytes), tag_base_ + i);
    }
  }

  sim::Simulator& sim_;
  network::TransferNetwork& net_;
  const std::vector<network::TimedTransfer>& transfers_;
  std::uint32_t ranks_;
  std::uint64_t tag_base_;
  std::vector<network::NodeId> endpoint_;
  std::vector<std::uint32_t> order_;  // by start time, list order among equal starts
  std::vector<std::int64_t> end_ps_;
  std::vector<bool> lost_;
  std::vector<std::uint64_t> failed_;
  std::uint64_t started_ = 0;
  std::int64_t start_ps_ = 0;
};

}  // namespace

namespace {

void check_placement(const Program& program, const std::vector<std::uint32_t>& placement) {
  if (!placement.empty() && placement.size() != program.ranks()) {
    throw std::invalid_argument("collective: placement has " + std::to_string(placement.size()) + " entries for " +
                                std::to_string(program.ranks()) + " ranks");
  }
}

// Finishes a collected result of a run that began at start_s: its times counted from the
// start, the completion (NaN when incomplete, like algbw and busbw) and the NCCL
// bandwidths. The one place both a run alone and each of several jobs are finished.
void finish_result(CollectiveResult& r, const JobRun& run, double bus_factor) {
  const double start_s = static_cast<double>(run.start_ps()) * 1e-12;
  for (auto* times : {&r.rank_finish_s, &r.transfer_end_s}) {
    for (double& f : *times) {
      if (f >= 0.0) f -= start_s;
    }
  }
  for (double f : r.rank_finish_s) r.completion_s = std::max(r.completion_s, f);
  if (!r.complete) {
    // Zero would read as an instant run; there is no completion time to report.
    r.completion_s = r.algbw_gb_per_s = r.busbw_gb_per_s = std::numeric_limits<double>::quiet_NaN();
  } else if (r.completion_s > 0.0) {
    r.algbw_gb_per_s = r.bytes / r.completion_s / 1e9;
    r.busbw_gb_per_s = r.algbw_gb_per_s * bus_factor;
  }
  r.steps_extrapolated = run.steps_extrapolated();
  r.events_extrapolated = run.events_extrapolated();
}

// The result of a shared run; network totals are the whole network's.
CollectiveResult collect_result(const Executor& exec, const network::FlowNetwork& net, const Program& program) {
  CollectiveResult r;
  exec.collect(r);
  finish_result(r, exec, program.bus_factor());
  r.flows = net.flows_started();
  r.flows_simulated = r.flows - net.flows_extrapolated();
  r.rate_solves = net.rate_solves();
  r.max_link_flows = net.max_link_flows();
  analyse_stragglers(r, net);
  return r;
}

}  // namespace

std::vector<CollectiveResult> run_jobs(sim::Simulator& sim, network::TransferNetwork& net,
                                       const std::vector<JobSpec>& jobs) {
  for (const JobSpec& j : jobs) {
    if ((j.program == nullptr) == (j.transfers == nullptr)) {
      throw std::invalid_argument("collective: a job is a program or timed transfers");
    }
    if (j.program != nullptr && !j.placement.empty() && j.placement.size() != j.program->ranks()) {
      throw std::invalid_argument("collective: placement has " + std::to_string(j.placement.size()) + " entries for " +
                                  std::to_string(j.program->ranks()) + " ranks");
    }
  }
  const std::uint64_t events_before = sim.events_executed();
  // With several jobs, job i's tags start at (i + 1) << kJobShift (agents stay below
  // 2^24, transfers below 2^56) and one listener hands each back; a job with a tag base
  // extrapolates nothing.
  constexpr int kJobShift = 56;
  const bool shared = jobs.size() > 1;
  std::vector<std::unique_ptr<JobRun>> runs;
  for (std::uint32_t i = 0; i < jobs.size(); ++i) {
    if (shared && jobs[i].program != nullptr && jobs[i].program->agents() >= (1u << 24)) {
      throw std::invalid_argument("concurrent jobs: a job of more than 2^24 agents");
    }
    const std::uint64_t base = shared ? std::uint64_t{i + 1} << kJobShift : 0;
    if (jobs[i].program != nullptr) {
      runs.push_back(std::make_unique<Executor>(sim, net, *jobs[i].program, jobs[i].placement, base));
    } else {
      runs.push_back(
          std::make_unique<TrafficRun>(sim, net, *jobs[i].transfers, jobs[i].ranks, jobs[i].placement, base));
    }
  }
  if (shared) {
    net.set_listener([&runs](std::uint64_t tag, bool ok) { runs[(tag >> kJobShift) - 1]->deliver(tag, ok); });
  }
  for (std::uint32_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].start <= sim.now()) {
      runs[i]->start();
    } else {
      JobRun* run = runs[i].get();
      sim.schedule_at(jobs[i].start, [run] { run->start(); });
    }
  }
  sim.run();
  net.settle();

  const auto links = net.link_stats();
  std::vector<CollectiveResult> out;
  for (std::uint32_t i = 0; i < jobs.size(); ++i) {
    CollectiveResult r;
    runs[i]->collect(r);
    finish_result(r, *runs[i], jobs[i].program != nullptr ? jobs[i].program->bus_factor() : 1.0);
    if (jobs.size() == 1) {
      r.flows = net.flows_started();
      r.flows_simulated = r.flows - (net.flow_model() != nullptr ? net.flow_model()->flows_extrapolated() : 0);
    } else {
      r.flows = r.flows_simulated = r.transfers;  // the network's figures are the whole run's
    }
    r.events = sim.events_executed() - events_before - r.events_extrapolated;
    r.rate_solves = net.rate_solves();
    r.max_link_flows = net.max_link_flows();
    analyse_stragglers(r, net.topology(), links);
    out.push_back(std::move(r));
  }
  return out;
}

CollectiveResult run_collective(sim::Simulator& sim, network::TransferNetwork& net, const Program& program,
                                const std::vector<std::uint32_t>& placement) {
  return std::move(run_jobs(sim, net, {JobSpec{&program, placement, sim.now()}}).front());
}

CollectiveResult run_collective(sim::Simulator& sim, network::FlowNetwork& net, const Program& program,
                                const std::vector<std::uint32_t>& placement) {
  network::FlowTransfers transfers(net);
  return run_collective(sim, transfers, program, placement);
}

struct CollectiveRun::State {
  std::unique_ptr<Program> program;
  std::unique_ptr<Executor> exec;
};

CollectiveRun::CollectiveRun(sim::Simulator& sim, network::FlowNetwork& net, std::unique_ptr<Program> program,
                             const std::vector<std::uint32_t>& placement, std::uint64_t tag_base,
                             std::function<void()> on_finish)
    : sim_(sim), net_(net), state_(std::make_unique<State>()), events_before_(sim.events_executed()) {
  if (tag_base == 0) throw std::invalid_argument("collective: a shared run needs a non-zero tag base");
  if (program->agents() >= (1u << 24)) throw std::invalid_argument("collective: a shared run of 2^24 agents or more");
  check_placement(*program, placement);
  state_->program = std::move(program);
  state_->exec = std::make_unique<Executor>(sim, net, *state_->program, placement, tag_base, std::move(on_finish));
  state_->exec->start();
}

CollectiveRun::~CollectiveRun() = default;

void CollectiveRun::deliver(std::uint64_t tag, bool delivered) { state_->exec->deliver(tag, delivered); }

bool CollectiveRun::finished() const { return state_->exec->finished(); }

CollectiveResult CollectiveRun::result() {
  net_.settle();
  CollectiveResult r = collect_result(*state_->exec, net_, *state_->program);
  r.events = sim_.events_executed() - events_before_;
  return r;
}

std::vector<std::uint32_t> strided_placement(std::uint32_t ranks, std::uint32_t groups) {
  if (groups == 0 || ranks % groups != 0) {
    throw std::invalid_argument("strided placement: ranks must be a multiple of the group count");
  }
  std::vector<std::uint32_t> p(ranks);
  const std::uint32_t per = ranks / groups;
  for (std::uint32_t r = 0; r < ranks; ++r) p[r] = (r % groups) * per + r / groups;
  return p;
}

void analyse_stragglers(CollectiveResult& r, const network::FlowNetwork& net) {
  analyse_stragglers(r, net.topology(), net.link_stats());
}

void analyse_stragglers(CollectiveResult& r, const topologies::Topology& topo,
                        const std::vector<network::LinkStats>& stats) {
  // Ranks: the latest finishers, measured against the median.
  std::vector<double> finish;
  for (double f : r.rank_finish_s) {
    if (f >= 0.0) finish.push_back(f);
  }
  double median = 0.0;
  if (!finish.empty()) {
    std::nth_element(finish.begin(), finish.begin() + finish.size() / 2, finish.end());
    median = finish[finish.size() / 2];
  }
  std::vector<std::uint32_t> order(r.rank_finish_s.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  auto key = [&](std::uint32_t i) { return r.rank_finish_s[i] < 0.0 ? 1e300 : r.rank_finish_s[i]; };
  const std::size_t n_ranks = std::min<std::size_t>(8, order.size());
  std::partial_sort(order.begin(), order.begin() + n_ranks, order.end(),
                    [&](std::uint32_t a, std::uint32_t b) { return key(a) > key(b) || (key(a) == key(b) && a < b); });
  r.slow_ranks.clear();
  for (std::size_t i = 0; i < n_ranks; ++i) {
    r.slow_ranks.push_back({order[i], r.rank_finish_s[order[i]], r.rank_finish_s[order[i]] - median});
  }

  // Links: a link whose fastest flow was slow is the common factor of its slow flows
  // (a healthy link also carries fast flows). Down links are reported first.
  std::vector<double> best;
  for (const auto& s : stats) {
    if (s.flows_completed > 0) best.push_back(s.best_flow_gbps);
  }
  double link_median = 0.0;
  if (!best.empty()) {
    std::nth_element(best.begin(), best.begin() + best.size() / 2, best.end());
    link_median = best[best.size() / 2];
  }
  std::vector<SuspectLink> suspects;
  for (topologies::LinkId l = 0; l < stats.size(); ++l) {
    const bool down = !topo.link_up(l);
    const double ratio = link_median > 0.0 ? stats[l].best_flow_gbps / link_median : 1.0;
    if (down || (stats[l].flows_completed > 0 && ratio < 0.9)) {
      suspects.push_back({l, topo.node(topo.link_from(l)).name + "->" + topo.node(topo.link_to(l)).name,
                          stats[l].best_flow_gbps, ratio, down});
    }
  }
  std::stable_sort(suspects.begin(), suspects.end(), [](const SuspectLink& a, const SuspectLink& b) {
    if (a.down != b.down) return a.down;
    return a.ratio < b.ratio;
  });
  if (suspects.size() > 8) suspects.resize(8);
  r.suspect_links = std::move(suspects);
}

}  // namespace models::collective
