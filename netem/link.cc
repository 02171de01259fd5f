#include "netem/link.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace swapbench {

const char* DirectionName(Direction d) {
  return d == Direction::kToGuest ? "to_guest" : "to_server";
}

LinkConfig LinkConfig::Loss(uint64_t seed, double to_guest, double to_server) {
  LinkConfig c;
  c.seed = seed;
  for (auto [dir, p] :
       {std::pair{"to_guest", to_guest}, {"to_server", to_server}}) {
    if (p <= 0) continue;
    ImpairmentConfig i;
    i.name = std::string("loss_") + dir;
    i.kind = "loss";
    i.direction = dir;
    i.p = p;
    c.impairments.push_back(i);
  }
  return c;
}

Link::Link(const LinkConfig& config)
    : phases_(config.phases), in_effect_(config.phases.size(), 0) {
  for (const auto& p : phases_) phase_reports_.push_back({p.name});
  for (int di = 0; di < 2; ++di) {
    Dir& d = dirs_[di];
    std::string dname = DirectionName(static_cast<Direction>(di));
    for (const auto& c : config.impairments) {
      if (c.direction != "both" && c.direction != dname) continue;
      d.chain.push_back(
          Entry{c.name,
                c,
                MakeImpairment(c),
                Rng::ForStream(config.seed, "link." + dname + "." + c.name),
                c.filter,
                c.enabled,
                {}});
    }
    for (const auto& p : phases_) {
      std::vector<int8_t> eff(d.chain.size(), 0);
      for (size_t e = 0; e < d.chain.size(); ++e) {
        for (const auto& n : p.enable)
          if (n == d.chain[e].name) eff[e] = 1;
        for (const auto& n : p.disable)
          if (n == d.chain[e].name) eff[e] = -1;
      }
      d.phase_effect.push_back(std::move(eff));
    }
  }
}

bool Link::idle() const {
  return phases_.empty() && dirs_[0].chain.empty() && dirs_[1].chain.empty();
}

int Link::Store(const uint8_t* data, size_t len) {
  int b;
  if (!free_bufs_.empty()) {
    b = free_bufs_.back();
    free_bufs_.pop_back();
  } else {
    b = static_cast<int>(bufs_.size());
    bufs_.emplace_back();
  }
  bufs_[b].assign(data, data + len);
  return b;
}

void Link::Departed(Dir& d, int64_t now_ns) {
  for (auto it = d.held.begin(); it != d.held.end();) {
    if (--it->remaining <= 0) {
      d.queue.push({now_ns, d.seq++, it->buf});
      it = d.held.erase(it);
    } else {
      ++it;
    }
  }
}

const Decision& Link::Offer(Direction dir, uint8_t* data, size_t len,
                            int64_t now_ns) {
  Dir& d = dirs_[static_cast<int>(dir)];
  Decision& out = decision_;
  out = Decision{};
  out.index = ++d.counters.frames;
  out.t_ns = now_ns;
  out.dir = dir;
  out.len = len;
  if (d.chain.empty() && phases_.empty() && d.queue.empty() && d.held.empty()) {
    out.now = true;  // nothing to do: the common case of an unimpaired link
    out.info = ParseFrame(data, len);
    ++d.counters.delivered;
    d.counters.bytes += len;
    return out;
  }
  Packet pk;
  pk.data = data;
  pk.len = len;
  pk.info = ParseFrame(data, len);
  pk.now_ns = now_ns;
  out.info = pk.info;
  auto act = [&](int actor, unsigned a) {
    out.actions |= a;
    if (out.n_actors < 8) out.actors[out.n_actors++] = actor;
  };
  // Which phases are in effect for this frame.
  std::vector<uint8_t>& in_effect = in_effect_;
  const size_t np = phases_.size();
  std::fill(in_effect.begin(), in_effect.end(), 0);
  if (epoch_ns_ >= 0) {
    for (size_t p = 0; p < np; ++p) {
      in_effect[p] = PhaseInEffect(phases_[p], now_ns - epoch_ns_);
      const PhaseConfig& ph = phases_[p];
      if (in_effect[p] && ph.down &&
          (ph.direction == "both" || ph.direction == DirectionName(dir)) &&
          !pk.drop) {
        pk.drop = true;
        act(-1 - static_cast<int>(p), kActDrop);
        ++(dir == Direction::kToGuest ? phase_reports_[p].dropped_to_guest
                                      : phase_reports_[p].dropped_to_server);
      }
    }
  }
  for (size_t e = 0; e < d.chain.size() && !pk.drop; ++e) {
    Entry& en = d.chain[e];
    bool on = en.enabled;
    for (size_t p = 0; p < np; ++p)
      if (in_effect[p] && d.phase_effect[p][e]) on = d.phase_effect[p][e] > 0;
    if (!on || !en.filter.Matches(pk.info)) continue;
    ++en.counters.matched;
    int64_t before = pk.delay_ns;
    unsigned a = en.imp->Apply(pk, en.rng);
    if (!a) continue;
    act(static_cast<int>(e), a);
    if (a & kActDrop) ++en.counters.dropped;
    if (a & kActQueueDrop) ++en.counters.queue_dropped;
    if (a & kActDelay) {
      ++en.counters.delayed;
      en.counters.delay_ns += pk.delay_ns - before;
    }
    if (a & kActDuplicate) ++en.counters.duplicated;
    if (a & kActCorrupt) ++en.counters.corrupted;
    if (a & kActReorder) ++en.counters.reordered;
  }
  DirectionCounters& c = d.counters;
  if (!pk.drop && d.queue.size() + d.held.size() + pk.copies > kMaxQueued) {
    pk.drop = true;  // the link's own queue is full: a tail drop
    out.actions |= kActQueueDrop;
  }
  if (pk.drop) {
    ++c.dropped;
    if (out.actions & kActQueueDrop) ++c.queue_dropped;
    return out;
  }
  if (out.actions & kActDelay) ++c.delayed;
  if (out.actions & kActDuplicate) ++c.duplicated;
  if (out.actions & kActCorrupt) ++c.corrupted;
  if (out.actions & kActReorder) ++c.reordered;
  out.delay_ns = pk.delay_ns;
  out.copies = pk.copies;
  int64_t release = now_ns + pk.delay_ns;
  if (!pk.may_reorder) release = std::max(release, d.last_release);
  if (release <= now_ns && pk.copies == 1 && pk.hold_gap == 0 &&
      d.queue.empty()) {
    out.now = true;
    ++c.delivered;
    c.bytes += len;
    Departed(d, now_ns);
    return out;
  }
  if (!pk.may_reorder) d.last_release = release;
  for (int k = 0; k < pk.copies; ++k) {
    int b = Store(data, len);
    if (k == 0 && pk.hold_gap > 0)
      d.held.push_back({b, pk.hold_gap, release + pk.max_hold_ns});
    else
      d.queue.push({release, d.seq++, b});
  }
  return out;
}

