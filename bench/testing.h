// Fakes of every seam a run is built on, for unit tests without root,
// QEMU, servers or sleeps (as ninja's test.h and leveldb's Env test
// doubles). FakeParts wires them into a Parts:
//
//   FakeEnv          a clock that moves only when the code sleeps; records
//                    every command, fails those a test names
//   FakeHypervisor   makes FakeVms; records stale domains destroyed
//   FakeVm           "boots" by writing a GuestScript's console and
//                    telemetry lines into the files QEMU would, as the fake
//                    clock reaches each line's time; answers SysRq
//   FakeStorage      records faults; can die at a given time
//   FakeNetworkPath  counters a test sets
//
// Every fake notes what it created and what it tore down, so a test can
// check that a run left nothing behind.
//
// Threading: single-threaded, like the tests.
#ifndef SWAPBENCH_BENCH_TESTING_H_
#define SWAPBENCH_BENCH_TESTING_H_

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/env.h"
#include "bench/network_path.h"
#include "bench/storage.h"
#include "bench/testbed.h"
#include "bench/vm.h"

namespace swapbench::testing {

// What everything fake did, in order ("vm start swapbench-sb1", "storage
// pause", "ip netns add swapbench-sb1", ...).
struct Journal {
  std::vector<std::string> lines;
  void Add(std::string l) { lines.push_back(std::move(l)); }
  bool Has(const std::string& prefix) const {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.rfind(prefix, 0) == 0;
    });
  }
  std::string Dump() const {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }
};

class FakeEnv : public Env {
 public:
  explicit FakeEnv(Journal* j) : journal_(j) {}
  double Now() override { return now_; }
  double WallTime() override { return 1764518400 + now_; }  // 2025-11-30
  void Sleep(double seconds) override {
    now_ += seconds;
    for (auto& hook : on_sleep_) hook(now_);
  }
  Result<CommandResult> Run(const std::vector<std::string>& argv,
                            int) override {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    journal_->Add(line);
    CommandResult r;
    r.exit_code = fail_ && fail_(line) ? 1 : 0;
    if (r.exit_code) r.output = "fake failure";
    return r;
  }
  // Called after every Sleep with the new time (the fake guest's clock).
  void OnSleep(std::function<void(double)> hook) {
    on_sleep_.push_back(std::move(hook));
  }
  // Commands for which `fail` is true exit 1.
  void FailCommands(std::function<bool(const std::string&)> fail) {
    fail_ = std::move(fail);
  }

 private:
  Journal* journal_;
  double now_ = 1000;
  std::vector<std::function<void(double)>> on_sleep_;
  std::function<bool(const std::string&)> fail_;
};

// What a fake guest prints, and when (seconds after it started).
struct GuestScript {
  struct Line {
    double at;
    bool telemetry;  // else console
    std::string text;
  };
  std::vector<Line> lines;
  double stop_at = -1;                   // the guest stops then ...
  std::string stop_reason = "shutdown";  // ... for this reason
  std::string sysrq_reply;               // console text SysRq w/m prints
  bool start_fails = false;

  void Console(double at, std::string text) {
    lines.push_back({at, false, std::move(text)});
  }
  void Telemetry(double at, std::string text) {
    lines.push_back({at, true, std::move(text)});
  }
};

class FakeVm : public Vm {
 public:
  FakeVm(FakeEnv* env, Journal* j, VmConfig c, const GuestScript& script)
      : env_(env), journal_(j), c_(std::move(c)), script_(script) {}
  ~FakeVm() override { *alive_ = false; }
  Status Start() override {
    journal_->Add("vm start " + c_.name);
    if (script_.start_fails)
      return Status::Harness("libvirt: fake domain failed to start");
    started_ = env_->Now();
    running_ = true;
    auto alive = alive_;
    env_->OnSleep([this, alive](double now) {
      if (*alive) Advance(now);
    });
    Advance(started_);
    return Status::Ok();
  }
  bool Running() override { return running_; }
  std::string StopReason() override { return running_ ? "" : reason_; }
  void Destroy() override {
    if (!destroyed_) journal_->Add("vm destroy " + c_.name);
    destroyed_ = true;
    if (running_) reason_ = "destroyed";
    running_ = false;
  }
  Status MonitorCommand(const std::string& hmp, std::string* reply) override {
    journal_->Add("vm monitor " + hmp);
    if (hmp == "info registers -a") *reply = "RAX=0000000000000000\n";
    if (hmp.rfind("sendkey alt-sysrq", 0) == 0 && !script_.sysrq_reply.empty())
      Append(c_.console_log, script_.sysrq_reply);
    return Status::Ok();
  }
  Status Release() override {
    journal_->Add("vm release");
    return Status::Ok();
  }
  std::string qemu_log() const override { return ""; }

