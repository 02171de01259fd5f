#include "netem/pcap.h"

#include <pcap/pcap.h>

#include <algorithm>

namespace swapbench {

bool PcapWriter::Open(const std::string& path, int snaplen,
                      std::string* error) {
  Close();
  pcap_ = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, snaplen,
                                               PCAP_TSTAMP_PRECISION_NANO);
  if (!pcap_) {
    *error = "pcap_open_dead failed";
    return false;
  }
  dumper_ = pcap_dump_open(pcap_, path.c_str());
  if (!dumper_) {
    *error = path + ": " + pcap_geterr(pcap_);
    pcap_close(pcap_);
    pcap_ = nullptr;
    return false;
  }
  snaplen_ = snaplen;
  return true;
}

void PcapWriter::Write(int64_t ts_ns, const uint8_t* data, size_t len) {
  if (!dumper_) return;
  pcap_pkthdr h{};
  h.ts.tv_sec = ts_ns / 1000000000;
  h.ts.tv_usec = ts_ns % 1000000000;  // nanoseconds: the file says so
  h.len = static_cast<bpf_u_int32>(len);
  h.caplen = static_cast<bpf_u_int32>(std::min<size_t>(len, snaplen_));
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, data);
}

void PcapWriter::Close() {
  if (dumper_) pcap_dump_close(dumper_);
  if (pcap_) pcap_close(pcap_);
  dumper_ = nullptr;
  pcap_ = nullptr;
}

bool ReadPcap(const std::string& path, std::vector<PcapFrame>* out,
              std::string* error) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline_with_tstamp_precision(
      path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (!p) {
    *error = err;
    return false;
  }
  if (pcap_datalink(p) != DLT_EN10MB) {
    *error = path + ": not an Ethernet capture (link type " +
             std::to_string(pcap_datalink(p)) + ")";
    pcap_close(p);
    return false;
  }
  pcap_pkthdr* h;
  const u_char* data;
  int r;
  while ((r = pcap_next_ex(p, &h, &data)) == 1)
    out->push_back({h->ts.tv_sec * 1000000000LL + h->ts.tv_usec,
                    std::vector<uint8_t>(data, data + h->caplen)});
  if (r == PCAP_ERROR) {
    *error = path + ": " + pcap_geterr(p);
    pcap_close(p);
    return false;
  }
  pcap_close(p);
  return true;
}

}  // namespace swapbench
