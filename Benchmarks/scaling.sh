#!/usr/bin/env bash
# The scaling table (docs/scaling.md): end to end on 10^5 … 10^8 events, whole matrix vs chunked.
#   Benchmarks/scaling.sh                 # RUNS=3 per size (10^8: BIG_RUNS=1)
# Needs ~6.5 GB of disk for the 10^8 file (made once from the 10^7 file by make-repeated.py).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$here"
flags=(-c release -Xswiftc -target-cpu -Xswiftc "${TARGET_CPU:-haswell}" --scratch-path "$here/.build-peers")
swift build "${flags[@]}" --product bench-data >&2
swift build "${flags[@]}" --product gate-once >&2
bin="$(swift build "${flags[@]}" --show-bin-path)"
data="${CYTORESET_BENCH_DATA:-$here/data}"
"$bin/bench-data" 1e5x16 1e6x16 1e7x16 >&2
[ -f "$data/bench-1e8x16-f32.fcs" ] || python3 "$here/make-repeated.py" "$data/bench-1e7x16-f32.fcs" 10 "$data/bench-1e8x16-f32.fcs"
python3 "$here/scaling.py" --gate-once "$bin/gate-once" --data "$data" --runs "${RUNS:-3}" --big-runs "${BIG_RUNS:-1}" --out "$root/docs/scaling.md"
