#include "bench/record.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "bench/digest.h"
#include "bench/fs_util.h"
#include "bench/state.h"
#include "bench/text.h"

namespace swapbench {

namespace {

constexpr const char* kLog = "replay.bin";
constexpr const char* kDrive = "rr.qcow2";

std::string RecordDir(const std::string& run) { return run + "/record"; }

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < s.size()) {
    size_t nl = s.find('\n', at);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

}  // namespace

Result<RecordMode> ParseRecordMode(const std::string& s) {
  if (s.empty()) return RecordMode::kOff;
  if (s == "all") return RecordMode::kAll;
  if (s == "failures") return RecordMode::kFailures;
  return Status::Usage("--record=" + s + ": expected all or failures");
}

std::string UuidFor(const std::string& name) {
  std::string h = Sha256Hex("swapbench-domain:" + name);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-8" +
         h.substr(17, 3) + "-" + h.substr(20, 12);
}

Status PrepareRecording(const std::string& out_dir, VmConfig* vc) {
  if (vc->kvm)
    return Status::Usage(
        "--record: QEMU record/replay runs under TCG only, and this run "
        "would use KVM");
  if (!vc->hostdev_pci.empty())
    return Status::Usage(
        "--record: a NIC passed through with VFIO (vm.hostdev) cannot be "
        "recorded");
  const std::string dir = RecordDir(out_dir);
  (void)RemoveTreeWithin(out_dir, dir);
  if (Status s = MakeDirs(dir); !s.ok()) return s.Context("record");
  auto initrd = ReadFile(vc->initrd);
  if (!initrd.ok()) return initrd.status().Context("record: initrd");
  if (Status s = WriteFile(dir + "/initrd.img", *initrd); !s.ok())
    return s.Context("record");
  vc->initrd = dir + "/initrd.img";
  // The kernel where System.map and vmlinux say it is: gdb on a replay can
  // then break on a symbol's address.
  vc->cmdline += " nokaslr";
  vc->uuid = UuidFor(vc->name);
  vc->record_file = dir + "/" + kLog;
  return Status::Ok();
}

Status SaveRecording(const VmConfig& vc, const std::string& out_dir,
                     double wall_s) {
  const std::string dir = RecordDir(out_dir);
  auto initrd_sha = Sha256File(vc.initrd);
  if (!initrd_sha.ok()) return initrd_sha.status().Context("record: initrd");
  auto kernel_sha = Sha256File(vc.kernel);
  if (!kernel_sha.ok()) return kernel_sha.status().Context("record");
  struct stat st {};
  double log_mb = stat(vc.record_file.c_str(), &st) == 0 ? st.st_size / 1e6 : 0;
  nlohmann::json j = {{"schema", "swapbench.recording/1"},
                      {"name", vc.name},
                      {"uuid", vc.uuid},
                      {"memory_mib", vc.memory_mib},
                      {"cpus", vc.cpus},
                      {"kernel", vc.kernel},
                      {"kernel_sha256", *kernel_sha},
                      {"initrd_sha256", *initrd_sha},
                      {"cmdline", vc.cmdline},
                      {"control_port", vc.control_port},
                      {"nic", vc.nic},
                      {"mac", vc.mac},
                      {"queues", vc.queues},
                      {"wall_s", wall_s},
                      {"log_mb", log_mb}};
  return WriteFile(dir + "/vm.json", j.dump(1) + "\n");
}

void DropRecording(const std::string& out_dir) {
  (void)RemoveTreeWithin(out_dir, RecordDir(out_dir));
}

Result<ReplaySetup> ReplayConfig(Env* env, const std::string& run_dir,
                                 int gdb_port) {
  const std::string dir = RecordDir(run_dir);
  auto text = ReadFile(dir + "/vm.json");
  if (!text.ok())
    return Status::Usage(run_dir +
                         ": no recording (record/vm.json; was it run "
                         "with --record?)");
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || j.value("schema", "") != "swapbench.recording/1")
    return Status::Usage(dir + "/vm.json: not a swapbench recording");
  ReplaySetup r;
  VmConfig& vc = r.vm;
  vc.name = j.value("name", "");
  vc.uuid = j.value("uuid", "");
  vc.memory_mib = j.value("memory_mib", 256);
  vc.cpus = j.value("cpus", 1);
  vc.kernel = j.value("kernel", "");
  vc.cmdline = j.value("cmdline", "");
  vc.nic = j.value("nic", "virtio");
  vc.mac = j.value("mac", vc.mac);
  vc.queues = j.value("queues", 1);
  // Recordings from before the holds had no control port: the replay's
  // devices must be the recording's.
  vc.control_port = j.value("control_port", false);
  r.recorded_wall_s = j.value("wall_s", 0.0);
  auto sha = Sha256File(vc.kernel);
  if (!sha.ok() || *sha != j.value("kernel_sha256", ""))
    return Status::Usage(
        "replay: the recorded kernel " + vc.kernel +
        (sha.ok() ? " has changed (sha256 differs)" : " is gone") +
        "; prepare it again (run the scenario once with the "
        "same kernel) or restore it");
  const std::string out = run_dir + "/replay";
  (void)RemoveTreeWithin(run_dir, out);
  if (Status s = MakeDirs(out); !s.ok()) return s.Context("replay");
  vc.initrd = dir + "/initrd.img";
  vc.replay_file = dir + "/" + kLog;
  if (gdb_port > 0) {
    // Reverse execution keeps its snapshots on a drive named rr.
    vc.rr_drive = out + "/" + kDrive;
    if (Status s = env->RunChecked(
            {"qemu-img", "create", "-q", "-f", "qcow2", vc.rr_drive, "1G"});
        !s.ok())
      return s.Context("replay");
  }
  vc.console_log = out + "/console.log";
  vc.telemetry_log = out + "/telemetry.jsonl";
  vc.gdb_port = gdb_port;
  vc.start_paused = gdb_port > 0;
  return r;
}

