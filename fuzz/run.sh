#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a bounded time.
#   fuzz/run.sh [SECONDS_PER_TARGET=60] [BUILD_DIR=build-fuzz]
# Environment: FUZZ_TARGETS="fuzz_sign fuzz_iam" runs only those;
# FUZZ_NO_HOSTILE_SEEDS=1 leaves out the seeds for issue 7's known defects;
# FUZZ_JOBS (default 2) is the build parallelism; FUZZ_SEED=N makes libFuzzer's
# mutations repeatable (CI sets one, so a CI run retraces the run that was
# checked before it; a finding is still kept and fails the run).
# Exits non-zero when any target crashes, leaks, times out, runs out of
# memory or reports undefined behaviour; the inputs that did it are kept in
# BUILD_DIR/fuzz-artifacts/<target>/ and their paths printed.
set -u -o pipefail

seconds=${1:-60}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(dirname "$here")
build_dir=${2:-$source_dir/build-fuzz}
case $build_dir in /*) ;; *) build_dir=$PWD/$build_dir ;; esac
jobs=${FUZZ_JOBS:-2}

all_targets="fuzz_response fuzz_iam fuzz_error_body fuzz_retry_after fuzz_image_probe fuzz_sign fuzz_options_json fuzz_response_headers fuzz_json_reader"
targets=${FUZZ_TARGETS:-$all_targets}

# Longest input per target: answers and options must reach the ~200 KB of a
# deeply nested document; headers, dates and image heads need far less.
max_len_of() {
  case $1 in
    fuzz_response|fuzz_iam|fuzz_error_body|fuzz_options_json|fuzz_json_reader) echo 409600 ;;
    fuzz_sign|fuzz_response_headers) echo 65536 ;;
    fuzz_image_probe) echo 70000 ;;
    *) echo 4096 ;;
  esac
}

command -v clang++ >/dev/null || { echo "fuzz/run.sh: clang++ not found" >&2; exit 2; }
command -v python3 >/dev/null || { echo "fuzz/run.sh: python3 not found (writes the seeds)" >&2; exit 2; }

echo "== configure and build ($build_dir)"
CC=clang CXX=clang++ cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHWOCR_BUILD_FUZZERS=ON -DHWOCR_BUILD_TESTS=OFF -DHWOCR_BUILD_EXAMPLES=OFF -DHWOCR_BUILD_EMULATOR=OFF \
  -DHWOCR_BUILD_BENCHMARKS=OFF -DHWOCR_INSTALL=OFF >"$build_dir.configure.log" 2>&1 ||
  { cat "$build_dir.configure.log" >&2; echo "fuzz/run.sh: configuration failed" >&2; exit 2; }
# shellcheck disable=SC2086
cmake --build "$build_dir" -j "$jobs" --target $targets || { echo "fuzz/run.sh: build failed" >&2; exit 2; }

seeds=$build_dir/fuzz-seeds
rm -rf "$seeds"
hostile=--hostile
[ "${FUZZ_NO_HOSTILE_SEEDS:-0}" = 1 ] && hostile=
python3 "$here/make_seeds.py" "$seeds" $hostile || { echo "fuzz/run.sh: writing seeds failed" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
total=0
summary=""
for target in $targets; do
  binary=$build_dir/fuzz/$target
  corpus=$build_dir/fuzz-corpus/$target
  artifacts=$build_dir/fuzz-artifacts/$target
  log=$build_dir/fuzz-logs/$target.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")" "$seeds/$target"
  marker=$artifacts/.started
  touch "$marker"
  echo "== $target: ${seconds}s"
  # New inputs go to the first directory (kept between runs); seeds are read only.
  "$binary" "$corpus" "$seeds/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len_of "$target")" -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" ${FUZZ_SEED:+-seed=$FUZZ_SEED} >"$log" 2>&1 </dev/null
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
  [ -n "$runs" ] || runs=0
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  total=$((total + runs))
  problem=""
  if [ $status -ne 0 ]; then
    problem="exit $status"
  elif grep -qE "runtime error:|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|SUMMARY: (Address|Undefined|Leak)" "$log"; then
    problem="sanitizer report"
  fi
  if [ -n "$problem" ]; then
    failed=1
    line="$target: FAILED ($problem) after $runs executions; log $log"
    echo "$line"
    grep -m3 -E "runtime error:|ERROR: |SUMMARY: |fuzz invariant broken" "$log" | sed 's/^/    /'
    while IFS= read -r input; do
      echo "    input: $input"
      echo "    reproduce: $binary $input"
    done < <(find "$artifacts" -maxdepth 1 -type f ! -name .started -newer "$marker" | sort)
  else
    line="$target: ok, $runs executions (${rate:-?} exec/s)"
    echo "$line"
  fi
  summary+="$line"$'\n'
done
echo "== summary"
printf '%s' "$summary"
echo "total: $total executions, $([ $failed -eq 0 ] && echo "no failures" || echo "FAILURES")"
exit $failed
