// Link: the pure part of the link emulator. Frames go in with their arrival
// time (Offer), frames come out when they are due (PopDue); no sockets, no
// clock reads, no threads. The relay (relay.h) owns the sockets and the
// clock; link-preview and the tests drive a Link on a fake clock.
//
// Each direction has its own chain of impairments (scenario order), each
// impairment its own Rng stream ("link.<direction>.<name>") derived from the
// scenario seed: the same seed and the same frames at the same times give
// the same decisions, and adding an impairment does not shift another's
// draws. Frames leave a direction in order unless an impairment lets them
// reorder (reorder, or delay with reorder = true). Not thread-safe.
#ifndef SWAPBENCH_NETEM_LINK_H_
#define SWAPBENCH_NETEM_LINK_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "netem/impairment.h"
#include "netem/phase.h"
#include "netem/rng.h"

namespace swapbench {

enum class Direction { kToGuest = 0, kToServer = 1 };
const char* DirectionName(Direction d);

struct LinkConfig {
  uint64_t seed = 0;
  std::vector<ImpairmentConfig> impairments;
  std::vector<PhaseConfig> phases;
  // The shorthand of `[link] loss`: Bernoulli loss per direction.
  static LinkConfig Loss(uint64_t seed, double to_guest, double to_server);
};

struct DirectionCounters {
  uint64_t frames = 0;         // frames offered to the link
  uint64_t dropped = 0;        // frames lost (loss, partition, queue drops)
  uint64_t bytes = 0;          // bytes delivered
  uint64_t delivered = 0;      // frames delivered (duplicates included)
  uint64_t queue_dropped = 0;  // of dropped: rate queue / link queue full
  uint64_t delayed = 0;
  uint64_t duplicated = 0;
  uint64_t corrupted = 0;
  uint64_t reordered = 0;
};

// One frame's fate, for the decision trace.
struct Decision {
  uint64_t index = 0;  // per direction, from 1
  int64_t t_ns = 0;
  Direction dir = Direction::kToGuest;
  size_t len = 0;
  FrameInfo info;
  unsigned actions = 0;  // Action bits
  int64_t delay_ns = 0;
  int copies = 1;
  bool now = false;  // delivered at once: the caller sends the frame itself
  int n_actors = 0;
  int actors[8] = {};  // chain entry indices that acted; -1-k: phase k's down
};

// Per-impairment counters for report.json.
struct ImpairmentReport {
  std::string name, kind, direction, filter;
  ImpairmentCounters counters;
};
struct PhaseReport {
  std::string name;
  uint64_t dropped_to_guest = 0, dropped_to_server = 0;  // by `down`
};

class Link {
 public:
  explicit Link(const LinkConfig& config);

  // A frame arrives at now_ns; impairments may change its bytes (corrupt).
  // If the decision says `now`, the caller delivers `data` itself;
  // otherwise the link has copied what it will deliver (or dropped it).
  const Decision& Offer(Direction dir, uint8_t* data, size_t len,
                        int64_t now_ns);
  // The next queued frame of `dir` due by now_ns: true and its bytes
  // (valid until the next Offer/PopDue), false when none is due.
  bool PopDue(Direction dir, int64_t now_ns, const uint8_t** data, size_t* len);
  // Earliest time at which PopDue will have something; max() if nothing.
  int64_t NextDue() const;
  // Phases count from here.
  void SetEpoch(int64_t now_ns) { epoch_ns_ = now_ns; }

  const DirectionCounters& counters(Direction dir) const {
    return dirs_[static_cast<int>(dir)].counters;
  }
  std::vector<ImpairmentReport> Impairments() const;
  std::vector<PhaseReport> Phases() const { return phase_reports_; }
  // The name the trace gives actor `a` of a decision in `dir`.
  std::string ActorName(Direction dir, int a) const;
  // True when neither direction has an impairment and there is no phase.
  bool idle() const;

  static constexpr size_t kMaxQueued = 65536;  // frames per direction

 private:
  struct Entry {
    std::string name;
    ImpairmentConfig config;
    std::unique_ptr<Impairment> imp;
    Rng rng;
    Filter filter;
    bool enabled;
    ImpairmentCounters counters;
  };
  struct Queued {
    int64_t release;
    uint64_t seq;
    int buf;
    bool operator>(const Queued& o) const {
      return release != o.release ? release > o.release : seq > o.seq;
    }
  };
  struct Held {
    int buf;
    int remaining;
    int64_t deadline;
  };
  struct Dir {
    std::vector<Entry> chain;
    std::vector<std::vector<int8_t>>
        phase_effect;  // [phase][entry] -1 off, 1 on
    std::priority_queue<Queued, std::vector<Queued>, std::greater<Queued>>
        queue;
    std::vector<Held> held;
    int64_t last_release = std::numeric_limits<int64_t>::min();
    uint64_t seq = 0;
    DirectionCounters counters;
  };

  int Store(const uint8_t* data, size_t len);
  void Departed(Dir& d, int64_t now_ns);

  std::vector<PhaseConfig> phases_;
  std::vector<PhaseReport> phase_reports_;
  std::vector<uint8_t> in_effect_;  // per phase, for the frame being offered
  Dir dirs_[2];
  int64_t epoch_ns_ = -1;
  Decision decision_;
  std::vector<std::vector<uint8_t>> bufs_;
  std::vector<int> free_bufs_;
  int popped_ = -1;  // buffer handed out by the last PopDue
};

// One trace line (no newline): index, time, direction, size, flow,
// decision, impairments — tab-separated; `t0_ns` is subtracted from times.
std::string TraceLine(const Link& link, const Decision& d, int64_t t0_ns);
// The same into buf (no newline, NUL-terminated), without allocating for
// frames no impairment acted on; returns its length.
size_t FormatTrace(const Link& link, const Decision& d, int64_t t0_ns,
                   char* buf, size_t cap);
// The header line of a trace file.
const char* TraceHeader();

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_LINK_H_
