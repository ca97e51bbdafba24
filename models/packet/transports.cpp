// Transports: what a receiver answers to a data packet and what a sender does with the
// answer. Every data packet is acknowledged on its own (selective ACK), so delivery
// tolerates any reordering: the receiver keeps a bitmap and the flow is complete when it
// holds every sequence number.
//
// - DCTCP: window in bytes; the receiver echoes each packet's ECN mark; once per window
//   alpha <- (1 - g) alpha + g F (F the marked fraction) and, if anything was marked,
//   cwnd <- cwnd (1 - alpha / 2); otherwise cwnd grows by one MTU per window.
// - DCQCN: the NIC paces each flow at its rate; a receiver seeing marks sends at most one
//   CNP per flow per interval; a CNP cuts the rate by alpha / 2 and raises alpha; a
//   periodic timer decays alpha without CNPs; the timer and a byte counter raise the
//   rate: fast recovery towards the target, then additive, then hyper increase of it.
// - NDP: an initial window unsolicited, then one packet per pull; the receiver paces pulls
//   at its link's packet rate over all its flows; a trimmed header is NACKed and pulled.
// Any packet unacknowledged for rto_ps is sent again.

#include <algorithm>
#include <cmath>

#include "models/packet/packet_network.hpp"

namespace models::packet {

void PacketNetwork::deliver(std::uint32_t pkt) {
  const Packet k = packets_[pkt];
  free_packet(pkt);
  Flow& f = flows_[k.flow];
  // A failed flow's packets still in flight, and data after the sender's last
  // acknowledgement (a spurious retransmission; its bitmap is gone), need no answer.
  if (f.failed) return;
  if (k.kind == Kind::data && f.sender_done) {
    ++totals_.duplicate_packets;
    return;
  }
  if (k.kind == Kind::data) {
    on_data(f, k.flow, k);
  } else {
    on_control(f, k.flow, k);
  }
}

void PacketNetwork::on_data(Flow& flow, std::uint32_t id, const Packet& k) {
  Flow* f = &flow;
  const bool ndp = params_.transport == Transport::ndp;
  if (k.trimmed) {
    send_control(Kind::nack, id, k.seq, false);
  } else {
    if (f->received[k.seq]) {
      ++totals_.duplicate_packets;
    } else {
      f->received[k.seq] = true;
      if (++f->received_count == f->packets) {
        f->receiver_done = true;
        FlowRecord& rec = records_[f->record];
        rec.end = sim_->now();
        --open_flows_;
        count_path(*f, -1);
        if (*rec.end > rec.start && f->route < path_start_.size()) {
          const double gbps = static_cast<double>(rec.bytes) * 8e3 / static_cast<double>((*rec.end - rec.start).ps());
          for (std::uint32_t i = 0; i < path_length_[f->route]; ++i) {
            const LinkId l = path_[path_start_[f->route] + i];
            ++link_completed_[l];
            link_best_gbps_[l] = std::max(link_best_gbps_[l], gbps);
          }
        }
        if (listener_) {
          listener_(rec.tag, true);
          f = &flows_[id];  // the listener may start flows, which moves flows_ (and records_)
        }
      }
    }
    send_control(Kind::ack, id, k.seq, k.ecn && params_.transport == Transport::dctcp);
    if (params_.transport == Transport::dcqcn && k.ecn &&
        sim_->now().ps() - f->cnp_sent_ps >= params_.dcqcn_cnp_interval_ps) {
      f->cnp_sent_ps = sim_->now().ps();
      send_control(Kind::cnp, id, k.seq, false);
    }
  }
  if (ndp && !f->receiver_done) {
    Host& h = hosts_[f->dst_host];
    h.pulls.push(id);
    if (!h.pulling) pull_tick(f->dst_host);
  }
}

void PacketNetwork::pull_tick(std::uint32_t host) {
  Host& h = hosts_[host];
  while (!h.pulls.empty() && flows_[h.pulls.front()].receiver_done) h.pulls.pop();
  if (h.pulls.empty()) {
    h.pulling = false;
    return;
  }
  const std::uint32_t id = h.pulls.front();
  h.pulls.pop();
  send_control(Kind::pull, id, 0, false);
  h.pulling = true;
  // One pull per full packet time of the link that brings the data in.
  sim_->schedule(sim::Time::from_ps(serialization_ps(h.in_port, params_.mtu_bytes)), [this, host] { pull_tick(host); });
}

void PacketNetwork::on_control(Flow& f, std::uint32_t id, const Packet& k) {
  if (f.sender_done) return;
  switch (k.kind) {
    case Kind::ack: on_ack(f, id, k.seq, k.ecn); break;
    case Kind::nack:
      if (f.state[k.seq] == in_flight) {
        f.state[k.seq] = queued;
        f.inflight_bytes -= wire(f, k.seq);
        f.rtx.push(k.seq);
      }
      break;
    case Kind::pull: ++f.credits; break;
    case Kind::cnp: {
      f.target_bps = f.rate_bps;
      f.rate_bps = std::max(params_.dcqcn_min_rate_gbps * 1e9 / 8, f.rate_bps * (1.0 - f.alpha / 2));
      f.alpha = (1.0 - params_.dcqcn_g) * f.alpha + params_.dcqcn_g;
      f.stage = 0;
      f.counted_bytes = 0;
      f.last_cnp_ps = sim_->now().ps();
      break;
    }
    case Kind::data: break;
  }
  if (!f.sender_done) kick(f.src_host);
}

void PacketNetwork::on_ack(Flow& f, std::uint32_t id, std::uint32_t seq, bool ecn) {
  const std::uint8_t was = f.state[seq];
  if (was == acked) return;
  const double bytes = wire(f, seq);
  if (was == in_flight) f.inflight_bytes -= wire(f, seq);
  f.state[seq] = acked;
  if (params_.transport == Transport::dctcp) {
    const double mtu = params_.mtu_bytes;
    f.window_acked += bytes;
    if (ecn) {
      f.window_marked += bytes;
    } else {
      f.cwnd_bytes += mtu * bytes / f.cwnd_bytes;
    }
    if (f.window_acked >= f.window_target) {
      const double g = params_.dctcp_g;
      f.alpha = (1.0 - g) * f.alpha + g * f.window_marked / f.window_acked;
      if (f.window_marked > 0.0) f.cwnd_bytes = std::max(mtu, f.cwnd_bytes * (1.0 - f.alpha / 2));
      f.window_acked = 0.0;
      f.window_marked = 0.0;
      f.window_target = f.cwnd_bytes;
    }
  }
  if (++f.acked_count == f.packets) sender_finished(f, id);
}

void PacketNetwork::sender_finished(Flow& f, std::uint32_t id) {
  f.sender_done = true;
  Host& h = hosts_[f.src_host];
  const std::uint32_t last = h.flows.back();
  h.flows[f.host_slot] = last;
  flows_[last].host_slot = f.host_slot;
  h.flows.pop_back();
  if (h.next >= h.flows.size()) h.next = 0;
  routes_.release(f.route);
  routes_.release(f.back_route);
  // The per-packet state is no longer needed; the record keeps the figures.
  f.state = {};
  f.sends = {};
  f.received = {};
  f.rtx.clear();
  f.timeline.clear();
  f.entropy_routes = {};
  f.hop_nodes = {};
  f.hop_links = {};
  (void)id;
}

void PacketNetwork::sent(Flow& f, std::uint32_t id, std::uint32_t seq) {
  const std::int64_t now = sim_->now().ps();
  f.state[seq] = in_flight;
  const std::uint8_t tx = ++f.sends[seq];
  const std::uint16_t bytes = wire(f, seq);
  f.inflight_bytes += bytes;
  f.last_send_ps = now;
  ++totals_.data_packets;
  f.timeline.push(Sent{seq, tx, now});
  switch (params_.transport) {
    case Transport::dcqcn:
      f.next_send_ps = now + std::llround(static_cast<double>(bytes) * 1e12 / f.rate_bps);
      // The byte counter: an increase step per so many bytes sent, as well as per period.
      f.counted_bytes += bytes;
      if (f.counted_bytes >= params_.dcqcn_byte_counter_bytes) {
        f.counted_bytes = 0;
        dcqcn_increase(f);
      }
      break;
    case Transport::ndp:
      if (f.credits > 0) --f.credits;
      break;
    case Transport::dctcp: break;
  }
  arm_timer(f, id);
}

void PacketNetwork::arm_timer(Flow& f, std::uint32_t id) {
  if (f.timer_armed || f.timeline.empty()) return;
  f.timer_armed = true;
  const std::int64_t at = std::max(sim_->now().ps(), f.timeline.front().at_ps + params_.rto_ps);
  sim_->schedule_at(sim::Time::from_ps(at), [this, id] { timeout(id); });
}

void PacketNetwork::timeout(std::uint32_t id) {
  Flow& f = flows_[id];
  f.timer_armed = false;
  if (f.sender_done) return;
  const std::int64_t now = sim_->now().ps();
  std::uint32_t lost = 0;
  while (!f.timeline.empty()) {
    const Sent s = f.timeline.front();
    const bool live = f.state[s.seq] == in_flight && f.sends[s.seq] == s.tx;
    if (live && s.at_ps + params_.rto_ps > now) break;
    f.timeline.pop();
    if (!live) continue;
    f.state[s.seq] = queued;
    f.inflight_bytes -= wire(f, s.seq);
    f.rtx.push(s.seq);
    ++lost;
  }
  if (lost > 0) {
    ++totals_.timeouts;
    ++records_[f.record].timeouts;
    if (params_.transport == Transport::dctcp) {
      f.cwnd_bytes = std::max<double>(params_.mtu_bytes, f.cwnd_bytes / 2);
      f.window_target = f.cwnd_bytes;
    }
    // Pulls for packets that vanished will never come: the timeout stands in for them.
    if (params_.transport == Transport::ndp) f.credits += lost;
  }
  arm_timer(f, id);
  kick(f.src_host);
}

void PacketNetwork::dcqcn_tick(std::uint32_t id) {
  Flow& f = flows_[id];
  if (f.sender_done) return;
  const std::int64_t now = sim_->now().ps();
  const auto& p = params_;
  if (now - f.last_cnp_ps >= p.dcqcn_timer_ps) {
    f.alpha *= 1.0 - p.dcqcn_g;
    const std::int64_t before = f.next_send_ps;
    dcqcn_increase(f);
    if (f.next_send_ps < before) kick(f.src_host);
  }
  sim_->schedule(sim::Time::from_ps(p.dcqcn_timer_ps), [this, id] { dcqcn_tick(id); });
}

void PacketNetwork::dcqcn_increase(Flow& f) {
  const auto& p = params_;
  ++f.stage;
  const std::uint32_t steps = p.dcqcn_fast_recovery_steps;
  if (f.stage > 2 * steps) {
    f.target_bps += p.dcqcn_rate_hai_gbps * 1e9 / 8;
  } else if (f.stage > steps) {
    f.target_bps += p.dcqcn_rate_ai_gbps * 1e9 / 8;
  }
  f.target_bps = std::min(f.target_bps, f.line_bps);
  f.rate_bps = std::min(f.line_bps, (f.rate_bps + f.target_bps) / 2);
  // A packet spaced at a low rate must not wait out that spacing once the rate is up.
  const std::int64_t due = f.last_send_ps + std::llround(params_.mtu_bytes * 1e12 / f.rate_bps);
  f.next_send_ps = std::min(f.next_send_ps, due);
}

}  // namespace models::packet