std::string UpToLineWith(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  if (needle.empty() || at == std::string::npos) return "";
  size_t nl = text.find('\n', at);
  // A line still being written is not whole yet.
  if (nl == std::string::npos) return "";
  return text.substr(0, nl + 1);
}

ConsoleMatch CompareConsoles(const std::string& recorded,
                             const std::string& replayed) {
  ConsoleMatch m;
  auto a = Lines(recorded), b = Lines(replayed);
  m.recorded_lines = a.size();
  m.replayed_lines = b.size();
  while (m.identical_lines < a.size() && m.identical_lines < b.size() &&
         a[m.identical_lines] == b[m.identical_lines])
    ++m.identical_lines;
  m.identical = recorded == replayed;
  if (!m.identical) {
    if (m.identical_lines < a.size()) m.recorded = a[m.identical_lines];
    if (m.identical_lines < b.size()) m.replayed = b[m.identical_lines];
  }
  return m;
}

namespace {

// How far a replay that did not finish got: QEMU's own account.
std::string ReplayPosition(Vm* vm) {
  std::string reply;
  if (!vm->MonitorCommand("info replay", &reply).ok()) return "";
  return TrimRight(reply);
}

// The verdict line and exit code for the consoles.
int Judge(const ConsoleMatch& m, bool finished, const std::string& position) {
  if (m.identical && finished) {
    printf("replay: console byte-identical to the recording (%zu lines)\n",
           m.recorded_lines);
    return 0;
  }
  if (m.identical_lines < m.replayed_lines &&
      m.identical_lines < m.recorded_lines) {
    printf(
        "replay: console differs at line %zu\n  recorded: %s\n  replayed: %s\n",
        m.identical_lines + 1, m.recorded.c_str(), m.replayed.c_str());
    return 1;
  }
  if (!finished) {
    printf(
        "replay: did not finish; its console is identical to the "
        "recording's first %zu of %zu lines%s%s\n",
        m.identical_lines, m.recorded_lines,
        position.empty() ? "" : "; QEMU: ", position.c_str());
    return 3;
  }
  printf(
      "replay: finished with %zu of the recording's %zu lines (identical "
      "so far)\n",
      m.replayed_lines, m.recorded_lines);
  return 1;
}

}  // namespace

