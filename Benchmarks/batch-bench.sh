#!/usr/bin/env bash
# Batch speed-up of `cytoreset analyze` and `cytoreset ingest` from 1 core to all cores.
#
#   Benchmarks/batch-bench.sh                    # release build (-target-cpu haswell), markdown on stdout
#   BIN=/path/to/cytoreset Benchmarks/batch-bench.sh   # an existing binary (for example an older build)
#   REPEAT=5 EVENTS=50000 Benchmarks/batch-bench.sh
#   SINGLE=10000000 Benchmarks/batch-bench.sh    # the single-file part with 10^7 events (600 MB, ~30 s to simulate)
#
# 1. Cohort: PATIENTS (10) simulated patients × 10 visits (days -7 … 365), EVENTS (100,000)
#    events per file, seeded, so 100 files; simulated once into CACHE and reused. Times
#      analyze: all 100 files in one `cytoreset analyze … --format json`;
#      ingest:  all 100 visits from one manifest into a fresh store (2 commits of 50);
#    under `taskset -c 0` (1 core) and `taskset -c 0-(N-1)` (all N cores), interleaved, REPEAT
#    (3) runs each; reports the best wall time, the user+sys CPU time and peak RSS of that run
#    (`/usr/bin/time -f`), every run's wall time, and the speed-up (best 1-core wall ÷ best
#    all-core wall). On a shared machine the wall times swing with the neighbours' load; the CPU
#    time shows the work done, and CPU ÷ wall how many cores the run got.
# 2. One large file: SINGLE (10^6) events, `analyze` on 1 core and on all cores, the same way:
#    how well the work inside one file is split (engine blocks, cuts, statistics).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
REPEAT=${REPEAT:-3}
PATIENTS=${PATIENTS:-10}
EVENTS=${EVENTS:-100000}
SINGLE=${SINGLE:-1000000}
DAYS="-7,7,14,28,60,90,120,180,270,365"
CACHE=${CACHE:-$root/.build/batch-bench-cache}
command -v taskset >/dev/null || { echo "batch-bench: needs taskset (util-linux)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "batch-bench: needs /usr/bin/time (GNU time)" >&2; exit 2; }
if [ -z "${BIN:-}" ]; then
  swift build -c release -Xswiftc -target-cpu -Xswiftc haswell --package-path "$root" --product cytoreset >&2
  BIN="$root/.build/release/cytoreset"
fi
cores=$(nproc)
all="0-$((cores - 1))"
work=$(mktemp -d "${TMPDIR:-/tmp}/cytoreset-batch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The cohort: simulated once per (patients, events), with a manifest of every visit.
cohort="$CACHE/p${PATIENTS}-e${EVENTS}"
manifest="$cohort/all.visits.csv"
if [ ! -f "$manifest" ]; then
  rm -rf "$cohort"
  mkdir -p "$cohort"
  echo "batch-bench: simulating $PATIENTS patients × 10 visits of $EVENTS events into $cohort" >&2
  rows="$cohort/rows.tmp"
  : >"$rows"
  for i in $(seq "$PATIENTS"); do
    p=$(printf 'P%03d' "$i")
    "$BIN" simulate --timeline --patient "$p" --seed $((1000 + i)) --days="$DAYS" --events "$EVENTS" -o "$cohort/$p" \
      >"$work/simulate.log" 2>&1 || { cat "$work/simulate.log" >&2; exit 1; }
    tail -n +2 "$cohort/$p/$p.visits.csv" | sed "s|^|$p/|" >>"$rows"
  done
  { head -1 "$cohort/P001/P001.visits.csv"; cat "$rows"; } >"$manifest.tmp"
  rm "$rows"
  mv "$manifest.tmp" "$manifest"
fi
mapfile -t files < <(tail -n +2 "$manifest" | cut -d, -f1 | sed "s|^|$cohort/|")
single="$CACHE/single-$SINGLE.fcs"
if [ ! -f "$single" ]; then
  mkdir -p "$CACHE"
  # The tube holds about 8,300 events per µL of blood: enough blood for SINGLE events.
  "$BIN" simulate -o "$single.tmp.fcs" --events "$SINGLE" --seed 4 --blood-ul $((SINGLE / 5000 + 50)) \
    >"$work/simulate.log" 2>&1 || { cat "$work/simulate.log" >&2; exit 1; }
  mv "$single.tmp.fcs" "$single"
  mv "$single.tmp.truth.json" "${single%.fcs}.truth.json"
fi
single_ul=$((SINGLE / 5000 + 50))

# run NAME CPUS CMD...: one timed run; appends "wall cpu rss_kb" to $work/NAME.CPUS.
run() {
  local name=$1 cpus=$2
  shift 2
  rm -f "$work/s.h5" "$work/s.h5.lock"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" taskset -c "$cpus" "$@" >/dev/null 2>"$work/stderr" || {
    echo "batch-bench: $name failed:" >&2
    tail -5 "$work/stderr" >&2
    exit 1
  }
  awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 }' "$work/time" >>"$work/$name.$cpus"
}

# report NAME LABEL: one markdown row per core count and the speed-up.
report() {
  local name=$1 label=$2 best1 bestn
  for cpus in 0 "$all"; do
    local n=1
    [ "$cpus" = 0 ] || n=$cores
    # the run with the smallest wall time
    read -r wall cpu rss < <(sort -n "$work/$name.$cpus" | head -1)
    runs=$(cut -d' ' -f1 "$work/$name.$cpus" | paste -sd/ | sed 's|/| / |g')
    [ "$cpus" = 0 ] && best1=$wall || bestn=$wall
    printf '| %s | %d | %.2f | %.2f | %.2f | %.0f | %s |\n' "$label" "$n" "$wall" "$cpu" "$(echo "$cpu / $wall" | bc -l)" \
      "$(echo "$rss / 1024" | bc -l)" "$runs"
  done
  printf '| %s | speed-up | **%.2f×** | | | | |\n' "$label" "$(echo "$best1 / $bestn" | bc -l)"
}

count=(--beads-per-test 50000 --blood-ul 50)
echo "batch-bench: $((${#files[@]})) files, $REPEAT runs each on 1 and $cores cores (interleaved)" >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$REPEAT"); do
  for cpus in 0 "$all"; do
    run analyze "$cpus" "$BIN" analyze "${files[@]}" "${count[@]}" --format json
    run ingest "$cpus" "$BIN" ingest --manifest "$manifest" --store "$work/s.h5"
    run single "$cpus" "$BIN" analyze "$single" --beads-per-test 50000 --blood-ul "$single_ul" --format json
  done
  echo "batch-bench: round $r of $REPEAT done" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "## batch speed-up, 1 → $cores cores ($(date -u +%Y-%m-%d), $("$BIN" --version))"
echo
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cores cores;" \
  "load average before/after: $load_before / $load_after. Best of $REPEAT interleaved runs."
echo
echo "| run | cores | wall s | CPU s (user+sys) | CPU ÷ wall | peak RSS MB | wall s of every run |"
echo "|---|--:|--:|--:|--:|--:|---|"
report analyze "analyze, ${#files[@]} files × $EVENTS events"
report ingest "ingest, ${#files[@]} visits × $EVENTS events"
report single "analyze, 1 file × $SINGLE events"
