#include "bench/kernel.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "bench/digest.h"
#include "bench/fs_util.h"
#include "bench/guest_image.h"
#include "bench/process.h"
#include "bench/text.h"

namespace swapbench {

namespace fs = std::filesystem;

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

bool IsDebFile(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".deb") == 0 &&
         name.find('\n') == std::string::npos;
}

bool IsKernelPackage(const std::string& name) {
  return IsDebFile(name) || IsDebianPackageName(name);
}

std::string ModuleName(const std::string& path) {
  std::string base = path.substr(path.rfind('/') + 1);
  base.resize(std::min(base.size(), base.find(".ko")));
  std::replace(base.begin(), base.end(), '-', '_');
  return base;
}

std::vector<std::string> ParseModulesOrder(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && isspace(static_cast<unsigned char>(line.back())))
      line.pop_back();
    if (line.empty()) continue;
    if (line.rfind("kernel/", 0) == 0) line.erase(0, 7);
    if (line.size() > 2 && line.compare(line.size() - 2, 2, ".o") == 0)
      line.replace(line.size() - 2, 2, ".ko");
    if (line.find("..") != std::string::npos || line[0] == '/') continue;
    out.push_back(line);
  }
  return out;
}

namespace {

// The "ready" file a prepared kernel directory ends with: release, then
// what the source says of itself (a package version, a tree path).
Status WriteReady(const std::string& dir, const std::string& release,
                  const std::string& version) {
  return WriteFileAtomic(dir + "/ready", release + "\n" + version + "\n");
}

Result<std::pair<std::string, std::string>> ReadReady(const std::string& dir) {
  auto text = ReadFile(dir + "/ready");
  if (!text.ok()) return text.status();
  std::istringstream in(*text);
  std::string release, version;
  std::getline(in, release);
  std::getline(in, version);
  return std::make_pair(release, version);
}

// A package unpacked into dir/root: boot/vmlinuz-RELEASE, its config and
// lib/modules/RELEASE with a fresh modules.dep (Debian's packages ship
// none: the postinst makes it).
Kernel UnpackedKernel(const std::string& dir, const std::string& release) {
  Kernel k;
  k.release = release;
  k.image = dir + "/root/boot/vmlinuz-" + release;
  k.modules_dir = dir + "/root/lib/modules/" + release;
  k.config_path = dir + "/root/boot/config-" + release;
  return k;
}

Status Unpack(const std::string& deb, const std::string& what,
              const std::string& kernels, const std::string& dir) {
  Status s = RemoveTreeWithin(kernels, dir + "/root");
  if (!s.ok()) return s;
  auto ver = RunCommand({"dpkg-deb", "-f", deb, "Version"});
  if (!ver.ok()) return ver.status();
  if (ver->exit_code != 0)
    return Status::Usage(what + ": not a Debian package (" +
                         TrimRight(ver->output) + ")");
  if (!(s = RunChecked({"dpkg-deb", "-x", deb, dir + "/root"}, 300)).ok())
    return s;
  std::string release;
  if (Exists(dir + "/root/boot"))
    for (const auto& e : fs::directory_iterator(dir + "/root/boot")) {
      std::string name = e.path().filename().string();
      if (name.rfind("vmlinuz-", 0) == 0) release = name.substr(8);
    }
  if (release.empty())
    return Status::Usage(
        what +
        " holds no boot/vmlinuz-RELEASE: not a kernel image package (a "
        "linux-headers package has a .config but cannot boot; give the "
        "linux-image package)");
  if (!Exists(dir + "/root/lib/modules/" + release))
    return Status::Usage(what + ": no lib/modules/" + release + " inside");
  if (!(s = RunChecked({"depmod", "-b", dir + "/root", release}, 300)).ok())
    return s;
  return WriteReady(dir, release, TrimRight(ver->output));
}

Status AptDownload(const std::string& package, const std::string& dl,
                   std::string* deb) {
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
                           TrimRight(r->output));
  }
  for (const auto& e : fs::directory_iterator(dl))
    if (e.path().extension() == ".deb") *deb = e.path().string();
  if (deb->empty())
    return Status::Harness("apt-get download " + package + " left no .deb");
  return Status::Ok();
}

