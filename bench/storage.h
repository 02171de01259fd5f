// Storage: the server that holds the guest's swap, run per run inside the
// run's network namespace. GaneshaServer is the NFS implementation; NBD
// and iSCSI servers implement the same interface.
//
// Ownership: the runner owns one Storage for one run; Stop() (also called
// by the destructor) kills every process Start() spawned, without a grace
// period: it runs once the guest is gone, when the swap it served is
// garbage and nothing is left to protect (ganesha took ~2 s to exit on
// SIGTERM, tgtd ignores it while it has sessions). Not thread-safe.
#ifndef SWAPBENCH_BENCH_STORAGE_H_
#define SWAPBENCH_BENCH_STORAGE_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/scenario.h"
#include "bench/status.h"

namespace swapbench {

class Storage {
 public:
  virtual ~Storage() = default;
  virtual Status Start() = 0;
  virtual void Stop() = 0;
  // Empty while the server runs; otherwise why it is gone.
  virtual std::string Health() = 0;
  // Processes to reap if swapbench itself is killed (recorded in the state
  // dir).
  virtual std::vector<pid_t> pids() const = 0;
  // Where the guest mounts from and what it swaps on (agent config).
  virtual std::string export_path() const = 0;
  virtual std::string log_path() const = 0;
  // Server-side faults. Pause stops the server process (SIGSTOP) with its
  // sockets open, as a hung server; Resume continues it. Restart kills it
  // (SIGKILL) and starts it again on the same export and state.
  virtual Status Pause() = 0;
  virtual Status Resume() = 0;
  virtual Status Restart() = 0;
  // The lines of the guest agent's config that say what to swap on and how
  // to reach it (storage=, nfs_*= or nbd_*=).
  virtual std::string AgentConfig() const = 0;
  // "nfs4.1", "nbd": report.json swap.type.
  virtual std::string type() const = 0;
};

struct NfsConfig {
  std::string netns_path;  // /run/netns/NAME
  std::string dir;         // scratch: export/ (the swapfile), recovery/
  std::string
      log_dir;  // kept with the report: ganesha.conf, ganesha.log, rpcbind.log
  std::string client_ip;      // the only address the export admits
  std::string version;        // "3", "4.0", "4.1", "4.2"
  std::string mount_options;  // appended to the guest's mount options
  int swapfile_mib = 256;
};

// Renders ganesha.conf for `c` (pure; tested).
std::string GaneshaConfig(const NfsConfig& c);

class GaneshaServer : public Storage {
 public:
  explicit GaneshaServer(NfsConfig c) : c_(std::move(c)) {}
  ~GaneshaServer() override { Stop(); }
  Status Start() override;
  void Stop() override;
  std::string Health() override;
  std::vector<pid_t> pids() const override { return {ganesha_, rpcbind_}; }
  std::string export_path() const override { return "/export"; }
  std::string log_path() const override { return c_.log_dir + "/ganesha.log"; }
  Status Pause() override;
  Status Resume() override;
  Status Restart() override;
  std::string AgentConfig() const override;
  std::string type() const override { return "nfs" + c_.version; }

 private:
  std::string conf_path() const { return c_.log_dir + "/ganesha.conf"; }
  // Starts ganesha.nfsd in rpcbind's namespaces and waits until it serves.
  Status StartGanesha();

  NfsConfig c_;
  pid_t rpcbind_ = 0;
  pid_t ganesha_ = 0;
};

// Waits until the server `pid` listens on `port` in its namespace; a
// Harness error quoting `log` if it exits or takes over 10 s.
Status WaitListening(pid_t* pid, int port, const std::string& name,
                     const std::string& log);
// Sends `sig` to the server's process group (it may fork workers).
Status SignalGroup(pid_t pid, int sig, const std::string& name);
// SIGKILLs the process group and reaps the leader; *pid becomes 0.
void KillGroup(pid_t* pid);
// "" while `pid` runs; otherwise why it is gone (reaping it).
std::string ServerHealth(pid_t* pid, const std::string& name,
                         const std::string& log);

// Creates the swapfile: allocated (no holes), mode 0600, mkswap'd.
Status MakeSwapfile(const std::string& path, int mib);

// A server exporting one block image (NBD, iSCSI).
struct BlockConfig {
  std::string netns_path;
  std::string dir;        // scratch: the exported image
  std::string log_dir;    // kept with the report: config, log
  std::string server_ip;  // where it listens
  std::string client_ip;  // the only address allowed
  int swap_mib = 256;
};

// Renders nbd-server's config for `c` (pure; tested).
std::string NbdServerConfig(const BlockConfig& c);

// A server process that exports one swap image (NBD, iSCSI): everything
// but how the process is launched and configured is the same.
class BlockServer : public Storage {
 public:
  explicit BlockServer(BlockConfig c) : c_(std::move(c)) {}
  // Makes the image, then Launch()es.
  Status Start() override;
  void Stop() override;
  std::string Health() override;
  std::vector<pid_t> pids() const override { return {pid_}; }
  // Stall and restart act on the whole process group (workers included).
  Status Pause() override;
  Status Resume() override;
  Status Restart() override;

 protected:
  // Starts the server process into pid_ and waits until it serves.
  virtual Status Launch() = 0;
  // The process name, for messages.
  virtual const char* name() const = 0;
  std::string image() const { return c_.dir + "/swap.img"; }
  BlockConfig c_;
  pid_t pid_ = 0;
};

// nbd-server (the reference NBD server, as Debian ships it) exporting a
// per-run image named "swap". Chosen over qemu-nbd: it is a standalone
// network server like the ones NBD swap users deploy, and it forks a
// process per connection that a stall fault stops together with it.
class NbdServer : public BlockServer {
 public:
  static constexpr int kPort = 10809;
  explicit NbdServer(BlockConfig c) : BlockServer(std::move(c)) {}
  ~NbdServer() override { Stop(); }
  std::string export_path() const override { return "swap"; }
  std::string log_path() const override {
    return c_.log_dir + "/nbd-server.log";
  }
  std::string AgentConfig() const override;
  std::string type() const override { return "nbd"; }

 protected:
  Status Launch() override;
  const char* name() const override { return "nbd-server"; }
};

// tgtd, Debian's userspace iSCSI target, exporting a per-run image as LUN 1
// of one target, bound to the guest's address. The guest logs in with
// open-iscsi's iscsistart (the initramfs login tool) and the kernel
// initiator (iscsi_tcp); there is no iscsid in the guest, so the kernel
// cannot re-login after a connection is lost.
class IscsiServer : public BlockServer {
 public:
  static constexpr int kPort = 3260;
  static constexpr const char* kTarget = "iqn.2026-11.org.swapbench:swap";
  explicit IscsiServer(BlockConfig c) : BlockServer(std::move(c)) {}
  ~IscsiServer() override { Stop(); }
  std::string export_path() const override { return kTarget; }
  std::string log_path() const override { return c_.log_dir + "/tgtd.log"; }
  std::string AgentConfig() const override;
  std::string type() const override { return "iscsi"; }

 protected:
  Status Launch() override;
  const char* name() const override { return "tgtd"; }
};

// What a run asks of its storage server, whatever its kind.
struct StorageParams {
  StorageKind kind = StorageKind::kNfs;
  std::string netns_path;  // /run/netns/NAME
  std::string dir;         // scratch for the export
  std::string log_dir;     // the report directory
  std::string server_ip, client_ip;
  std::string nfs_version, mount_options;  // NFS only
  int swap_mib = 256;
};

// The server for `p.kind`, not started yet.
std::unique_ptr<Storage> MakeStorage(const StorageParams& p);
}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_STORAGE_H_
