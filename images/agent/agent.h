// What the agent's parts share (agent.cc: boot, setup, telemetry;
// workloads.cc: the workloads): output to the console and the port, the
// workloads' shared progress, small file helpers. Nothing here allocates:
// it runs while the guest is out of memory.
//
// Threads: Log and Event are safe from any thread; the progress records
// are atomics written by the workload processes (MAP_SHARED) and read by
// the telemetry thread.
#ifndef SWAPBENCH_IMAGES_AGENT_AGENT_H_
#define SWAPBENCH_IMAGES_AGENT_AGENT_H_

#include <atomic>

#include "images/agent/agent_config.h"

namespace swapbench::agent {

void Log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// An event line: {"t":..,"event":"NAME", <extra JSON members>}.
void Event(const char* name, const char* fmt = nullptr, ...)
    __attribute__((format(printf, 2, 3)));
// An event whose members (already JSON, up to 16 KiB) do not fit Event's
// buffer.
void EventMembers(const char* name, const char* members);
[[noreturn]] void Fail(const char* step, int err, const char* detail);
double Now();  // CLOCK_BOOTTIME seconds, as the console's timestamps
bool WriteFile(const char* path, const char* value);
// Reads a whole small file through an fd opened up front (no allocation).
int PreadAll(int fd, char* buf, int cap);
// The number after "key" at a line start ("key N" or "key: N"); -1.
long long Field(const char* text, const char* key);

// One workload's progress, written by its process, read by telemetry and
// by the scheduler (start conditions). Units: pages for a hog's
// written/verified/corrupted, bytes for the rest.
struct Progress {
  std::atomic<unsigned long long> total;    // hog: pages; file: bytes
  std::atomic<unsigned long long> written;  // hog: first-pass pages
  std::atomic<unsigned long long> verified;
  std::atomic<unsigned long long> corrupted;
  std::atomic<unsigned long long> work_bytes;     // every byte touched
  std::atomic<unsigned long long> written_bytes;  // for after_bytes
  std::atomic<unsigned long long> write_ns;       // writer: inside write(2)
  std::atomic<unsigned long long> max_write_us;   // writer: longest write(2)
  std::atomic<unsigned long long> phase_ns;       // writer: the write pass
  std::atomic<unsigned long long> fsyncs;
  std::atomic<unsigned long long> passes;  // completed
  std::atomic<int> io_errno;               // first I/O error
  std::atomic<int> ended;                  // set by the scheduler
};
// kMaxWorkloads records in one MAP_SHARED mapping (made before any fork),
// followed by the HoldState.
extern Progress* progress;

// Holds (protocol.h conf::kHold): the workloads wait at points of their
// progress until the host has acted there (a fault begins, the link's
// clock starts), so what the host does lands at the same point of the
// guest's work whatever the host's timing. Hold emits the hold event and
// waits for the host's word on the control port (at most kHoldTimeoutS).
// HoldPoint is called by the hogs as they write: the one that reaches the
// plan's next hold point holds, the others wait while it does.
struct HoldState {
  std::atomic<int> next;  // index of the next hold point
  std::atomic<int> held;
};
extern HoldState* hold_state;  // in the progress mapping
extern int control_fd;         // the control port, read side; -1: none
void Hold(const char* at, unsigned long long pages);
void HoldPoint(const GuestPlan& g);

// The NIC (nic.cc): eth0's MTU before it goes up, then the `nic` event;
// `nic_stats` at the end.
void SetMtu(const char* ifname, int mtu);
void ReportNic(const char* ifname);
void ReportNicStats(const char* ifname);

// Starts every workload of `plan` when its condition holds, reaps them,
// and reports each one's start and exit; returns when all have ended.
void RunWorkloads(const GuestPlan& plan);

}  // namespace swapbench::agent

#endif  // SWAPBENCH_IMAGES_AGENT_AGENT_H_