// The archive's sha256 of PACKAGE=VERSION (apt's index), "" if apt does not
// know it: for cache entries unpacked before their .deb was hashed.
std::string ArchiveSha256(const std::string& package,
                          const std::string& version) {
  auto r = RunCommand(
      {"apt-cache", "show", "--no-all-versions", package + "=" + version}, 60);
  if (!r.ok() || r->exit_code != 0) return "";
  size_t at = r->output.find("\nSHA256: ");
  if (at == std::string::npos) return "";
  return TrimRight(
      r->output.substr(at + 9, r->output.find('\n', at + 9) - at - 9));
}

Result<Kernel> PreparePackageKernel(const std::string& package,
                                    const std::string& cache_dir) {
  // The name becomes a directory of the cache: nothing but a package name.
  if (!IsDebianPackageName(package))
    return Status::Usage("kernel package \"" + package +
                         "\": " + kDebianPackageNameRule);
  const std::string kernels = cache_dir + "/kernels";
  const std::string dir = kernels + "/" + package;
  Status s = MakeDirs(dir);
  if (!s.ok()) return s;
  FileLock lock = FileLock::Acquire(dir + "/.lock");
  if (!Exists(dir + "/ready")) {
    const std::string dl = dir + "/download";
    if (!(s = RemoveTreeWithin(kernels, dl)).ok()) return s;
    if (!(s = MakeDirs(dl)).ok()) return s;
    std::string deb;
    if (!(s = AptDownload(package, dl, &deb)).ok()) return s;
    auto sha = Sha256File(deb);
    if (!sha.ok()) return sha.status();
    if (!(s = WriteFile(dir + "/deb.sha256", *sha + "\n")).ok()) return s;
    if (!(s = Unpack(deb, "kernel package " + package, kernels, dir)).ok())
      return s;
    if (!(s = RemoveTreeWithin(kernels, dl)).ok()) return s;
  }
  auto ready = ReadReady(dir);
  if (!ready.ok()) return ready.status();
  Kernel k = UnpackedKernel(dir, ready->first);
  k.source = "debian:" + package + " " + ready->second;
  if (auto sha = ReadFile(dir + "/deb.sha256"); sha.ok()) {
    k.package_sha256 = TrimRight(*sha);
  } else {
    // Asked once (apt-cache takes ~0.35 s), then kept with the entry.
    k.package_sha256 = ArchiveSha256(package, ready->second);
    if (!k.package_sha256.empty())
      (void)WriteFile(dir + "/deb.sha256", k.package_sha256 + "\n");
  }
  return k;
}

// A local .deb, keyed by its content: the same file is unpacked once.
Result<Kernel> PrepareDebKernel(const std::string& path,
                                const std::string& cache_dir) {
  auto bytes = ReadRegularFile(path, size_t{4} << 30);
  if (!bytes.ok())
    return Status::Usage("kernel package " + path + ": " +
                         bytes.status().message());
  const std::string kernels = cache_dir + "/kernels";
  const std::string dir =
      kernels + "/deb-" +
      StringPrintf("%016llx", static_cast<unsigned long long>(Fnv1a64(*bytes)));
  const std::string sha = Sha256Hex(*bytes);
  bytes->clear();
  Status s = MakeDirs(dir);
  if (!s.ok()) return s;
  FileLock lock = FileLock::Acquire(dir + "/.lock");
  const std::string abs = fs::absolute(path).lexically_normal().string();
  if (!Exists(dir + "/ready") &&
      !(s = Unpack(abs, "kernel package " + path, kernels, dir)).ok())
    return s;
  auto ready = ReadReady(dir);
  if (!ready.ok()) return ready.status();
  Kernel k = UnpackedKernel(dir, ready->first);
  k.source = "deb:" + abs + " " + ready->second;
  k.package_sha256 = sha;
  return k;
}

