#!/bin/sh
# Inputs per second of `hwocr id-card -j N` against the emulator answering
# each request after 100 ms (`hwocr emulator --latency 100`).
#   bench/cli/cli_throughput.sh [BUILD_DIR]      (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
hwocr=$build/bin/hwocr
work=$(mktemp -d)
trap 'kill $emulator 2>/dev/null || true; rm -rf "$work"' EXIT

# The emulator holds each OCR answer back 100 ms in its own worker (no CPU):
# a service far away, never the bottleneck of the batch.
"$hwocr" emulator --port 0 --latency 100 >"$work/emulator.out" 2>/dev/null &
emulator=$!
while ! grep -q listening "$work/emulator.out" 2>/dev/null; do sleep 0.1; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/emulator.out")

export HUAWEICLOUD_SDK_AK=HWOCREMULATORAK000001 HUAWEICLOUD_SDK_SK=hwocr-emulator-secret-key-0000000000000001
export HUAWEICLOUD_SDK_OCR_ENDPOINT=http://127.0.0.1:$port HUAWEICLOUD_SDK_IAM_ENDPOINT=http://127.0.0.1:$port
export HUAWEICLOUD_SDK_PROJECT_ID=0e5a1b2c3d4e5f60718293a4b5c6d7e8

for spec in 1:50 16:400 64:1000; do
  jobs=${spec%:*}; count=${spec#*:}
  rm -rf "$work/in"; mkdir "$work/in"
  i=0; while [ $i -lt "$count" ]; do cp "$root/examples/data/id-card-front.png" "$work/in/$i.png"; i=$((i + 1)); done
  start=$(date +%s.%N)
  "$hwocr" id-card -j "$jobs" "$work/in" -o "$work/out.jsonl" || true
  end=$(date +%s.%N)
  ok=$(grep -c '"status":"ok"' "$work/out.jsonl" || true)
  echo "$jobs $count $ok $start $end" | awk '{ printf "-j %-3s %5d inputs  %5d ok  %6.2f s  %7.1f inputs/s\n", $1, $2, $3, $5 - $4, $2 / ($5 - $4) }'
done
