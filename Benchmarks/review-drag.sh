#!/usr/bin/env bash
# Gate-drag latency of the review engine (issue #14, docs/review-engine.md): simulates
# reset-panel tubes of 10⁵ and 10⁶ events with `cytoreset simulate` (if missing), builds
# review-drag in release with -target-cpu haswell and runs 200 drags of each kind per file.
#
#   Benchmarks/review-drag.sh                 # 10⁵ and 10⁶ events, 200 drags
#   DRAGS=500 Benchmarks/review-drag.sh 1000000
#   SCRATCH=/path/.build-x CYTORESET=/path/cytoreset Benchmarks/review-drag.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cpu="${TARGET_CPU:-haswell}"
scratch="${SCRATCH:-$here/.build}"
flags=(-c release -Xswiftc -target-cpu -Xswiftc "$cpu")
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
data="$here/data/review"
mkdir -p "$data"

# CYTORESET=path/to/cytoreset skips building the tool (any build simulates the same file).
if [ -z "${CYTORESET:-}" ]; then
  swift build "${flags[@]}" --package-path "$root" --scratch-path "$scratch-root" --product cytoreset >&2
  CYTORESET="$(swift build "${flags[@]}" --package-path "$root" --scratch-path "$scratch-root" --show-bin-path)/cytoreset"
fi
swift build "${flags[@]}" --package-path "$here" --scratch-path "$scratch" --product review-drag >&2
drag="$(swift build "${flags[@]}" --package-path "$here" --scratch-path "$scratch" --show-bin-path)/review-drag"

for n in "${sizes[@]}"; do
  f="$data/reset-$n.fcs"
  if [ ! -f "$f" ]; then
    "$CYTORESET" simulate -o "$f" --events "$n" --blood-ul $((n / 5000 + 50)) >&2
  fi
  echo "== $f (load $(cut -d' ' -f1-3 /proc/loadavg))"
  "$drag" "$f" "${DRAGS:-200}"
done
