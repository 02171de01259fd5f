#include "bench/guest_image.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>

#include "bench/decompress.h"
#include "bench/fs_util.h"
#include "bench/process.h"
#include "bench/text.h"

namespace swapbench {

namespace fs = std::filesystem;

const std::vector<std::string> kRequiredKernelConfig = {
    "CONFIG_SWAP", "CONFIG_MEMCG", "CONFIG_NFS_SWAP", "CONFIG_BLK_DEV_INITRD",
    "CONFIG_DEVTMPFS"};

uint64_t Fnv1a64(const std::string& data, uint64_t h) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace {

std::string Trim(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == ' ' || s.back() == '\r'))
    s.pop_back();
  return s;
}

// Module name from a modules.dep path: basename, no .ko suffix, '-' -> '_'.
std::string ModuleName(const std::string& path) {
  std::string base = path.substr(path.rfind('/') + 1);
  size_t ko = base.find(".ko");
  if (ko != std::string::npos) base.resize(ko);
  std::replace(base.begin(), base.end(), '-', '_');
  return base;
}

Result<Kernel> PreparePackageKernel(const std::string& package,
                                    const std::string& cache_dir) {
  // The name becomes a directory of the cache: nothing but a package name.
  if (!IsDebianPackageName(package))
    return Status::Usage("kernel package \"" + package +
                         "\": " + kDebianPackageNameRule);
  const std::string kernels = cache_dir + "/kernels";
  std::string dir = kernels + "/" + package;
  Status s = MakeDirs(dir);
  if (!s.ok()) return s;
  FileLock lock = FileLock::Acquire(dir + "/.lock");
  std::string ready = dir + "/ready";
  if (!Exists(ready)) {
    std::string dl = dir + "/download";
    if (!(s = RemoveTreeWithin(kernels, dl)).ok()) return s;
    if (!(s = RemoveTreeWithin(kernels, dir + "/root")).ok()) return s;
    if (!(s = MakeDirs(dl)).ok()) return s;
    std::vector<std::string> fetch = {
        "sh", "-c", "cd \"$0\" && exec apt-get download \"$1\"", dl, package};
    auto r = RunCommand(fetch, 600);
    if (!r.ok()) return r.status();
    if (r->exit_code != 0 &&
        r->output.find("Unable to locate package") != std::string::npos) {
      // A fresh machine has no package lists yet.
      (void)RunCommand({"apt-get", "update", "-q"}, 600);  // the retry tells
      r = RunCommand(fetch, 600);
      if (!r.ok()) return r.status();
    }
    if (r->exit_code != 0) {
      if (r->output.find("Unable to locate package") != std::string::npos)
        return Status::Usage("kernel package " + package +
                             " is not in the apt sources");
      return Status::Harness("apt-get download " + package + ": " +
                             Trim(r->output));
    }
    std::string deb;
    for (const auto& e : fs::directory_iterator(dl))
      if (e.path().extension() == ".deb") deb = e.path().string();
    if (deb.empty())
      return Status::Harness("apt-get download " + package + " left no .deb");
    auto ver = RunCommand({"dpkg-deb", "-f", deb, "Version"});
    if (!(s = RunChecked({"dpkg-deb", "-x", deb, dir + "/root"}, 300)).ok())
      return s;
    std::string release;
    for (const auto& e : fs::directory_iterator(dir + "/root/lib/modules"))
      release = e.path().filename().string();
    if (release.empty())
      return Status::Harness(package + ": no lib/modules/RELEASE inside");
    // Debian's kernel packages ship no modules.dep: the postinst makes it.
    if (!(s = RunChecked({"depmod", "-b", dir + "/root", release}, 300)).ok())
      return s;
    if (!(s = RemoveTreeWithin(kernels, dl)).ok()) return s;
    std::string version = ver.ok() ? Trim(ver->output) : "unknown";
    if (!(s = WriteFileAtomic(ready, release + "\n" + version + "\n")).ok())
      return s;
  }
  auto text = ReadFile(ready);
  if (!text.ok()) return text.status();
  std::istringstream in(*text);
  Kernel k;
  std::string version;
  std::getline(in, k.release);
  std::getline(in, version);
  k.image = dir + "/root/boot/vmlinuz-" + k.release;
  k.modules_dir = dir + "/root/lib/modules/" + k.release;
  k.config_path = dir + "/root/boot/config-" + k.release;
  k.source = "debian:" + package + " " + version;
  return k;
}

