// Netns: the network namespace a run owns, and the addresses inside it.
//
// Every run gets its own namespace (`ip netns add swapbench-ID`) holding
// the server's end of the guest's link and the storage server; the guest's
// traffic never reaches the host's network. The Netns object deletes the
// namespace when it goes, and DeleteNetns/DeleteHostTap are what the
// reaper uses for a run that was killed before it could.
//
// Threading: one run's thread. Commands go through Env, so the fakes in
// bench/testing.h see every namespace made and deleted.
#ifndef SWAPBENCH_BENCH_NETNS_H_
#define SWAPBENCH_BENCH_NETNS_H_

#include <memory>
#include <string>
#include <vector>

#include "bench/env.h"
#include "bench/status.h"

namespace swapbench {

// Addresses inside a run's namespace; never the host's 192.0.2.0/24.
inline constexpr const char* kServerIp = "10.213.0.1";
inline constexpr const char* kGuestIp = "10.213.0.2";
inline constexpr int kPrefix = 30;

class Netns {
 public:
  // `ip netns add NAME`.
  static Result<std::unique_ptr<Netns>> Create(Env* env, std::string name);
  ~Netns();  // `ip netns del NAME`
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;

  const std::string& name() const { return name_; }
  // The handle setns() takes: /run/netns/NAME.
  std::string path() const { return "/run/netns/" + name_; }
  // The server's side: lo up, kServerIp/kPrefix on `dev`, `dev` up.
  [[nodiscard]] Status AddressServer(const std::string& dev, int mtu = 1500);
  // `tc -n NAME args...`.
  [[nodiscard]] Status Tc(const std::vector<std::string>& args);

 private:
  Netns(Env* env, std::string name) : env_(env), name_(std::move(name)) {}
  Env* env_;
  std::string name_;
};

// Deletes a namespace made with `ip netns add`; ignores a missing one.
void DeleteNetns(Env* env, const std::string& name);
// Deletes a TAP left in the host namespace; ignores a missing one.
void DeleteHostTap(Env* env, const std::string& name);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_NETNS_H_