// What a directory that is not a built tree looks like, in words.
Status NotBuilt(const std::string& tree) {
  const std::string where = "--kernel-tree " + tree;
  if (Exists(tree + "/.kernelvariables") ||
      (Exists(tree + "/Module.symvers") && !Exists(tree + "/modules.order") &&
       !Exists(tree + "/vmlinux")))
    return Status::Usage(
        where +
        ": a kernel headers tree (.config and Module.symvers, nothing "
        "built) cannot boot; give a built source tree, or the linux-image "
        "package with --kernel-package");
  if (Exists(tree + "/vmlinux"))
    return Status::Usage(
        where +
        ": has vmlinux but no arch/x86/boot/bzImage; the guest boots the "
        "compressed image: run `make bzImage`");
  if (Exists(tree + "/Makefile") && !Exists(tree + "/.config"))
    return Status::Usage(
        where +
        ": no .config and no arch/x86/boot/bzImage: not built yet (make "
        "bzImage modules), or built with O=DIR (give that directory)");
  return Status::Usage(where +
                       ": no arch/x86/boot/bzImage: not a built kernel tree "
                       "(build it first: make bzImage modules)");
}

struct TreeParts {
  std::string release;
  std::string image, config;         // bzImage and .config bytes
  std::string order;                 // modules.order text ("" : none)
  std::vector<std::string> modules;  // as the tree holds them
  uint64_t key = 0;                  // what the build left, hashed
};

// Reads a built tree and hashes what it left: a rebuilt tree gets a new
// key (sizes and mtimes of the modules; the image and config in full).
Result<TreeParts> ReadTree(const std::string& tree) {
  if (!fs::is_directory(tree))
    return Status::Usage("--kernel-tree " + tree + ": no such directory");
  if (!Exists(tree + "/arch/x86/boot/bzImage")) return NotBuilt(tree);
  TreeParts p;
  auto release = ReadFile(tree + "/include/config/kernel.release");
  if (!release.ok())
    return Status::Usage("--kernel-tree " + tree +
                         ": no include/config/kernel.release (an unfinished "
                         "build?)");
  p.release = TrimRight(*release);
  auto config = ReadFile(tree + "/.config");
  if (!config.ok())
    return Status::Usage("--kernel-tree " + tree + ": no .config");
  auto image = ReadFile(tree + "/arch/x86/boot/bzImage");
  if (!image.ok()) return image.status();
  p.config = std::move(*config);
  p.image = std::move(*image);
  p.key = Fnv1a64("tree-v1 " + tree + " " + p.release);
  p.key = Fnv1a64(p.image, Fnv1a64(p.config, p.key));
  auto order = ReadFile(tree + "/modules.order");
  if (order.ok()) p.order = *order;
  for (const std::string& m : ParseModulesOrder(p.order)) {
    struct stat st;
    if (stat((tree + "/" + m).c_str(), &st) != 0)
      return Status::Usage("--kernel-tree " + tree + ": modules.order names " +
                           m + ", which is not built (run `make modules`)");
    p.key = Fnv1a64(m + " " + std::to_string(st.st_size) + " " +
                        std::to_string(st.st_mtim.tv_sec) + "." +
                        std::to_string(st.st_mtim.tv_nsec),
                    p.key);
    p.modules.push_back(m);
  }
  return p;
}