bool Link::PopDue(Direction dir, int64_t now_ns, const uint8_t** data,
                  size_t* len) {
  if (popped_ >= 0) {
    free_bufs_.push_back(popped_);
    popped_ = -1;
  }
  Dir& d = dirs_[static_cast<int>(dir)];
  for (auto it = d.held.begin(); it != d.held.end();) {
    if (it->deadline <= now_ns) {
      d.queue.push({it->deadline, d.seq++, it->buf});
      it = d.held.erase(it);
    } else {
      ++it;
    }
  }
  if (d.queue.empty() || d.queue.top().release > now_ns) return false;
  popped_ = d.queue.top().buf;
  d.queue.pop();
  *data = bufs_[popped_].data();
  *len = bufs_[popped_].size();
  ++d.counters.delivered;
  d.counters.bytes += *len;
  Departed(d, now_ns);
  return true;
}

int64_t Link::NextDue() const {
  int64_t t = std::numeric_limits<int64_t>::max();
  for (const Dir& d : dirs_) {
    if (!d.queue.empty()) t = std::min(t, d.queue.top().release);
    for (const Held& h : d.held) t = std::min(t, h.deadline);
  }
  return t;
}

std::vector<ImpairmentReport> Link::Impairments() const {
  std::vector<ImpairmentReport> out;
  for (int di = 0; di < 2; ++di)
    for (const Entry& e : dirs_[di].chain)
      out.push_back({e.name, e.config.kind,
                     DirectionName(static_cast<Direction>(di)),
                     e.filter.Describe(), e.counters});
  return out;
}

std::string Link::ActorName(Direction dir, int a) const {
  if (a < 0) return "phase:" + phases_[-1 - a].name;
  return dirs_[static_cast<int>(dir)].chain[a].name;
}

const char* TraceHeader() {
  return "#index\ttime_s\tdirection\tsize\tflow\tdecision\timpairment";
}

size_t FormatTrace(const Link& link, const Decision& d, int64_t t0_ns,
                   char* buf, size_t cap) {
  size_t n = 0;
  auto put = [&](int w) {
    if (w > 0) n = std::min(cap - 1, n + static_cast<size_t>(w));
  };
  int64_t t = d.t_ns - t0_ns;
  put(snprintf(buf, cap, "%llu\t%lld.%06lld\t%s\t%zu\t",
               static_cast<unsigned long long>(d.index),
               static_cast<long long>(t / 1000000000),
               static_cast<long long>((t % 1000000000) / 1000),
               DirectionName(d.dir), d.len));
  put(FormatFlow(d.info, buf + n, cap - n));
  put(snprintf(buf + n, cap - n, "\t"));
  bool any = false;
  auto add = [&](const char* w) {
    put(snprintf(buf + n, cap - n, "%s%s", any ? "+" : "", w));
    any = true;
  };
  if (d.actions & kActQueueDrop)
    add("queue-drop");
  else if (d.actions & kActDrop)
    add("drop");
  if (d.actions & kActCorrupt) add("corrupt");
  if (d.actions & kActDuplicate) add("dup");
  if (d.actions & kActReorder) add("hold");
  if ((d.actions & kActDelay) && !(d.actions & (kActDrop | kActQueueDrop))) {
    char b[32];
    snprintf(b, sizeof(b), "delay %.3fms", d.delay_ns / 1e6);
    add(b);
  }
  if (!any) add("pass");
  put(snprintf(buf + n, cap - n, "\t"));
  if (d.n_actors == 0) put(snprintf(buf + n, cap - n, "-"));
  for (int i = 0; i < d.n_actors; ++i)
    put(snprintf(buf + n, cap - n, "%s%s", i ? "," : "",
                 link.ActorName(d.dir, d.actors[i]).c_str()));
  return n;
}

std::string TraceLine(const Link& link, const Decision& d, int64_t t0_ns) {
  char buf[512];
  return std::string(buf, FormatTrace(link, d, t0_ns, buf, sizeof(buf)));
}

}  // namespace swapbench
