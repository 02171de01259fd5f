#include "bench/digest.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace swapbench {

namespace {

using Ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string Hex(const unsigned char* d, unsigned n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    s += kDigits[d[i] >> 4];
    s += kDigits[d[i] & 15];
  }
  return s;
}

std::string Final(EVP_MD_CTX* ctx) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx, d, &n);
  return Hex(d, n);
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  Ctx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), data.data(), data.size());
  return Final(ctx.get());
}

Result<std::string> Sha256File(const std::string& path) {
  std::unique_ptr<FILE, decltype(&fclose)> f(fopen(path.c_str(), "rbe"),
                                             fclose);
  if (!f) return Status::Harness("sha256 " + path + ": " + strerror(errno));
  Ctx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f.get())) > 0)
    EVP_DigestUpdate(ctx.get(), buf, n);
  if (ferror(f.get()))
    return Status::Harness("sha256 " + path + ": read error");
  return Final(ctx.get());
}

}  // namespace swapbench