 private:
  // Writes every line due by `now`; stops the guest when its time comes.
  void Advance(double now) {
    if (!running_) return;
    const double t = now - started_;
    while (next_ < script_.lines.size() && script_.lines[next_].at <= t) {
      const auto& l = script_.lines[next_++];
      Append(l.telemetry ? c_.telemetry_log : c_.console_log, l.text + "\n");
    }
    if (script_.stop_at >= 0 && t >= script_.stop_at) {
      running_ = false;
      reason_ = script_.stop_reason;
      journal_->Add("vm stopped " + reason_);
    }
  }
  static void Append(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::app | std::ios::binary) << text;
  }

  FakeEnv* env_;
  Journal* journal_;
  VmConfig c_;
  GuestScript script_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  double started_ = 0;
  size_t next_ = 0;
  bool running_ = false, destroyed_ = false;
  std::string reason_;
};

class FakeHypervisor : public Hypervisor {
 public:
  FakeHypervisor(FakeEnv* env, Journal* j) : env_(env), journal_(j) {}
  std::unique_ptr<Vm> MakeVm(const VmConfig& c) override {
    config = c;
    return std::make_unique<FakeVm>(env_, journal_, c, script);
  }
  void DestroyStale(const std::string& name) override {
    journal_->Add("vm destroy-stale " + name);
  }
  bool UseKvm(std::string* reason) override {
    *reason = "TCG: fake hypervisor";
    return false;
  }
  GuestScript script;  // what the next guest does
  VmConfig config;     // the last guest's configuration

 private:
  FakeEnv* env_;
  Journal* journal_;
};

class FakeStorage : public Storage {
 public:
  FakeStorage(FakeEnv* env, Journal* j, StorageParams p)
      : env_(env), journal_(j), p_(std::move(p)) {}
  ~FakeStorage() override { Stop(); }
  Status Start() override {
    journal_->Add(std::string("storage start ") + Name(p_.kind));
    running_ = true;
    return Status::Ok();
  }
  void Stop() override {
    if (running_) journal_->Add("storage stop");
    running_ = false;
  }
  std::string Health() override {
    if (dies_at >= 0 && env_->Now() >= dies_at)
      return "fake-server exited (status 9)";
    return "";
  }
  std::vector<pid_t> pids() const override { return {}; }
  std::string export_path() const override { return "/export"; }
  std::string log_path() const override { return p_.log_dir + "/fake.log"; }
  Status Pause() override { return Journaled("storage pause"); }
  Status Resume() override { return Journaled("storage resume"); }
  Status Restart() override { return Journaled("storage restart"); }
  std::string AgentConfig() const override {
    return "storage=" + std::string(Name(p_.kind)) + "\n";
  }
  std::string type() const override { return Name(p_.kind); }
  double dies_at = -1;  // Env time at which Health() reports it gone

 private:
  Status Journaled(const std::string& what) {
    journal_->Add(what + " at " + std::to_string(env_->Now()));
    return Status::Ok();
  }
  FakeEnv* env_;
  Journal* journal_;
  StorageParams p_;
  bool running_ = false;
};

class FakeNetworkPath : public NetworkPath {
 public:
  explicit FakeNetworkPath(Journal* j) : journal_(j) {
    journal_->Add("path make");
  }
  ~FakeNetworkPath() override { journal_->Add("path gone"); }
  void ConfigureVm(VmConfig* vc) const override { vc->relay_port = 1; }
  bool carries_link() const override { return true; }
  void SetEpoch(double now) override { epoch = now; }
  RelayCounters counters() const override { return snapshot.counters; }
  RelaySnapshot Stop() override { return snapshot; }
  std::string server_device() const override { return "sbtap0"; }
  std::string engine() const override { return "relay"; }
  RelaySnapshot snapshot;
  double epoch = -1;

 private:
  Journal* journal_;
};

// Every seam faked, sharing one journal.
struct FakeParts {
  Journal journal;
  FakeEnv env{&journal};
  FakeHypervisor hypervisor{&env, &journal};
  double storage_dies_at = -1;
  std::string image_dir;  // where the fake guest image is written

  Parts Get() {
    Parts p;
    p.env = &env;
    p.hypervisor = &hypervisor;
    p.make_network_path =
        [this](
            const NetworkPathParams&) -> Result<std::unique_ptr<NetworkPath>> {
      return std::unique_ptr<NetworkPath>(
          std::make_unique<FakeNetworkPath>(&journal));
    };
    p.make_storage = [this](const StorageParams& sp) {
      auto s = std::make_unique<FakeStorage>(&env, &journal, sp);
      s->dies_at = storage_dies_at;
      return std::unique_ptr<Storage>(std::move(s));
    };
    p.prepare_guest = [this](const KernelSpec& ks,
                             const Scenario&) -> Result<Guest> {
      Guest g;
      g.kernel.release = "6.1.0-fake-amd64";
      g.kernel.image = image_dir + "/vmlinuz";
      g.kernel.source = "debian:" + ks.package + " fake";
      g.image.initramfs = image_dir + "/initrd.base";
      g.image.hash = "0123456789abcdef";
      g.image.reused = true;
      std::ofstream(g.image.initramfs) << "fake cpio";
      return g;
    };
    return p;
  }
};

}  // namespace swapbench::testing

#endif  // SWAPBENCH_BENCH_TESTING_H_
