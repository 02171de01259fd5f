#include "netem/relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

namespace swapbench {

namespace {
constexpr int kBatch = 64;
constexpr size_t kFrameMax = 65536;
}  // namespace

Relay::Relay(const LinkConfig& config, int tap_fd)
    : link_(config), tap_fd_(tap_fd) {}

Relay::~Relay() {
  Stop();
  if (udp_fd_ >= 0) close(udp_fd_);
  if (tap_fd_ >= 0) close(tap_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

bool Relay::Open(uint16_t guest_port) {
  udp_fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (udp_fd_ < 0) {
    Fail(std::string("udp socket: ") + strerror(errno));
    return false;
  }
  int buf = 8 << 20;
  setsockopt(udp_fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
  setsockopt(udp_fd_, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(udp_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    Fail(std::string("udp bind 127.0.0.1: ") + strerror(errno));
    return false;
  }
  socklen_t len = sizeof(a);
  getsockname(udp_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  local_port_ = ntohs(a.sin_port);
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  peer.sin_port = htons(guest_port);
  if (connect(udp_fd_, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)) != 0) {
    Fail(std::string("udp connect 127.0.0.1:") + std::to_string(guest_port) +
         ": " + strerror(errno));
    return false;
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return stop_fd_ >= 0;
}

bool Relay::Start() {
  if (udp_fd_ < 0 || tap_fd_ < 0) return false;
  thread_ = std::thread([this] { Loop(); });
  return true;
}

void Relay::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  (void)!write(stop_fd_, &one, sizeof(one));
  thread_.join();
}

void Relay::Fail(const std::string& msg) {
  std::lock_guard<std::mutex> l(mu_);
  if (error_.empty()) error_ = msg;
}

std::string Relay::error() const {
  std::lock_guard<std::mutex> l(mu_);
  return error_;
}

void Relay::Publish() {
  const DirectionCounters& g = link_.counters(Direction::kToGuest);
  const DirectionCounters& s = link_.counters(Direction::kToServer);
  pub_[0].store(g.frames, std::memory_order_relaxed);
  pub_[1].store(g.dropped, std::memory_order_relaxed);
  pub_[2].store(g.bytes, std::memory_order_relaxed);
  pub_[3].store(s.frames, std::memory_order_relaxed);
  pub_[4].store(s.dropped, std::memory_order_relaxed);
  pub_[5].store(s.bytes, std::memory_order_relaxed);
  if (batch_data_) {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    last_data_ns_.store(ts.tv_sec * 1000000000LL + ts.tv_nsec,
                        std::memory_order_relaxed);
    batch_data_ = false;
  }
}

double Relay::last_tcp_data() const {
  int64_t ns = last_data_ns_.load(std::memory_order_relaxed);
  return ns < 0 ? -1 : ns / 1e9;
}

RelayCounters Relay::counters() const {
  RelayCounters c;
  c.to_guest = {pub_[0].load(), pub_[1].load(), pub_[2].load()};
  c.to_server = {pub_[3].load(), pub_[4].load(), pub_[5].load()};
  return c;
}

void Relay::Loop() {
  // Buffers for one batch per direction, allocated once.
  std::unique_ptr<uint8_t[]> in_buf(new uint8_t[kBatch * kFrameMax]);
  std::unique_ptr<uint8_t[]> out_buf(new uint8_t[kBatch * kFrameMax]);
  mmsghdr in_msgs[kBatch];
  iovec in_iov[kBatch];
  mmsghdr out_msgs[kBatch];
  iovec out_iov[kBatch];
  memset(in_msgs, 0, sizeof(in_msgs));
  memset(out_msgs, 0, sizeof(out_msgs));
  for (int i = 0; i < kBatch; ++i) {
    in_iov[i] = {in_buf.get() + i * kFrameMax, kFrameMax};
    in_msgs[i].msg_hdr.msg_iov = &in_iov[i];
    in_msgs[i].msg_hdr.msg_iovlen = 1;
    out_msgs[i].msg_hdr.msg_iov = &out_iov[i];
    out_msgs[i].msg_hdr.msg_iovlen = 1;
  }
  pollfd fds[3] = {
      {udp_fd_, POLLIN, 0}, {tap_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    int n = poll(fds, 3, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail(std::string("poll: ") + strerror(errno));
      return;
    }
    if (fds[2].revents) return;
    if (fds[0].revents & POLLIN) {
      // Guest -> server: UDP datagrams (one Ethernet frame each) into the TAP.
      int got = recvmmsg(udp_fd_, in_msgs, kBatch, MSG_DONTWAIT, nullptr);
      if (got < 0 && errno != EAGAIN && errno != ECONNREFUSED &&
          errno != EINTR) {
        Fail(std::string("recvmmsg: ") + strerror(errno));
        return;
      }
      for (int i = 0; i < got; ++i) {
        const uint8_t* f = static_cast<uint8_t*>(in_iov[i].iov_base);
        size_t len = in_msgs[i].msg_len;
        if (!link_.Decide(Direction::kToServer, f, len)) continue;
        batch_data_ |= progress_[1].Observe(f, len) > 0;
        if (write(tap_fd_, f, len) < 0 && errno != EAGAIN && errno != EIO) {
          Fail(std::string("tap write: ") + strerror(errno));
          return;
        }
      }
    }
    if (fds[1].revents & POLLIN) {
      // Server -> guest: drain up to one batch from the TAP, one sendmmsg.
      int k = 0;
      while (k < kBatch) {
        uint8_t* f = out_buf.get() + k * kFrameMax;
        ssize_t len = read(tap_fd_, f, kFrameMax);
        if (len < 0) {
          if (errno == EAGAIN || errno == EINTR) break;
          Fail(std::string("tap read: ") + strerror(errno));
          return;
        }
        if (!link_.Decide(Direction::kToGuest, f, static_cast<size_t>(len)))
          continue;
        batch_data_ |= progress_[0].Observe(f, static_cast<size_t>(len)) > 0;
        out_iov[k] = {f, static_cast<size_t>(len)};
        ++k;
      }
      int sent = 0;
      while (sent < k) {
        int r = sendmmsg(udp_fd_, out_msgs + sent, k - sent, 0);
        if (r < 0) {
          // QEMU not listening yet (ECONNREFUSED) or a full buffer: the frames
          // are lost as on a real wire; TCP in the guest retransmits.
          break;
        }
        sent += r;
      }
    }
    if ((fds[0].revents | fds[1].revents) & (POLLERR | POLLHUP | POLLNVAL)) {
      if (fds[1].revents & (POLLHUP | POLLNVAL)) {
        Fail("tap: hangup");
        return;
      }
    }
    Publish();
  }
}

}  // namespace swapbench