Result<Kernel> PrepareBzImageKernel(const KernelSpec& spec) {
  if (!Exists(spec.bzimage))
    return Status::Usage("--kernel " + spec.bzimage + ": no such file");
  if (spec.modules_dir.empty())
    return Status::Usage("--kernel " + spec.bzimage +
                         " needs --modules DIR (lib/modules/RELEASE)");
  std::string mdir = fs::absolute(spec.modules_dir).lexically_normal().string();
  while (mdir.size() > 1 && mdir.back() == '/') mdir.pop_back();
  if (!Exists(mdir + "/modules.dep"))
    return Status::Usage("--modules " + mdir +
                         " has no modules.dep: run `depmod -b ROOT RELEASE`" +
                         " on it first");
  Kernel k;
  k.release = fs::path(mdir).filename().string();
  k.image = fs::absolute(spec.bzimage).string();
  k.modules_dir = mdir;
  if (!spec.config.empty()) {
    k.config_path = spec.config;
  } else {
    // A kernel build tree keeps .config two levels above arch/x86/boot/bzImage.
    fs::path guess = fs::path(k.image).parent_path() / "../../../.config";
    if (Exists(guess.string()))
      k.config_path = guess.lexically_normal().string();
  }
  k.source = "bzimage:" + k.image;
  return k;
}

}  // namespace

Status CheckKernelConfig(const std::string& config_text,
                         const std::string& where) {
  std::set<std::string> set;
  std::istringstream in(config_text);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    std::string v = line.substr(eq + 1);
    if (v == "y") set.insert(line.substr(0, eq));
  }
  std::string missing;
  for (const auto& sym : kRequiredKernelConfig)
    if (!set.count(sym)) missing += (missing.empty() ? "" : ", ") + sym + "=y";
  if (missing.empty()) return Status::Ok();
  return Status::Usage(where + ": kernel config lacks " + missing +
                       " (swap over the network needs them)");
}

Result<Kernel> PrepareKernel(const KernelSpec& spec,
                             const std::string& cache_dir) {
  Result<Kernel> k = spec.bzimage.empty()
                         ? PreparePackageKernel(spec.package, cache_dir)
                         : PrepareBzImageKernel(spec);
  if (!k.ok()) return k.status().Context("kernel");
  if (!k->config_path.empty()) {
    auto text = ReadFile(k->config_path);
    if (!text.ok()) return text.status().Context("kernel");
    Status s = CheckKernelConfig(*text, k->config_path);
    if (!s.ok()) return s;
  }
  return k;
}

std::vector<std::string> ParseLdd(const std::string& out) {
  std::vector<std::string> libs;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    // "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or
    // "\t/lib64/ld-linux-x86-64.so.2 (0x...)"; linux-vdso has no file.
    size_t arrow = line.find("=> ");
    size_t start =
        arrow != std::string::npos ? arrow + 3 : line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] != '/') continue;
    size_t end = line.find(" (", start);
    libs.push_back(line.substr(
        start, end == std::string::npos ? std::string::npos : end - start));
  }
  return libs;
}

Result<std::vector<std::string>> ResolveModules(
    const std::string& modules_dep, const std::string& builtin,
    const std::vector<std::string>& roots) {
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> mods;
  std::istringstream in(modules_dep);
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string path = line.substr(0, colon);
    std::vector<std::string> deps;
    std::istringstream ds(line.substr(colon + 1));
    std::string d;
    while (ds >> d) deps.push_back(d);
    mods[ModuleName(path)] = {path, deps};
  }
  std::set<std::string> builtins;
  std::istringstream bin(builtin);
  while (std::getline(bin, line))
    if (!line.empty()) builtins.insert(ModuleName(line));

  std::vector<std::string> order;
  std::set<std::string> done, visiting;
  std::string error;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (!error.empty() || done.count(name)) return;
    auto it = mods.find(name);
    if (it == mods.end()) {
      if (!builtins.count(name))
        error = "module " + name + " is not in modules.dep";
      return;
    }
    if (!visiting.insert(name).second) {
      error = "module dependency cycle at " + name;
      return;
    }
    for (const auto& dep : it->second.second) visit(ModuleName(dep));
    visiting.erase(name);
    done.insert(name);
    order.push_back(it->second.first);
  };
  for (std::string r : roots) {
    std::replace(r.begin(), r.end(), '-', '_');
    visit(r);
  }
  if (!error.empty()) return Status::Usage(error);
  return order;
}

