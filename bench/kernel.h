// Kernel: where the kernel under test comes from, made bootable.
//
// Four sources, one result (an image, its lib/modules/RELEASE directory
// with modules.dep, its .config):
//   - a Debian package by name: `apt-get download`, unpacked, depmod run;
//   - a local .deb (what `make bindeb-pkg` produces): unpacked the same way;
//   - a built kernel source tree, in-tree or O= build: bzImage, .config and
//     the .ko files modules.order names are collected into the cache
//     (symlinked) and depmod is run there, without `make modules_install`;
//   - a bzImage plus a modules directory and an optional .config.
// Everything lands under CACHE/kernels, keyed by package name, by content
// hash (.deb) or by what the build left (tree), so a second run reuses it
// and a rebuilt tree is collected afresh.
//
// Not thread-safe; the caller holds the cache lock.
#ifndef SWAPBENCH_BENCH_KERNEL_H_
#define SWAPBENCH_BENCH_KERNEL_H_

#include <string>
#include <vector>

#include "bench/status.h"

namespace swapbench {

struct KernelSpec {
  std::string package;      // Debian package name, or a path to a .deb
  std::string bzimage;      // or a kernel image path ...
  std::string modules_dir;  // ... with its lib/modules/RELEASE directory
  std::string config;       // optional .config for a bzimage kernel
  std::string tree;         // or a built kernel source tree (O= directory)

  // What the user named: the package, tree or image.
  std::string Label() const {
    return !tree.empty() ? tree : !bzimage.empty() ? bzimage : package;
  }
  // A file-name-safe short name for report directories: the package name,
  // a .deb's base name, "tree-" and the tree's base name, or "bzimage".
  std::string Slug() const;
};

// What is known about a kernel: its release, its .config (empty when
// unknown: then only modules can be checked) and its module indexes.
struct KernelFacts {
  std::string release;
  std::string config_path;  // for messages
  std::string config;       // text of .config, "" when unknown
  std::string modules_dep;  // text of modules.dep, "" when none
  std::string modules_builtin;
};

struct Kernel {
  std::string release;      // e.g. 6.1.0-54-amd64
  std::string image;        // path of vmlinuz/bzImage
  std::string modules_dir;  // lib/modules/RELEASE (modules.dep, if any)
  std::string config_path;  // empty when unknown
  // "debian:PACKAGE VERSION", "deb:PATH VERSION", "tree:DIR",
  // "bzimage:PATH".
  std::string source;
  // The .deb's sha256 (packages: recorded in the cache when downloaded;
  // empty for a cache entry made before that, and for trees and images).
  std::string package_sha256;
};

// Debian policy 5.6.1: lowercase letters, digits, + - . ; at least two
// characters, starting alphanumeric. A kernel package name becomes a
// directory of the cache, so nothing else gets through.
bool IsDebianPackageName(const std::string& name);
// A path ending in ".deb" (a local package file).
bool IsDebFile(const std::string& name);
// A package name, or a .deb file.
bool IsKernelPackage(const std::string& name);
inline constexpr char kDebianPackageNameRule[] =
    "expected a Debian package name (lowercase letters, digits, '+', '-' "
    "and '.', starting with a letter or digit; e.g. "
    "linux-image-6.1.0-54-amd64) or the path of a .deb file";

// Fetches, unpacks or collects (or finds in cache_dir) the kernel.
Result<Kernel> PrepareKernel(const KernelSpec& spec,
                             const std::string& cache_dir);

// A module's name from its path in modules.dep, modules.order or
// modules.builtin ("kernel/drivers/net/virtio_net.ko.xz" -> "virtio_net"):
// the base name without .ko and what follows, '-' as '_' (the kernel treats
// them alike). A bare name ("virtio-net") is normalized the same way.
std::string ModuleName(const std::string& path);

// Reads what CheckNeeds needs to know about a prepared kernel.
Result<KernelFacts> FactsOf(const Kernel& kernel);

// The module paths a built tree's modules.order names, as the tree holds
// them ("fs/nfs/nfs.ko"), whether it lists .ko (before 6.2) or .o (since)
// or carries a "kernel/" prefix (pure; tested).
std::vector<std::string> ParseModulesOrder(const std::string& text);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_KERNEL_H_
