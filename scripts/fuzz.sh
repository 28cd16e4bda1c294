#!/usr/bin/env bash
# Run every cargo-fuzz target for SECONDS each (default 30), one per core at a time. Installs
# cargo-fuzz under .cache/tools. Seeds are fuzz/corpus/<target>; what the fuzzer finds new goes
# to .cache/fuzz/<target>, so the committed seeds stay small. A crash stops the run and leaves
# its input in fuzz/artifacts/<target>/. Builds are optimized with debug assertions and overflow
# checks on, so an arithmetic overflow counts as a crash.
#
# By default the targets run under AddressSanitizer, which needs the nightly toolchain.
# --stable builds them with the default toolchain and no sanitizer, as the test command does:
# our crates are safe Rust, so what a short run can find (panics, overflows, hangs, memory
# blow-ups) needs no sanitizer, and CI saves a toolchain install. --build-only stops after
# the build.
# Usage: scripts/fuzz.sh [--stable] [--build-only] [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain=(+nightly) sanitizer=address build_only=false
while [ $# -gt 0 ]; do
  case $1 in
    # Panics name their file and line without debug info; the short CI runs skip building it.
    --stable) toolchain=() sanitizer=none; export CARGO_PROFILE_RELEASE_DEBUG=false; shift ;;
    --build-only) build_only=true; shift ;;
    *) break ;;
  esac
done
seconds=${1:-30}
shift || true
CARGO_FUZZ_VERSION=0.13.2
export PATH="$PWD/.cache/tools/cargo-fuzz/bin:$PATH"
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION" --root .cache/tools/cargo-fuzz
fi
if [ ${#toolchain[@]} -gt 0 ]; then
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
fi
cd fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list); fi
cargo "${toolchain[@]}" fuzz build -O -a -s "$sanitizer"
$build_only && exit 0
mkdir -p ../.cache/fuzz
# One target per core at a time (FUZZ_JOBS); each fuzzer process is single-threaded.
jobs=${FUZZ_JOBS:-$(nproc)}
run_target() {
  local t=$1 status=0 log="../.cache/fuzz/$1.log"
  mkdir -p "../.cache/fuzz/$t" "corpus/$t"
  cargo "${toolchain[@]}" fuzz run -O -a -s "$sanitizer" "$t" "../.cache/fuzz/$t" "corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1 || status=$?
  {
    echo "== $t (${seconds}s)"
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  } > "$log.summary"
  if [ "$status" -ne 0 ]; then
    grep -E '^(==[0-9]+==|SUMMARY|thread .* panicked)' "$log" | head -5 >> "$log.summary" || true
    echo "$t: crash (exit $status), input in fuzz/artifacts/$t/, log in .cache/fuzz/$t.log;" \
      "once fixed, move the input to fuzz/regressions/$t/ (cargo test --test fuzz_seeds replays it)" >> "$log.summary"
  fi
  return "$status"
}
failed=0
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
for t in "${targets[@]}"; do cat "../.cache/fuzz/$t.log.summary"; done
[ "$failed" -eq 0 ] || { echo "a fuzz target crashed (above)" >&2; exit 1; }
echo "all fuzz targets ran ${seconds}s without a crash"
