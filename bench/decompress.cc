#include "bench/decompress.h"

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

namespace swapbench {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status TooBig(const std::string& path, size_t max) {
  return Status::Usage("module " + path + ": more than " +
                       std::to_string(max >> 20) + " MiB decompressed");
}

Result<std::string> Xz(const std::string& path, const std::string& in,
                       size_t max) {
  lzma_stream s = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
    return Status::Harness("liblzma: cannot start a decoder");
  std::string out;
  char buf[1 << 16];
  s.next_in = reinterpret_cast<const uint8_t*>(in.data());
  s.avail_in = in.size();
  lzma_ret r = LZMA_OK;
  while (r == LZMA_OK) {
    s.next_out = reinterpret_cast<uint8_t*>(buf);
    s.avail_out = sizeof(buf);
    r = lzma_code(&s, LZMA_FINISH);
    out.append(buf, sizeof(buf) - s.avail_out);
    if (out.size() > max) {
      lzma_end(&s);
      return TooBig(path, max);
    }
  }
  lzma_end(&s);
  if (r != LZMA_STREAM_END)
    return Status::Usage("module " + path + ": not valid xz data (liblzma " +
                         std::to_string(r) + ")");
  return out;
}

Result<std::string> Zstd(const std::string& path, const std::string& in,
                         size_t max) {
  ZSTD_DStream* d = ZSTD_createDStream();
  if (!d) return Status::Harness("libzstd: cannot start a decoder");
  std::string out;
  char buf[1 << 16];
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  size_t r = 1;
  while (src.pos < src.size || r != 0) {
    ZSTD_outBuffer dst{buf, sizeof(buf), 0};
    r = ZSTD_decompressStream(d, &dst, &src);
    if (ZSTD_isError(r)) {
      ZSTD_freeDStream(d);
      return Status::Usage("module " + path + ": not valid zstd data (" +
                           ZSTD_getErrorName(r) + ")");
    }
    out.append(buf, dst.pos);
    if (out.size() > max) {
      ZSTD_freeDStream(d);
      return TooBig(path, max);
    }
    if (src.pos == src.size && dst.pos == 0 && r != 0) break;  // truncated
  }
  ZSTD_freeDStream(d);
  if (r != 0) return Status::Usage("module " + path + ": truncated zstd data");
  return out;
}

Result<std::string> Gzip(const std::string& path, const std::string& in,
                         size_t max) {
  z_stream s{};
  if (inflateInit2(&s, 15 + 32) != Z_OK)  // gzip or zlib header
    return Status::Harness("zlib: cannot start a decoder");
  std::string out;
  char buf[1 << 16];
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  int r = Z_OK;
  while (r == Z_OK) {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof(buf);
    r = inflate(&s, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - s.avail_out);
    if (out.size() > max) {
      inflateEnd(&s);
      return TooBig(path, max);
    }
    if (r == Z_BUF_ERROR && s.avail_in == 0) break;  // truncated
  }
  inflateEnd(&s);
  if (r != Z_STREAM_END)
    return Status::Usage("module " + path + ": not valid gzip data (zlib " +
                         std::to_string(r) + ")");
  return out;
}

}  // namespace

std::string PlainModulePath(const std::string& path) {
  for (const char* z : {".xz", ".zst", ".gz"})
    if (EndsWith(path, std::string(".ko") + z))
      return path.substr(0, path.size() - std::string(z).size());
  return path;
}

Result<std::string> DecompressModule(const std::string& path,
                                     const std::string& bytes,
                                     size_t max_bytes) {
  if (EndsWith(path, ".ko")) return bytes;
  if (EndsWith(path, ".ko.xz")) return Xz(path, bytes, max_bytes);
  if (EndsWith(path, ".ko.zst")) return Zstd(path, bytes, max_bytes);
  if (EndsWith(path, ".ko.gz")) return Gzip(path, bytes, max_bytes);
  return Status::Usage("module " + path +
                       ": expected .ko, .ko.xz, .ko.zst or .ko.gz");
}

}  // namespace swapbench