void CpioWriter::Entry(const std::string& path, uint32_t mode,
                       const std::string& data, uint32_t rmajor,
                       uint32_t rminor) {
  std::string name = path[0] == '/' ? path.substr(1) : path;
  char hdr[111];
  snprintf(hdr, sizeof(hdr),
           "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
           ino_++, mode, 0u, 0u, 1u, 0u, data.size(), 0u, 0u, rmajor, rminor,
           name.size() + 1, 0u);
  out_.append(hdr, 110);
  out_.append(name);
  out_.push_back('\0');
  while (out_.size() % 4) out_.push_back('\0');
  out_.append(data);
  while (out_.size() % 4) out_.push_back('\0');
}

void CpioWriter::AddDir(const std::string& path, uint32_t mode) {
  Entry(path, S_IFDIR | mode, "");
}
void CpioWriter::AddFile(const std::string& path, const std::string& data,
                         uint32_t mode) {
  Entry(path, S_IFREG | mode, data);
}
void CpioWriter::AddSymlink(const std::string& path,
                            const std::string& target) {
  Entry(path, S_IFLNK | 0777, target);
}
void CpioWriter::AddCharDev(const std::string& path, uint32_t major,
                            uint32_t minor, uint32_t mode) {
  Entry(path, S_IFCHR | mode, "", major, minor);
}
std::string CpioWriter::Finish() {
  Entry("TRAILER!!!", 0, "");
  // The kernel accepts concatenated archives; pad to 512 like cpio(1) does.
  while (out_.size() % 512) out_.push_back('\0');
  ino_ = 1;
  return std::move(out_);
}