// lib/modules/RELEASE in the cache: each module a symlink into the tree,
// the tree's module lists, and depmod's indexes.
Status CollectModules(const std::string& tree, const TreeParts& p,
                      const std::string& root) {
  const std::string mdir = root + "/lib/modules/" + p.release;
  Status s = MakeDirs(mdir + "/kernel");
  if (!s.ok()) return s;
  std::string order;
  for (const std::string& m : p.modules) {
    fs::path link = fs::path(mdir) / "kernel" / m;
    std::error_code ec;
    fs::create_directories(link.parent_path(), ec);
    fs::create_symlink(fs::absolute(tree + "/" + m), link, ec);
    if (ec) return Status::Harness("collect " + m + ": " + ec.message());
    order += "kernel/" + m + "\n";
  }
  if (!(s = WriteFile(mdir + "/modules.order", order)).ok()) return s;
  for (const char* f : {"modules.builtin", "modules.builtin.modinfo"}) {
    auto text = ReadFile(tree + "/" + f);
    if (!(s = WriteFile(mdir + "/" + f, text.ok() ? *text : "")).ok()) return s;
  }
  if (p.modules.empty())  // everything built in: nothing to index
    return WriteFile(mdir + "/modules.dep", "");
  return RunChecked({"depmod", "-b", root, p.release}, 300);
}

Result<Kernel> PrepareTreeKernel(const std::string& tree_arg,
                                 const std::string& cache_dir) {
  const std::string tree = fs::absolute(tree_arg).lexically_normal().string();
  auto p = ReadTree(tree);
  if (!p.ok()) return p.status();
  const std::string kernels = cache_dir + "/kernels";
  const std::string dir =
      kernels + "/tree-" +
      StringPrintf("%016llx", static_cast<unsigned long long>(p->key));
  Status s = MakeDirs(dir);
  if (!s.ok()) return s;
  FileLock lock = FileLock::Acquire(dir + "/.lock");
  if (!Exists(dir + "/ready")) {
    if (!(s = RemoveTreeWithin(kernels, dir + "/root")).ok()) return s;
    if (!(s = WriteFile(dir + "/bzImage", p->image)).ok()) return s;
    if (!(s = WriteFile(dir + "/config", p->config)).ok()) return s;
    if (!(s = CollectModules(tree, *p, dir + "/root")).ok()) return s;
    if (!(s = WriteReady(dir, p->release, tree)).ok()) return s;
  }
  Kernel k;
  k.release = p->release;
  k.image = dir + "/bzImage";
  k.modules_dir = dir + "/root/lib/modules/" + p->release;
  k.config_path = dir + "/config";
  k.source = "tree:" + tree;
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

Result<Kernel> PrepareKernel(const KernelSpec& spec,
                             const std::string& cache_dir) {
  Result<Kernel> k =
      !spec.tree.empty()        ? PrepareTreeKernel(spec.tree, cache_dir)
      : !spec.bzimage.empty()   ? PrepareBzImageKernel(spec)
      : IsDebFile(spec.package) ? PrepareDebKernel(spec.package, cache_dir)
                                : PreparePackageKernel(spec.package, cache_dir);
  if (!k.ok()) return k.status().Context("kernel");
  return k;
}

Result<KernelFacts> FactsOf(const Kernel& k) {
  KernelFacts f;
  f.release = k.release;
  f.config_path = k.config_path;
  if (!k.config_path.empty()) {
    auto text = ReadFile(k.config_path);
    if (!text.ok()) return text.status().Context("kernel");
    f.config = std::move(*text);
  }
  if (auto dep = ReadFile(k.modules_dir + "/modules.dep"); dep.ok())
    f.modules_dep = std::move(*dep);
  if (auto b = ReadFile(k.modules_dir + "/modules.builtin"); b.ok())
    f.modules_builtin = std::move(*b);
  return f;
}

}  // namespace swapbench

namespace swapbench {

std::string KernelSpec::Slug() const {
  std::string s;
  if (!tree.empty()) {
    std::string t = tree;
    while (t.size() > 1 && t.back() == '/') t.pop_back();
    s = "tree-" + t.substr(t.rfind('/') + 1);
  } else if (!bzimage.empty()) {
    s = "bzimage";
  } else {
    s = package.substr(package.rfind('/') + 1);
    if (IsDebFile(s)) s.resize(s.size() - 4);
  }
  for (char& c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
          c == '+' || c == '_'))
      c = '_';
  return s;
}

}  // namespace swapbench
