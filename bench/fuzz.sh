#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for
# SECONDS on a copy of its seed corpus; exits 1 on the first crash, leak or
# timeout, leaving the input in WORK/TARGET/.
#   bash bench/fuzz.sh 20            # the short run CTest does (fuzz_short)
#   bash bench/fuzz.sh 600           # ten minutes each, before a release
# Usage: bench/fuzz.sh SECONDS [WORK_DIR]   (default build/fuzz)
# The mutations are seeded (SWAPBENCH_FUZZ_SEED, default 1), never from the
# clock: the same corpus gets the same mutations in the same order.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:?usage: bench/fuzz.sh SECONDS [WORK_DIR]}
work=${2:-build/fuzz}
if ! command -v clang++ >/dev/null ||
   ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "[  SKIPPED ] fuzzing needs clang++ and libFuzzer (packages clang, libclang-rt-14-dev; bench/setup.sh installs them)"
  exit 0
fi
mkdir -p "$work"
if ! { CC=clang CXX=clang++ cmake -S . -B "$work/build" -DSWAPBENCH_FUZZ=ON \
         -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/build.log" 2>&1 &&
       cmake --build "$work/build" -j"$(nproc)" >>"$work/build.log" 2>&1; }; then
  tail -20 "$work/build.log"
  echo "fuzz: build failed (log: $work/build.log)"
  exit 1
fi
# target, binary, seed directories (the shipped inputs and past crashes)
targets=(
  "scenario bench/scenario_fuzzer scenarios bench/testdata/fuzz/scenario"
  "console bench/console_fuzzer bench/testdata bench/testdata/fuzz/console"
  "telemetry bench/telemetry_fuzzer bench/testdata/telemetry bench/testdata/fuzz/telemetry"
  "report bench/report_fuzzer bench/testdata/sets bench/testdata/fuzz/report"
  "pcap netem/pcap_fuzzer scenarios/data bench/testdata/fuzz/pcap"
)
rc=0
for t in "${targets[@]}"; do
  read -r -a parts <<<"$t"
  name=${parts[0]} bin=${parts[1]}
  corpus="$work/$name/corpus"
  rm -rf "$work/$name" && mkdir -p "$corpus"
  for s in "${parts[@]:2}"; do
    [ -d "$s" ] && find "$s" -type f ! -name '*.md' -exec cp -t "$corpus" {} + 2>/dev/null
  done
  "$work/build/$bin" -seed="${SWAPBENCH_FUZZ_SEED:-1}" -max_total_time="$secs" \
    -timeout=10 -rss_limit_mb=2048 \
    -max_len=1048576 -artifact_prefix="$work/$name/" -print_final_stats=1 \
    "$corpus" >"$work/$name/log" 2>&1
  r=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name/log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$work/$name/log" | tail -1)
  if [ $r -ne 0 ]; then
    grep -m1 -E 'ERROR|SUMMARY|deadly|timeout' "$work/$name/log"
    echo "fuzz: $name FAILED after ${runs:-?} runs; input and log in $work/$name/"
    rc=1
  else
    echo "fuzz: $name ok: ${runs:-?} runs in ${secs}s, ${cov:-cov: ?}"
  fi
done
exit $rc