Result<GuestImage> BuildImage(const Kernel& kernel, const ImageInputs& in,
                              const std::string& cache_dir) {
  auto dep = ReadFile(kernel.modules_dir + "/modules.dep");
  if (!dep.ok()) return dep.status().Context("image");
  auto builtin = ReadFile(kernel.modules_dir + "/modules.builtin");
  auto order = ResolveModules(*dep, builtin.ok() ? *builtin : "", in.modules);
  if (!order.ok())
    return order.status().Context("image: " + kernel.modules_dir);

  auto agent = ReadFile(in.agent);
  if (!agent.ok()) return agent.status().Context("image: agent");
  auto busybox = ReadFile(in.busybox);
  if (!busybox.ok())
    return busybox.status().Context(
        "image: busybox (apt-get install busybox-static)");

  // Hash every input byte; the archive layout version is part of the key.
  uint64_t h = Fnv1a64("swapbench-initramfs-v1 " + kernel.release);
  h = Fnv1a64(*agent, h);
  h = Fnv1a64(*busybox, h);
  // Host programs and their libraries, in at the same paths.
  std::map<std::string, std::string> host_files;
  for (const auto& bin : in.binaries) {
    auto ldd = RunCommand({"ldd", bin});
    if (!ldd.ok()) return ldd.status().Context("image: ldd " + bin);
    bool data =
        ldd->exit_code != 0 &&
        ldd->output.find("not a dynamic executable") != std::string::npos;
    if (data) {  // a data file (tc's distribution tables): in as it is
      auto bytes = ReadFile(bin);
      if (!bytes.ok()) return bytes.status().Context("image");
      host_files[bin] = std::move(*bytes);
      continue;
    }
    if (ldd->exit_code != 0)
      return Status::Harness("image: ldd " + bin + ": " + Trim(ldd->output));
    std::vector<std::string> paths = ParseLdd(ldd->output);
    paths.push_back(bin);
    for (const auto& p : paths) {
      if (host_files.count(p)) continue;
      auto bytes = ReadFile(p);
      if (!bytes.ok()) return bytes.status().Context("image");
      host_files[p] = std::move(*bytes);
    }
  }
  for (const auto& [p, bytes] : host_files) {
    h = Fnv1a64(p, h);
    h = Fnv1a64(bytes, h);
  }
  std::vector<std::pair<std::string, std::string>>
      modules;  // guest path, bytes
  std::string list;
  for (const auto& rel : *order) {
    auto packed = ReadFile(kernel.modules_dir + "/" + rel);
    if (!packed.ok()) return packed.status().Context("image");
    // Compressed modules (.ko.xz, .ko.zst, .ko.gz) go in plain: the cache
    // key is the content the guest loads.
    auto bytes = DecompressModule(rel, *packed);
    if (!bytes.ok()) return bytes.status().Context("image");
    const std::string plain = PlainModulePath(rel);
    std::string guest = "/lib/modules/" + kernel.release + "/" +
                        plain.substr(plain.rfind('/') + 1);
    h = Fnv1a64(guest, h);
    h = Fnv1a64(*bytes, h);
    list += guest + "\n";
    modules.emplace_back(guest, std::move(*bytes));
  }

  GuestImage img;
  img.hash = StringPrintf("%016llx", static_cast<unsigned long long>(h));
  img.modules = *order;
  std::string dir = cache_dir + "/images/" + img.hash;
  img.initramfs = dir + "/initramfs.cpio";
  Status s = MakeDirs(dir);
  if (!s.ok()) return s.Context("image");
  FileLock lock = FileLock::Acquire(dir + "/.lock");
  if (Exists(img.initramfs)) {
    img.reused = true;
    return img;
  }
  CpioWriter w;
  for (const char* d : {"/bin", "/dev", "/proc", "/sys", "/mnt", "/tmp", "/run",
                        "/etc", "/etc/swapbench", "/lib", "/lib/modules"})
    w.AddDir(d);
  w.AddDir("/lib/modules/" + kernel.release);
  w.AddCharDev("/dev/console", 5, 1);
  w.AddCharDev("/dev/null", 1, 3, 0666);
  w.AddFile("/init", *agent, 0755);
  w.AddFile("/bin/busybox", *busybox, 0755);
  w.AddSymlink("/bin/sh", "busybox");
  for (const auto& [path, bytes] : modules) w.AddFile(path, bytes);
  std::set<std::string> dirs = {"/bin", "/lib"};
  std::function<void(const std::string&)> parents = [&](const std::string& p) {
    std::string dir = p.substr(0, p.rfind('/'));
    if (dir.empty() || dirs.count(dir)) return;
    parents(dir);
    dirs.insert(dir);
    w.AddDir(dir);
  };
  for (const auto& [p, bytes] : host_files) {
    parents(p);
    w.AddFile(p, bytes, 0755);
  }
  w.AddFile("/etc/swapbench/modules", list);
  s = WriteFileAtomic(img.initramfs, w.Finish());
  if (!s.ok()) return s.Context("image");
  return img;
}

Status WriteRunInitrd(const GuestImage& image,
                      const std::map<std::string, std::string>& files,
                      const std::string& out) {
  auto base = ReadFile(image.initramfs);
  if (!base.ok()) return base.status().Context("initrd");
  CpioWriter w;
  for (const auto& [path, data] : files) w.AddFile(path, data);
  return WriteFile(out, *base + w.Finish()).Context("initrd");
}

}  // namespace swapbench

namespace swapbench {

bool IsDebianPackageName(const std::string& name) {
  if (name.size() < 2 || !(islower(static_cast<unsigned char>(name[0])) ||
                           isdigit(static_cast<unsigned char>(name[0]))))
    return false;
  for (char c : name)
    if (!(islower(static_cast<unsigned char>(c)) ||
          isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' ||
          c == '.'))
      return false;
  return true;
}

}  // namespace swapbench
