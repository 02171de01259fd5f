// TAP devices created inside another network namespace.
//
// The relay's TAP must live in the storage namespace while its UDP socket
// stays in the host namespace: a short-lived thread setns()es into the
// namespace, opens the TAP there and hands back the fd (measured: one
// process can hold descriptors from two namespaces). Offloads are cleared
// so frames written into the TAP carry complete checksums.
#ifndef SWAPBENCH_NETEM_TAP_H_
#define SWAPBENCH_NETEM_TAP_H_

#include <functional>
#include <string>

namespace swapbench {

// Runs `open` on a fresh thread that has setns()ed into `netns_path` (the
// setns dies with the thread; the caller's namespace never changes) and
// returns what it returned: a descriptor, or -1 with `error` set.
// `netns_path` "" runs it on the calling thread, in its namespace.
int InNetns(const std::string& netns_path,
            const std::function<int(std::string* error)>& open,
            std::string* error);

// Opens TAP `name` (IFF_TAP|IFF_NO_PI, non-blocking; offloads off, or with
// `vnet_hdr` IFF_VNET_HDR and checksum, TSO and USO on) inside the namespace
// whose handle is `netns_path` (e.g. /run/netns/NAME). Returns the fd, or -1
// with `error` set. The device disappears when the fd is closed.
int OpenTapInNetns(const std::string& netns_path, const std::string& name,
                   std::string* error, bool vnet_hdr = false);

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_TAP_H_
