// Status and Result<T>: the error values that cross module boundaries.
//
// No exception escapes a module; every failure is a Status that names the
// part that failed and carries context added by each layer on the way up
// ("ganesha: start in netns sb-3: bind: address in use"). The Kind decides
// the exit code: a scenario/usage error is the user's (2), a harness error
// is the bench's own (3). Kernel findings are not errors at all: they are
// data in the report.
#ifndef SWAPBENCH_BENCH_STATUS_H_
#define SWAPBENCH_BENCH_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace swapbench {

class [[nodiscard]] Status {
 public:
  enum class Kind { kOk, kUsage, kHarness, kCancelled };

  Status() = default;
  static Status Ok() { return Status(); }
  // A bad scenario file, flag or kernel the user handed us: exit 2.
  static Status Usage(std::string msg) {
    return Status(Kind::kUsage, std::move(msg));
  }
  // The bench's own machinery failed (server, libvirt, relay): exit 3.
  static Status Harness(std::string msg) {
    return Status(Kind::kHarness, std::move(msg));
  }
  // SIGINT/SIGTERM arrived; everything was torn down: exit 3.
  static Status Cancelled(std::string msg) {
    return Status(Kind::kCancelled, std::move(msg));
  }

  bool ok() const { return kind_ == Kind::kOk; }
  Kind kind() const { return kind_; }
  const std::string& message() const { return msg_; }

  // Returns a copy with "context: " prepended, keeping the kind.
  Status Context(const std::string& context) const {
    if (ok()) return *this;
    return Status(kind_, context + ": " + msg_);
  }

 private:
  Status(Kind kind, std::string msg) : kind_(kind), msg_(std::move(msg)) {}
  Kind kind_ = Kind::kOk;
  std::string msg_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {}

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T value_or(T fallback) const { return ok() ? *value_ : fallback; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_STATUS_H_
