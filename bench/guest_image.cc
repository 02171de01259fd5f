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

uint64_t Fnv1a64(const std::string& data, uint64_t h) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
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
  for (const std::string& r : roots) visit(ModuleName(r));
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
  // A kernel with everything built in has no modules (nor modules.dep).
  auto dep = in.modules.empty() ? Result<std::string>(std::string())
                                : ReadFile(kernel.modules_dir + "/modules.dep");
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
      return Status::Harness("image: ldd " + bin + ": " +
                             TrimRight(ldd->output));
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
  // The image is copied in the kernel (copy_file_range, a reflink where
  // the file system has them), then the run's archive appended.
  std::error_code ec;
  std::filesystem::copy_file(image.initramfs, out,
                             std::filesystem::copy_options::overwrite_existing,
                             ec);
  if (ec)
    return Status::Harness("initrd: copy " + image.initramfs + ": " +
                           ec.message());
  CpioWriter w;
  for (const auto& [path, data] : files) w.AddFile(path, data);
  return AppendFile(out, w.Finish()).Context("initrd");
}

}  // namespace swapbench
