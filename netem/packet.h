// AF_PACKET endpoints: the relay's guest side when the guest's frames
// arrive on an Ethernet interface rather than QEMU's UDP socket — a host
// port cabled to a NIC passed through to the guest, or the far end of a
// veth pair the bench bridged to the guest's TAP.
//
// The socket sees every frame the interface receives (promiscuous) and
// none it sends (PACKET_IGNORE_OUTGOING); a frame written to it leaves the
// interface as is. With `vnet_hdr` (PACKET_VNET_HDR) each frame read or
// written starts with a struct virtio_net_hdr (netem/gso.h): GSO
// super-frames and partial checksums cross whole. Opened in another namespace
// the way tap.h opens TAPs: a short-lived thread setns()es there.
#ifndef SWAPBENCH_NETEM_PACKET_H_
#define SWAPBENCH_NETEM_PACKET_H_

#include <string>

namespace swapbench {

// Brings interface `ifname` up and opens a non-blocking AF_PACKET socket
// bound to it (ETH_P_ALL, promiscuous, own frames ignored, 8 MiB buffers),
// inside the namespace whose handle is `netns_path` ("" : this thread's
// own). Returns the fd, or -1 with `error` set.
int OpenPacketSocket(const std::string& netns_path, const std::string& ifname,
                     std::string* error, bool vnet_hdr = false);

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_PACKET_H_
