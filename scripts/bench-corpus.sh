#!/usr/bin/env bash
# Wall time and peak RSS of `kafkalint lint` over the public corpus beside the repository.
# Usage: scripts/bench-corpus.sh [RUNS]   (default 20 runs; prints min / median wall and max RSS)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
corpus=../shared/corpus/public
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
cargo build --release -q -p kafkalint
bin=$PWD/target/release/kafkalint
mapfile -t files < <(cd "$corpus" && find . -type f ! -name '*.tsv' | sed 's|^\./||' | sort)
times=() rss=0
for _ in $(seq "$runs"); do
  out=$( { cd "$corpus" && /usr/bin/time -f '%e %M' "$bin" lint -f json "${files[@]}" >/dev/null || true; } 2>&1 | tail -1 )
  times+=("${out% *}")
  kb=${out#* }; if (( kb > rss )); then rss=$kb; fi
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
min=$(echo "$sorted" | head -1)
median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
echo "kafkalint lint, ${#files[@]} corpus files, $runs runs: wall min ${min}s, median ${median}s; peak RSS $((rss / 1024)) MB"
