#!/usr/bin/env bash
# Cost of `cytoreset ingest` beyond the analysis, and the size of a cohort store.
#
#   Benchmarks/ingest-bench.sh                 # release build, results on stdout (markdown)
#   BIN=.build/debug/cytoreset Benchmarks/ingest-bench.sh   # an existing binary
#   PATIENTS=20 Benchmarks/ingest-bench.sh     # a smaller cohort for the size measurement
#
# 1. Ingest overhead: for 10^5 and 10^6 events, with and without --keep-events, the wall time
#    of `ingest` into a fresh store minus the wall time of `analyze` of the same file with the
#    same options (best of REPEAT runs each): what the store adds to an analysis (SHA-256 of
#    the file, copy-on-write, HDF5 writes, fsync, rename; with events the compensated matrix
#    and masks, deflate level 1).
# 2. Cohort size: PATIENTS (default 100) patients × 20 visits without events, ingested from one
#    manifest (commits of up to 50 visits), then the store's size; and the cost of one more
#    single-visit ingest into the full store (dominated by copying it), next to `cp` of the store.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
REPEAT=${REPEAT:-3}
PATIENTS=${PATIENTS:-100}
if [ -z "${BIN:-}" ]; then
  scratch="${SCRATCH:-$root/.build-bench}"
  swift build -c release --package-path "$root" --scratch-path "$scratch" --product cytoreset >&2
  BIN="$scratch/release/cytoreset"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/cytoreset-ingest-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
count=(--beads-per-test 50000 --blood-ul 50)

# best_of N CMD...: the smallest wall time in seconds over N runs (each in a fresh store dir).
best_of() {
  local n=$1 best="" t s e
  shift
  for _ in $(seq "$n"); do
    rm -f "$work"/s.h5 "$work"/s.h5.lock
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  printf '%.3f' "$best"
}

echo "## ingest overhead (best of $REPEAT, $(nproc) cores, $(date -u +%Y-%m-%d))"
echo
echo "| events | FCS MB | analyze s | ingest s | ingest − analyze s | with --keep-events s | events − analyze s | store MB (events) |"
echo "|--:|--:|--:|--:|--:|--:|--:|--:|"
for n in 100000 1000000; do
  f="$work/e$n.fcs"
  "$BIN" simulate -o "$f" --events "$n" --seed 7 >/dev/null 2>&1
  mb=$(echo "$(stat -c %s "$f") / 1000000" | bc -l)
  a=$(best_of "$REPEAT" "$BIN" analyze "$f" "${count[@]}" --format json)
  i=$(best_of "$REPEAT" "$BIN" ingest "$f" --store "$work/s.h5" --patient B --day 7 "${count[@]}")
  k=$(best_of "$REPEAT" "$BIN" ingest "$f" --store "$work/s.h5" --patient B --day 7 "${count[@]}" --keep-events)
  smb=$(echo "$(stat -c %s "$work/s.h5") / 1000000" | bc -l)
  printf '| %s | %.1f | %s | %s | %.3f | %s | %.3f | %.1f |\n' "$n" "$mb" "$a" "$i" "$(echo "$i - $a" | bc -l)" "$k" \
    "$(echo "$k - $a" | bc -l)" "$smb"
done

echo
echo "## cohort store: $PATIENTS patients × 20 visits, no events"
echo
days="-7,7,14,21,28,42,60,90,120,150,180,210,240,270,300,330,365,450,540,730"
"$BIN" simulate --timeline --patient T --seed 5 --days="$days" --events 5000 -o "$work/t" >/dev/null 2>&1
manifest="$work/cohort.csv"
echo "file,patient,day,beads_per_test,blood_ul" >"$manifest"
for p in $(seq -f "P%03g" 1 "$PATIENTS"); do
  tail -n +2 "$work/t/T.visits.csv" | while IFS=, read -r file _ day _ beads blood; do
    echo "t/$file,$p,$day,$beads,$blood"
  done >>"$manifest"
done
rm -f "$work/cohort.h5"
s=$(date +%s.%N)
"$BIN" ingest --manifest "$manifest" --store "$work/cohort.h5" >/dev/null 2>&1
e=$(date +%s.%N)
size=$(stat -c %s "$work/cohort.h5")
visits=$((PATIENTS * 20))
printf -- '- %d visits ingested from one manifest in %.1f s (%.1f ms per visit, analysis of 5,000-event files included)\n' \
  "$visits" "$(echo "$e - $s" | bc -l)" "$(echo "($e - $s) * 1000 / $visits" | bc -l)"
printf -- '- store size: %.1f MB (%.1f kB per visit)\n' "$(echo "$size / 1000000" | bc -l)" "$(echo "$size / 1000 / $visits" | bc -l)"
f1="$work/t/T_day+007.fcs"
a=$(best_of "$REPEAT" "$BIN" analyze "$f1" "${count[@]}" --format json)
best=""
for r in $(seq "$REPEAT"); do
  cp "$work/cohort.h5" "$work/full.h5"
  s=$(date +%s.%N)
  "$BIN" ingest "$f1" --store "$work/full.h5" --patient NEW --day "$r" "${count[@]}" >/dev/null 2>&1
  e=$(date +%s.%N)
  t=$(echo "$e - $s" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done
s=$(date +%s.%N)
cp "$work/cohort.h5" "$work/copy.h5" && sync "$work/copy.h5"
e=$(date +%s.%N)
printf -- '- one more visit into the full store: %.3f s, of which %.3f s beyond its analysis; cp + sync of the store: %.3f s\n' \
  "$best" "$(echo "$best - $a" | bc -l)" "$(echo "$e - $s" | bc -l)"
