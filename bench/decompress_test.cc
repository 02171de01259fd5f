#include "bench/decompress.h"

#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

namespace swapbench {
namespace {

// Bytes that look like a module: an ELF header and something to compress.
std::string Module() {
  std::string m =
      "\x7f"
      "ELF";
  for (int i = 0; i < 20000; ++i) m += "init_module " + std::to_string(i % 97);
  return m;
}

std::string Xz(const std::string& in) {
  std::string out(lzma_stream_buffer_bound(in.size()), '\0');
  size_t pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(
                6, LZMA_CHECK_CRC32, nullptr,
                reinterpret_cast<const uint8_t*>(in.data()), in.size(),
                reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()),
            LZMA_OK);
  out.resize(pos);
  return out;
}

std::string Zst(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string Gz(const std::string& in) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&s, in.size()) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = in.size();
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = out.size();
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

TEST(DecompressTest, EveryFormatDistributionsShip) {
  const std::string m = Module();
  EXPECT_EQ(*DecompressModule("kernel/net/a.ko", m), m);
  EXPECT_EQ(*DecompressModule("kernel/net/failover.ko.xz", Xz(m)), m);
  EXPECT_EQ(*DecompressModule("kernel/net/b.ko.zst", Zst(m)), m);
  EXPECT_EQ(*DecompressModule("kernel/net/c.ko.gz", Gz(m)), m);
  EXPECT_EQ(PlainModulePath("kernel/net/failover.ko.xz"),
            "kernel/net/failover.ko");
  EXPECT_EQ(PlainModulePath("kernel/net/b.ko.zst"), "kernel/net/b.ko");
  EXPECT_EQ(PlainModulePath("kernel/net/c.ko.gz"), "kernel/net/c.ko");
  EXPECT_EQ(PlainModulePath("kernel/net/a.ko"), "kernel/net/a.ko");
}

TEST(DecompressTest, BadDataIsAnErrorNamingTheModule) {
  const std::string m = Module();
  for (const auto& [path, data] :
       std::vector<std::pair<std::string, std::string>>{
           {"x.ko.xz", Xz(m).substr(0, 100)},
           {"x.ko.zst", Zst(m).substr(0, 100)},
           {"x.ko.gz", Gz(m).substr(0, 100)},
           {"x.ko.xz", "not xz"},
           {"x.ko.zst", "not zstd"},
           {"x.ko.gz", "not gzip"}}) {
    auto r = DecompressModule(path, data);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().kind(), Status::Kind::kUsage) << path;
    EXPECT_EQ(r.status().message().rfind("module " + path + ": ", 0), 0u)
        << r.status().message();
  }
  EXPECT_EQ(DecompressModule("x.ko.bz2", "").status().message(),
            "module x.ko.bz2: expected .ko, .ko.xz, .ko.zst or .ko.gz");
}

TEST(DecompressTest, OutputIsCapped) {
  std::string big(8 << 20, '\0');  // compresses to almost nothing
  for (const auto& [path, data] :
       std::vector<std::pair<std::string, std::string>>{
           {"z.ko.xz", Xz(big)}, {"z.ko.zst", Zst(big)}, {"z.ko.gz", Gz(big)}})
    EXPECT_EQ(DecompressModule(path, data, 1 << 20).status().message(),
              "module " + path + ": more than 1 MiB decompressed")
        << path;
}

}  // namespace
}  // namespace swapbench