int Replay(const ReplayOptions& o, Hypervisor* hv, Env* env) {
  auto setup = ReplayConfig(env, o.run_dir, o.gdb_port);
  if (!setup.ok()) {
    fprintf(stderr, "swapbench: %s\n", setup.status().message().c_str());
    return setup.status().kind() == Status::Kind::kUsage ? 2 : 3;
  }
  const VmConfig& vc = setup->vm;
  (void)WriteFile(o.run_dir + "/replay/domain.xml", DomainXml(vc));
  RunState state(o.state_dir, "replay-" + std::to_string(getpid()));
  // (the record's id is the state's)
  RunRecord record;
  record.id = "replay-" + std::to_string(getpid());
  record.domain = vc.name;
  if (Status s = state.Begin(record); !s.ok()) {
    fprintf(stderr, "swapbench: %s\n", s.message().c_str());
    return 3;
  }
  hv->DestroyStale(vc.name);  // a run or replay of it killed earlier
  auto vm = hv->MakeVm(vc);
  const double t0 = env->Now();
  if (Status s = vm->Start(); !s.ok()) {
    fprintf(stderr, "swapbench: replay: %s\n", s.message().c_str());
    state.End();
    return 3;
  }
  if (o.gdb_port > 0)
    printf(
        "replay: paused for gdb on 127.0.0.1:%d (gdb vmlinux -ex 'target "
        "remote :%d'; continue, reverse-stepi, reverse-continue)\n",
        o.gdb_port, o.gdb_port);
  else
    printf("replay: %s (recorded in %.0f s), at most %.0f s\n",
           o.run_dir.c_str(), setup->recorded_wall_s, o.timeout_s);
  fflush(stdout);
  bool finished = false;
  for (;;) {
    if (!vm->Running()) {
      finished = true;
      break;
    }
    if (!o.until.empty()) {
      auto now = ReadFile(vc.console_log);
      if (now.ok() && !UpToLineWith(*now, o.until).empty()) {
        finished = true;
        break;
      }
    }
    if (o.cancel && o.cancel->load() != 0) break;
    if (o.gdb_port == 0 && env->Now() - t0 > o.timeout_s) break;
    env->Sleep(0.5);
  }
  const double took = env->Now() - t0;
  std::string position = finished ? "" : ReplayPosition(vm.get());
  vm->Destroy();
  if (auto q = ReadFile(vm->qemu_log()); q.ok())
    (void)WriteFile(o.run_dir + "/replay/qemu.log", *q);
  if (auto q = ReadFile(vm->qemu_log()); q.ok())
    (void)WriteFile(o.run_dir + "/replay/qemu.log", *q);
  state.End();
  auto recorded = ReadFile(o.run_dir + "/console.log");
  auto replayed = ReadFile(vc.console_log);
  if (!recorded.ok() || !replayed.ok()) {
    fprintf(stderr, "swapbench: replay: cannot read the consoles\n");
    return 3;
  }
  printf("replay: %.1f s (%.1fx the recording's %.1f s)\n", took,
         setup->recorded_wall_s > 0 ? took / setup->recorded_wall_s : 0.0,
         setup->recorded_wall_s);
  if (!o.until.empty()) {
    // Both consoles up to the line: the recording must have it too.
    std::string want = UpToLineWith(*recorded, o.until);
    if (want.empty()) {
      printf("replay: the recorded console has no line with \"%s\"\n",
             o.until.c_str());
      return 2;
    }
    std::string got = UpToLineWith(*replayed, o.until);
    if (finished) printf("replay: stopped at \"%s\"\n", o.until.c_str());
    return Judge(CompareConsoles(want, got.empty() ? *replayed : got),
                 finished && !got.empty(), position);
  }
  return Judge(CompareConsoles(*recorded, *replayed), finished, position);
}

}  // namespace swapbench
