// A corpus of malformed scenarios — the mistakes people make (syntax, typos,
// wrong types, ranges, NaN, contradictions, names that would be paths,
// missing keys, engine limits) — each with the exact message `check` gives:
// file:line, what is wrong, what was expected. The file is "bad.toml".
#include <gtest/gtest.h>

#include "bench/scenario.h"

namespace swapbench {
namespace {

struct Bad {
  const char* toml;
  const char* message;
};

const Bad
    kCorpus[] =
        {
            {R"toml(name = "x"
[storage]
swapfile_mib = 2e57)toml",
             R"msg(bad.toml:3: storage.swapfile_mib: expected an integer in [16, 65536])msg"},
            {R"toml(name = "x"
seed = )toml",
             R"msg(bad.toml:2:8: Error while parsing key-value pair: expected value, saw '\n')msg"},
            {R"toml(name = "x"
[vm
memory_mib = 256)toml",
             R"msg(bad.toml:2:4: Error while parsing table header: expected ']', saw '\n')msg"},
            {R"toml(name = "x"
name = "y")toml",
             R"msg(bad.toml:2:8: Error while parsing key-value pair: cannot redefine existing string 'name')msg"},
            {R"toml(seed = 3)toml",
             R"msg(bad.toml:1: name: expected a scenario name)msg"},
            {R"toml(name = "")toml",
             R"msg(bad.toml:1: name: expected a scenario name)msg"},
            {R"toml(name = "a/b")toml",
             R"msg(bad.toml:1: name "a/b": expected letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 (it names the report directory))msg"},
            {R"toml(name = "../etc")toml",
             R"msg(bad.toml:1: name "../etc": expected letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 (it names the report directory))msg"},
            {R"toml(name = 5)toml",
             R"msg(bad.toml:1: name: expected a string)msg"},
            {R"toml(name = "x"
seed = -1)toml",
             R"msg(bad.toml:2: seed -1 out of range [0, 9223372036854775807])msg"},
            {R"toml(name = "x"
seed = 1.5)toml",
             R"msg(bad.toml:2: seed: expected an integer in [0, 9223372036854775807])msg"},
            {R"toml(name = "x"
seed = "1")toml",
             R"msg(bad.toml:2: seed: expected an integer in [0, 9223372036854775807])msg"},
            {R"toml(name = "x"
sed = 1)toml",
             R"msg(bad.toml:2: unknown key sed at the top level (expected capture, cgroup, description, expect, fault, flood, guest, include, kernel, limits, link, matrix, name, phase, seed, storage, vm, workload; did you mean seed?))msg"},
            {R"toml(name = "x"
[kernel]
package = "../../../..")toml",
             R"msg(bad.toml:3: kernel.package "../../../..": expected a Debian package name (lowercase letters, digits, '+', '-' and '.', starting with a letter or digit; e.g. linux-image-6.1.0-54-amd64) or the path of a .deb file)msg"},
            {R"toml(name = "x"
[kernel]
package = "Linux-Image")toml",
             R"msg(bad.toml:3: kernel.package "Linux-Image": expected a Debian package name (lowercase letters, digits, '+', '-' and '.', starting with a letter or digit; e.g. linux-image-6.1.0-54-amd64) or the path of a .deb file)msg"},
            {R"toml(name = "x"
[kernel]
package = "linux-image-6.1.0-54-amd64"
bzimage = "/b"
modules = "/m")toml",
             R"msg(bad.toml:4: kernel.bzimage: a kernel comes from one of kernel.package, kernel.tree and kernel.bzimage, not several (keep one))msg"},
            {R"toml(name = "x"
[kernel]
package = "linux-image-6.1.0-54-amd64"
tree = "/src/linux")toml",
             R"msg(bad.toml:4: kernel.tree: a kernel comes from one of kernel.package, kernel.tree and kernel.bzimage, not several (keep one))msg"},
            {R"toml(name = "x"
[kernel]
tree = "/src/linux"
config = "/src/linux/.config")toml",
             R"msg(bad.toml:4: kernel.config goes with kernel.bzimage)msg"},
            {R"toml(name = "x"
[vm]
nic = "ne2k")toml",
             R"msg(bad.toml:3: vm.nic "ne2k": expected one of "e1000", "e1000e", "i82559", "pcnet", "rtl8139", "tulip", "virtio", "vmxnet3")msg"},
            {R"toml(name = "x"
[vm]
nic = "pcnet"
mtu = 9000)toml",
             R"msg(bad.toml:4: vm.mtu 9000: vm.nic "pcnet" (driver pcnet32) takes at most 1500)msg"},
            {R"toml(name = "x"
[vm]
nic = "e1000"
queues = 2)toml",
             R"msg(bad.toml:4: vm.queues: multiqueue is virtio-net's; vm.nic is "e1000")msg"},
            {R"toml(name = "x"
[vm.hostdev]
pci = "03:00.0")toml",
             R"msg(bad.toml:3: vm.hostdev.pci "03:00.0": expected a PCI address such as "0000:03:00.0")msg"},
            {R"toml(name = "x"
[link]
endpoint = "udp"
[vm]
queues = 2)toml",
             R"msg(bad.toml:5: vm.queues: multiqueue needs a TAP (link.endpoint "tap" or "veth"))msg"},
            {R"toml(name = "x"
[link]
host_interface = "enp3s0f1")toml",
             R"msg(bad.toml:3: link.host_interface: a host port carries the guest's frames only from a real NIC cabled to it; add [vm.hostdev] pci)msg"},
            {R"toml(name = "x"
[vm.hostdev]
pci = "0000:03:00.0")toml",
             R"msg(bad.toml:2: vm.hostdev: expected link.host_interface, the host port cabled to this NIC (the relay reads the guest's frames there))msg"},
            {R"toml(name = "x"
[link]
endpoint = "host-interface")toml",
             R"msg(bad.toml:3: link.endpoint "host-interface": expected link.host_interface, the host port cabled to the guest's NIC)msg"},
            {R"toml(name = "x"
[link]
endpoint = "veth"
host_interface = "enp3s0f1")toml",
             R"msg(bad.toml:3: link.endpoint "veth": link.host_interface needs endpoint "host-interface")msg"},
            {R"toml(name = "x"
[link]
endpoint = "vhost")toml",
             R"msg(bad.toml:3: link.endpoint "vhost": expected one of "host-interface", "tap", "udp", "veth")msg"},
            {R"toml(name = "x"
[link]
host_interface = "../eth0")toml",
             R"msg(bad.toml:3: link.host_interface "../eth0": expected an interface name (letters, digits, '.', '_', '-'; at most 15))msg"},
            {R"toml(name = "x"
[vm.hostdev]
driver = "ixgbevf")toml",
             R"msg(bad.toml:2: vm.hostdev: expected pci = "DDDD:BB:SS.F")msg"},
            {R"toml(name = "x"
[vm.hostdev]
pci = "0000:03:00.0"
driver = "ixgbe vf")toml",
             R"msg(bad.toml:4: vm.hostdev.driver "ixgbe vf": expected a module name such as "ixgbevf")msg"},
            {R"toml(name = "x"
[kernel]
bzimage = "/boot/vmlinuz")toml",
             R"msg(bad.toml:3: kernel.bzimage needs kernel.modules (its lib/modules/RELEASE directory))msg"},
            {R"toml(name = "x"
[kernel]
config = "/boot/config")toml",
             R"msg(bad.toml:3: kernel.config goes with kernel.bzimage)msg"},
            {R"toml(name = "x"
[kernel]
packages = "linux-image-6.1.0-54-amd64")toml",
             R"msg(bad.toml:3: unknown key kernel.packages in [kernel] (expected bzimage, config, modules, package, tree; did you mean package?))msg"},
            {R"toml(name = "x"
kernel = "linux-image-6.1.0-54-amd64")toml",
             R"msg(bad.toml:2: kernel: expected a table ([kernel]))msg"},
            {R"toml(name = "x"
[vm]
memory_mib = 64)toml",
             R"msg(bad.toml:3: vm.memory_mib 64 out of range [128, 65536])msg"},
            {R"toml(name = "x"
[vm]
memory_mib = "256")toml",
             R"msg(bad.toml:3: vm.memory_mib: expected an integer in [128, 65536])msg"},
            {R"toml(name = "x"
[vm]
cpus = 0)toml",
             R"msg(bad.toml:3: vm.cpus 0 out of range [1, 64])msg"},
            {R"toml(name = "x"
[vm]
memory = 256)toml",
             R"msg(bad.toml:3: unknown key vm.memory in [vm] (expected cmdline, cpus, hostdev, memory_mib, mtu, nic, queues; did you mean memory_mib?))msg"},
            {R"toml(name = "x"
[vm]
cmdline = "a\nb")toml",
             R"msg(bad.toml:3: vm.cmdline: expected one line of kernel parameters (at most 1024 characters))msg"},
            {R"toml(name = "x"
[storage]
kind = "smb")toml",
             R"msg(bad.toml:3: storage.kind "smb": expected one of "iscsi", "nbd", "nfs")msg"},
            {R"toml(name = "x"
[storage]
version = "5")toml",
             R"msg(bad.toml:3: storage.version "5": expected one of "3", "4.0", "4.1", "4.2")msg"},
            {R"toml(name = "x"
[storage]
version = 4.1)toml",
             R"msg(bad.toml:3: storage.version: expected a string)msg"},
            {R"toml(name = "x"
[storage]
kind = "nbd"
version = "4.2")toml",
             R"msg(bad.toml:4: storage.version applies to kind "nfs" only, not "nbd")msg"},
            {R"toml(name = "x"
[storage]
kind = "iscsi"
mount_options = "soft")toml",
             R"msg(bad.toml:4: storage.mount_options applies to kind "nfs" only, not "iscsi")msg"},
            {R"toml(name = "x"
[storage]
mount_options = "soft; rm -rf /")toml",
             R"msg(bad.toml:3: storage.mount_options: expected comma-separated NFS options)msg"},
            {R"toml(name = "x"
[storage]
swapfile_mib = 8)toml",
             R"msg(bad.toml:3: storage.swapfile_mib 8 out of range [16, 65536])msg"},
            {R"toml(name = "x"
[cgroup])toml",
             R"msg(bad.toml:2: [cgroup]: expected memory_max_mib or memory_high_mib)msg"},
            {R"toml(name = "x"
[cgroup]
memory_max_mb = 48)toml",
             R"msg(bad.toml:3: unknown key cgroup.memory_max_mb in [cgroup] (expected memory_high_mib, memory_max_mib; did you mean memory_max_mib?))msg"},
            {R"toml(name = "x"
[cgroup]
memory_max_mib = 4)toml",
             R"msg(bad.toml:3: cgroup.memory_max_mib 4 out of range [8, 65536])msg"},
            {R"toml(name = "x"
[workload]
hog_mib = 0)toml",
             R"msg(bad.toml:3: workload.hog_mib 0 out of range [1, 65536])msg"},
            {R"toml(name = "x"
[workload]
hog = 128)toml",
             R"msg(bad.toml:3: unknown key workload.hog in [workload] (expected hog_mib; did you mean hog_mib?))msg"},
            {R"toml(name = "x"
[link]
loss = 1.5)toml",
             R"msg(bad.toml:3: link.loss 1.5 out of range [0, 1])msg"},
            {R"toml(name = "x"
[link]
loss = nan)toml",
             R"msg(bad.toml:3: link.loss nan out of range [0, 1])msg"},
            {R"toml(name = "x"
[link]
loss = "5%")toml",
             R"msg(bad.toml:3: link.loss: expected a probability in [0, 1])msg"},
            {R"toml(name = "x"
[link]
engine = "tc")toml",
             R"msg(bad.toml:3: link.engine "tc": expected one of "kernel-netem", "relay")msg"},
            {R"toml(name = "x"
[link.to_guest]
loss = -0.1)toml",
             R"msg(bad.toml:3: link.to_guest.loss -0.1 out of range [0, 1])msg"},
            {R"toml(name = "x"
[[link.impairment]]
p = 0.1)toml",
             R"msg(bad.toml:2: [[link.impairment]]: expected kind (loss, delay, reorder, duplicate, corrupt, rate or partition))msg"},
            {R"toml(name = "x"
[[link.impairment]]
kind = "loss")toml",
             R"msg(bad.toml:2: [[link.impairment]] loss: expected p)msg"},
            {R"toml(name = "x"
[[link.impairment]]
kind = "loss"
prob = 0.1)toml",
             R"msg(bad.toml:4: unknown key link.impairment.prob in [[link.impairment]] (expected direction, enabled, invert, kind, model, name, p, port, protocol; did you mean p?))msg"},
            {R"toml(name = "x"
[[link.impairment]]
kind = "delay")toml",
             R"msg(bad.toml:2: [[link.impairment]] delay: expected delay or jitter)msg"},
            {R"toml(name = "x"
[[link.impairment]]
kind = "delay"
delay = "10 parsecs")toml",
             R"msg(bad.toml:4: link.impairment.delay: expected a duration such as "250ms", "10s" or "2m")msg"},
            {R"toml(name = "x"
[[link.impairment]]
kind = "delay"
delay = "90s")toml",
             R"msg(bad.toml:4: link.impairment.delay 90s out of range [0s, 60s])msg"},
            {R"toml(name = "x"
[[link.impairment]]
kind = "rate")toml",
             R"msg(bad.toml:2: [[link.impairment]] rate: expected rate_kbit)msg"},
            {R"toml(name = "x"
[[link.impairment]]
kind = "loss"
p = 0.1
name = "a"
[[link.impairment]]
kind = "loss"
p = 0.2
name = "a")toml",
             R"msg(bad.toml:6: [[link.impairment]] name "a" is used twice; give each a unique name)msg"},
            {R"toml(name = "x"
[[link.impairment]]
kind = "loss"
p = 0.1
port = 70000)toml",
             R"msg(bad.toml:5: link.impairment.port 70000 out of range [1, 65535])msg"},
            {R"toml(name = "x"
[[link.impairment]]
kind = "loss"
p = 0.1
protocol = "sctp")toml",
             R"msg(bad.toml:5: link.impairment.protocol "sctp": expected one of "any", "arp", "icmp", "ip", "tcp", "udp")msg"},
            {R"toml(name = "x"
[[phase]]
at = "1s"
for = "2s"
down = true)toml",
             R"msg(bad.toml:2: [[phase]]: expected name)msg"},
            {R"toml(name = "x"
[[phase]]
name = "p"
down = true)toml",
             R"msg(bad.toml:2: [[phase]] p: expected at and for)msg"},
            {R"toml(name = "x"
[[phase]]
name = "p"
at = "1s"
for = "2s")toml",
             R"msg(bad.toml:2: [[phase]] p: expected down = true, enable or disable)msg"},
            {R"toml(name = "x"
[[phase]]
name = "p"
at = "1s"
for = "2s"
enable = ["nope"])toml",
             R"msg(bad.toml:2: [[phase]] p: no impairment named "nope" (name them in [[link.impairment]]))msg"},
            {R"toml(name = "x"
[[flood]]
kind = "udp"
pps = 0)toml",
             R"msg(bad.toml:4: flood.pps 0 out of range [1, 1e+06])msg"},
            {R"toml(name = "x"
[[flood]]
kind = "pcap")toml",
             R"msg(bad.toml:2: [[flood]] pcap: expected file)msg"},
            {R"toml(name = "x"
[[flood]]
kind = "pcap"
file = "/nonexistent.pcap")toml",
             R"msg(bad.toml:4: flood.file: cannot replay: /nonexistent.pcap: No such file or directory)msg"},
            {R"toml(name = "x"
[[flood]]
kind = "tcpreplay")toml",
             R"msg(bad.toml:2: [[flood]] tcpreplay: expected file)msg"},
            {R"toml(name = "x"
[[flood]]
kind = "tcpreplay"
file = "/nonexistent.pcap")toml",
             R"msg(bad.toml:4: flood.file: cannot read /nonexistent.pcap)msg"},
            {R"toml(name = "x"
[[flood]]
kind = "tcpreplay"
file = "/etc/passwd")toml",
             R"msg(bad.toml:4: flood.file: /etc/passwd is not a pcap or pcapng capture)msg"},
            {R"toml(name = "x"
[[flood]]
kind = "tcpreplay"
options = ["--pps=100", "--save-opts=/etc/passwd"]
file = "x.pcap")toml",
             R"msg(bad.toml:4: flood.options: "--save-opts=/etc/passwd" is not a tcpreplay option swapbench passes on (long options only: --pps=…, --mbps=…, --multiplier=…, --topspeed, --loop=…, --loopdelay-ms=…, --loopdelay-ns=…, --limit=…, --duration=…, --pps-multi=…, --preload-pcap, --unique-ip, --unique-ip-loops=…, --stats=…, --no-flow-stats, --timer=…, --quiet))msg"},
            {R"toml(name = "x"
[[flood]]
kind = "tcpreplay"
options = ["--intf1=eth0"]
file = "x.pcap")toml",
             R"msg(bad.toml:4: flood.options: "--intf1=eth0" is not a tcpreplay option swapbench passes on (long options only: --pps=…, --mbps=…, --multiplier=…, --topspeed, --loop=…, --loopdelay-ms=…, --loopdelay-ns=…, --limit=…, --duration=…, --pps-multi=…, --preload-pcap, --unique-ip, --unique-ip-loops=…, --stats=…, --no-flow-stats, --timer=…, --quiet))msg"},
            {R"toml(name = "x"
[[flood]]
kind = "tcpreplay"
options = ["--pps=1000", "--topspeed"]
file = "x.pcap")toml",
             R"msg(bad.toml:4: flood.options: one rate at most: --pps, --mbps, --multiplier or --topspeed)msg"},
            {R"toml(name = "x"
[[flood]]
kind = "tcpreplay"
options = ["--loop=$(reboot)"]
file = "x.pcap")toml",
             R"msg(bad.toml:4: flood.options: "--loop=$(reboot)": --loop takes a number (--loop=N))msg"},
            {R"toml(name = "x"
[[flood]]
kind = "tcpreplay"
tcprewrite = ["--outfile=/etc/shadow"]
file = "x.pcap")toml",
             R"msg(bad.toml:4: flood.tcprewrite: "--outfile=/etc/shadow" is not a tcprewrite option swapbench passes on (long options only: --srcipmap=…, --dstipmap=…, --pnat=…, --enet-smac=…, --enet-dmac=…, --portmap=…, --seed=…, --ttl=…, --tos=…, --mtu=…, --mtu-trunc, --fixcsum, --fixlen=…, --skipbroadcast))msg"},
            {R"toml(name = "x"
[[flood]]
kind = "tcpreplay"
options = ["--topspeed=1"]
file = "x.pcap")toml",
             R"msg(bad.toml:4: flood.options: "--topspeed=1": --topspeed takes no value)msg"},
            {R"toml(name = "x"
[[flood]]
pps = 100)toml",
             R"msg(bad.toml:2: [[flood]]: expected kind)msg"},
            {R"toml(name = "x"
[link]
engine = "kernel-netem"
[[link.impairment]]
kind = "reorder"
p = 0.1)toml",
             R"msg(bad.toml:3: link.engine "kernel-netem": impairment "reorder" (line 4): reorder needs the relay engine)msg"},
            {R"toml(name = "x"
[capture]
snaplen = 10)toml",
             R"msg(bad.toml:3: capture.snaplen 10 out of range [64, 65535])msg"},
            {R"toml(name = "x"
[limits]
deadline_s = 5)toml",
             R"msg(bad.toml:3: limits.deadline_s 5 out of range [10, 86400])msg"},
            {R"toml(name = "x"
[limits]
stall = 30)toml",
             R"msg(bad.toml:3: unknown key limits.stall in [limits] (expected agent_silence_s, boot_timeout_s, deadline_s, stall_s; did you mean stall_s?))msg"},
            {R"toml(name = "x"
[expect]
findings = ["oom"])toml",
             R"msg(bad.toml:3: expect.findings: expected finding kinds (agent_silent, alloc_failure, bug, corruption, deadline, hard_lockup, hung_task, kasan, kcsan, kfence, kmsan, lockdep, memcg_oom_kill, memory_leak, netdev_hang, nfs_not_responding, no_output, oom_deadlock, oom_kill, oops, panic, rcu_stall, soft_lockup, storage_io_error, swap_read_error, swap_stall, swap_write_error, ubsan, unexpected_reboot, unexpected_stop, warning, workqueue_lockup))msg"},
            {R"toml(name = "x"
[expect]
min_pswpout = -5)toml",
             R"msg(bad.toml:3: expect.min_pswpout -5 out of range [0, 9223372036854775807])msg"},
            {R"toml(name = "x"
[[fault]]
kind = "server_stall"
duration_s = 5)toml",
             R"msg(bad.toml:2: [[fault]]: expected exactly one of at_s, after_hog_mib)msg"},
            {R"toml(name = "x"
[[fault]]
kind = "server_stall"
at_s = 1
after_hog_mib = 8
duration_s = 5)toml",
             R"msg(bad.toml:2: [[fault]]: expected exactly one of at_s, after_hog_mib)msg"},
            {R"toml(name = "x"
[[fault]]
kind = "server_stall"
at_s = 1)toml",
             R"msg(bad.toml:2: [[fault]] server_stall: expected duration_s)msg"},
            {R"toml(name = "x"
[[fault]]
kind = "server_slow"
at_s = 1
duration_s = 5)toml",
             R"msg(bad.toml:2: [[fault]] server_slow: expected rate_kbit)msg"},
            {R"toml(name = "x"
[[fault]]
kind = "server_nap"
at_s = 1)toml",
             R"msg(bad.toml:3: fault.kind "server_nap": expected one of "server_restart", "server_slow", "server_stall")msg"},
            {R"toml(name = "x"
[[fault]]
kind = "server_stall"
at_s = inf
duration_s = 5)toml",
             R"msg(bad.toml:4: fault.at_s: expected seconds in [0, 86400])msg"},
            {R"toml(name = "x"
[fault]
kind = "server_stall")toml",
             R"msg(bad.toml:2: fault: expected [[fault]] tables)msg"},
};

TEST(ScenarioCorpusTest, EveryMistakeSaysWhereAndWhatWasExpected) {
  static_assert(sizeof(kCorpus) / sizeof(kCorpus[0]) >= 60);
  for (const Bad& b : kCorpus) {
    auto s = ParseScenario(std::string(b.toml) + "\n", "bad.toml");
    ASSERT_FALSE(s.ok()) << b.toml;
    EXPECT_EQ(s.status().kind(), Status::Kind::kUsage) << b.toml;
    EXPECT_EQ(s.status().message(), b.message) << b.toml;
  }
}

}  // namespace
}  // namespace swapbench
