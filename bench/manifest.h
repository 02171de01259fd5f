// The reproduction manifest in every report.json: what a person needs to
// run this exact case again — the scenario's bytes (sha256 of the file and
// of the case after includes and [matrix]), the seed, the kernel (package,
// version and .deb sha256, or the tree; the booted image's sha256), the
// guest image's hash, the bench's version, QEMU, libvirt, the storage
// server's version, the host kernel, the accelerator — and the one command
// that reruns it.
//
// HostVersions are probed once per process (thread-safe); the rest is pure.
#ifndef SWAPBENCH_BENCH_MANIFEST_H_
#define SWAPBENCH_BENCH_MANIFEST_H_

#include <nlohmann/json.hpp>
#include <string>

#include "bench/kernel.h"
#include "bench/scenario.h"

namespace swapbench {

struct HostVersions {
  std::string qemu;     // "QEMU emulator version 7.2.19 (Debian ...)"
  std::string libvirt;  // "9.0.0"
  // Debian package versions ("" when not installed).
  std::string ganesha, nbd_server, tgt;
  std::string host_kernel;  // uname -r
};
// The first call runs the probes; later calls return the same.
const HostVersions& ProbeHostVersions();

struct ManifestInputs {
  const Scenario* scenario = nullptr;
  uint64_t seed = 0;
  KernelSpec spec;  // what the run was given
  Kernel kernel;    // what it booted
  std::string kernel_image_sha256, image_hash, accel;
};

nlohmann::json ManifestJson(const ManifestInputs& in, const HostVersions& h);

// `build/swapbench run FILE --seed N [--case LABEL] [--nic MODEL]` and the
// kernel's flags, each argument shell-quoted when it needs to be.
std::string RerunCommand(const Scenario& sc, uint64_t seed,
                         const KernelSpec& spec);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_MANIFEST_H_
