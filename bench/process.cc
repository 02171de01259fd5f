#include "bench/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "netem/clock.h"

namespace swapbench {

namespace {

std::vector<char*> Argv(const std::vector<std::string>& argv) {
  std::vector<char*> v;
  for (const auto& a : argv) v.push_back(const_cast<char*>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

// In the child, before exec: undo what swapbench set for itself.
void ResetChildSignals() {
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGCHLD}) signal(s, SIG_DFL);
  setpgid(0, 0);
}

std::string Join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                 int timeout_s) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0)
    return Status::Harness(std::string("pipe: ") + strerror(errno));
  auto args = Argv(argv);
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return Status::Harness(std::string("fork: ") + strerror(errno));
  }
  if (pid == 0) {
    ResetChildSignals();
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(p[1], 1);
    dup2(p[1], 2);
    execvp(args[0], args.data());
    dprintf(2, "exec %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  close(p[1]);
  CommandResult r;
  int64_t deadline = (MonotonicNs() / 1000000) + timeout_s * 1000LL;
  char buf[65536];
  for (;;) {
    int64_t left = deadline - (MonotonicNs() / 1000000);
    if (left <= 0) {
      r.timed_out = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      break;
    }
    pollfd pfd{p[0], POLLIN, 0};
    int n = poll(&pfd, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    ssize_t got = read(p[0], buf, sizeof(buf));
    if (got <= 0) break;
    r.output.append(buf, got);
  }
  close(p[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!r.timed_out && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (r.exit_code == 127 && r.output.find("exec ") == 0)
    return Status::Harness(r.output.substr(0, r.output.find('\n')));
  return r;
}

Status RunChecked(const std::vector<std::string>& argv, int timeout_s) {
  return CheckCommand(argv, RunCommand(argv, timeout_s), timeout_s);
}

Status CheckCommand(const std::vector<std::string>& argv,
                    const Result<CommandResult>& r, int timeout_s) {
  if (!r.ok()) return r.status();
  if (r->exit_code == 0) return Status::Ok();
  std::string out = r->output;
  if (out.size() > 800) out = "..." + out.substr(out.size() - 800);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::string why = r->timed_out
                        ? "timed out after " + std::to_string(timeout_s) + " s"
                        : "exit " + std::to_string(r->exit_code);
  return Status::Harness("`" + Join(argv) + "` " + why +
                         (out.empty() ? "" : ": " + out));
}

Result<pid_t> Spawn(const std::vector<std::string>& argv,
                    const SpawnOptions& opts) {
  auto args = Argv(argv);
  // Everything the child needs is prepared before fork(): after it, only
  // async-signal-safe calls.
  std::string mntns =
      opts.join_mount_ns_of
          ? "/proc/" + std::to_string(opts.join_mount_ns_of) + "/ns/mnt"
          : "";
  int errp[2];
  if (pipe2(errp, O_CLOEXEC) != 0)
    return Status::Harness(std::string("pipe: ") + strerror(errno));
  pid_t pid = fork();
  if (pid < 0) return Status::Harness(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    close(errp[0]);
    ResetChildSignals();
    auto die = [&](const char* what) {
      int e = errno;
      (void)!write(errp[1], what, strlen(what));
      (void)!write(errp[1], ": ", 2);
      const char* es = strerror(e);
      (void)!write(errp[1], es, strlen(es));
      _exit(127);
    };
    int in = open("/dev/null", O_RDONLY);
    int out = opts.log_path.empty() ? open("/dev/null", O_WRONLY)
                                    : open(opts.log_path.c_str(),
                                           O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0) die("open log");
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    if (!opts.netns_path.empty()) {
      int fd = open(opts.netns_path.c_str(), O_RDONLY);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) die("setns net");
    }
    if (!mntns.empty()) {
      int fd = open(mntns.c_str(), O_RDONLY);
      if (fd < 0 || setns(fd, CLONE_NEWNS) != 0) die("setns mnt");
    }
    if (opts.private_run) {
      if (unshare(CLONE_NEWNS) != 0) die("unshare mount namespace");
      if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        die("make / private");
      if (mount("tmpfs", "/run", "tmpfs", 0, "mode=0755,size=16m") != 0)
        die("mount tmpfs /run");
      mkdir("/run/rpcbind", 0755);
    }
    execvp(args[0], args.data());
    die(args[0]);
  }
  close(errp[1]);
  // The pipe closes on a successful exec (CLOEXEC); data means the child
  // failed.
  char buf[512];
  ssize_t n = 0;
  for (;;) {
    ssize_t r = read(errp[0], buf + n, sizeof(buf) - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += r;
  }
  close(errp[0]);
  if (n > 0) {
    buf[n] = 0;
    int st;
    waitpid(pid, &st, 0);
    return Status::Harness("start " + argv[0] + ": " + buf);
  }
  return pid;
}

bool ChildAlive(pid_t pid, int* status) {
  int st = 0;
  pid_t r = waitpid(pid, &st, WNOHANG);
  if (r == 0) return true;
  if (r == pid && status) *status = st;
  return false;
}

namespace {
std::atomic<bool> g_hurry{false};
}  // namespace

void SetHurry(bool on) { g_hurry = on; }

void Terminate(pid_t pid, int grace_ms) {
  if (pid <= 0) return;
  // A second Ctrl-C: no more waiting for anyone to exit cleanly.
  if (g_hurry) grace_ms = 0;
  // The whole process group: servers may fork workers (nbd-server does).
  kill(-pid, SIGCONT);
  if (grace_ms > 0) kill(-pid, SIGTERM);
  int64_t deadline = (MonotonicNs() / 1000000) + grace_ms;
  bool alive = true;
  while (alive && (MonotonicNs() / 1000000) < deadline) {
    alive = ChildAlive(pid);
    if (alive) usleep(20000);
  }
  // Workers that outlived the leader go too.
  kill(-pid, SIGKILL);
  int st;
  while (alive && waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
}

std::string TailFile(const std::string& path, int n) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(f, line)) {
    lines.push_back(line);
    if (static_cast<int>(lines.size()) > n) lines.erase(lines.begin());
  }
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

}  // namespace swapbench
