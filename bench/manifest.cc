#include "bench/manifest.h"

#include <libvirt/libvirt.h>
#include <sys/utsname.h>

#include "bench/process.h"
#include "bench/text.h"
#include "bench/version.h"

namespace swapbench {

namespace {

std::string FirstLine(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

// The installed version of a Debian package, "" if it is not installed.
std::string PackageVersion(const std::string& package) {
  auto r = RunCommand({"dpkg-query", "-W", "-f=${Version}", package}, 30);
  return r.ok() && r->exit_code == 0 ? TrimRight(r->output) : "";
}

HostVersions Probe() {
  HostVersions h;
  auto q = RunCommand({"qemu-system-x86_64", "--version"}, 30);
  if (q.ok() && q->exit_code == 0) h.qemu = FirstLine(q->output);
  unsigned long lib = 0;
  if (virGetVersion(&lib, nullptr, nullptr) == 0)
    h.libvirt = StringPrintf("%lu.%lu.%lu", lib / 1000000, lib / 1000 % 1000,
                             lib % 1000);
  h.ganesha = PackageVersion("nfs-ganesha");
  h.nbd_server = PackageVersion("nbd-server");
  h.tgt = PackageVersion("tgt");
  utsname u{};
  if (uname(&u) == 0) h.host_kernel = u.release;
  return h;
}

// Quoted for a POSIX shell unless every character is plainly safe.
std::string ShellWord(const std::string& w) {
  bool plain = !w.empty();
  for (char c : w)
    plain &= isalnum(static_cast<unsigned char>(c)) ||
             std::string("-_./=:,+@%").find(c) != std::string::npos;
  if (plain) return w;
  std::string q = "'";
  for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The storage server that served this case, and its version.
nlohmann::json StorageServer(const Scenario& sc, const HostVersions& h) {
  switch (sc.storage.kind) {
    case StorageKind::kNfs:
      return {{"name", "nfs-ganesha"}, {"version", h.ganesha}};
    case StorageKind::kNbd:
      return {{"name", "nbd-server"}, {"version", h.nbd_server}};
    case StorageKind::kIscsi:
      return {{"name", "tgt"}, {"version", h.tgt}};
  }
  return nullptr;
}

nlohmann::json OrNull(const std::string& s) {
  return s.empty() ? nlohmann::json() : nlohmann::json(s);
}

}  // namespace

const HostVersions& ProbeHostVersions() {
  static const HostVersions h = Probe();
  return h;
}

std::string RerunCommand(const Scenario& sc, uint64_t seed,
                         const KernelSpec& spec) {
  std::vector<std::string> argv = {"build/swapbench", "run", sc.path, "--seed",
                                   std::to_string(seed)};
  if (!sc.case_label.empty())
    argv.insert(argv.end(), {"--case", sc.case_label});
  if (!sc.nic_override.empty())
    argv.insert(argv.end(), {"--nic", sc.nic_override});
  if (!spec.tree.empty()) {
    argv.insert(argv.end(), {"--kernel-tree", spec.tree});
  } else if (!spec.bzimage.empty()) {
    argv.insert(argv.end(),
                {"--kernel", spec.bzimage, "--modules", spec.modules_dir});
    if (!spec.config.empty())
      argv.insert(argv.end(), {"--kernel-config", spec.config});
  } else if (!spec.package.empty()) {
    argv.insert(argv.end(), {"--kernel-package", spec.package});
  }
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + ShellWord(a);
  return line;
}

nlohmann::json ManifestJson(const ManifestInputs& in, const HostVersions& h) {
  const Scenario& sc = *in.scenario;
  // "debian:PACKAGE VERSION" / "deb:PATH VERSION": the version is the last
  // word; trees and images have none.
  const std::string& src = in.kernel.source;
  std::string version;
  if (src.rfind("debian:", 0) == 0 || src.rfind("deb:", 0) == 0)
    version = src.substr(src.rfind(' ') + 1);
  nlohmann::json kernel = {{"release", in.kernel.release},
                           {"source", src},
                           {"image_sha256", OrNull(in.kernel_image_sha256)}};
  if (!in.spec.tree.empty()) {
    kernel["tree"] = in.spec.tree;
  } else if (!in.spec.bzimage.empty()) {
    kernel["bzimage"] = in.spec.bzimage;
  } else {
    kernel["package"] = in.spec.package;
    kernel["version"] = OrNull(version);
    kernel["package_sha256"] = OrNull(in.kernel.package_sha256);
  }
  return {{"scenario",
           {{"path", sc.path},
            {"name", sc.name},
            {"file_sha256", OrNull(sc.file_sha256)},
            {"case_sha256", OrNull(sc.case_sha256)}}},
          {"seed", in.seed},
          {"kernel", kernel},
          {"guest_image", in.image_hash},
          {"swapbench", SwapbenchVersion()},
          {"qemu", OrNull(h.qemu)},
          {"libvirt", OrNull(h.libvirt)},
          {"storage_server", StorageServer(sc, h)},
          {"host_kernel", h.host_kernel},
          {"accel", in.accel},
          {"rerun", RerunCommand(sc, in.seed, in.spec)}};
}

}  // namespace swapbench
