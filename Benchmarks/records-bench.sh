#!/usr/bin/env bash
# Analysis records vs ingest: the wall time of `ingest --manifest` of a simulated cohort against
# one `analyze -o` process per visit (serially, and JOBS at a time as a scheduler would run
# them) plus one `ingest --analyses` merge; checks that both stores export the same CSV.
#
#   Benchmarks/records-bench.sh                      # 2 patients x 4 visits of 5,000 events
#   PATIENTS=10 EVENTS=100000 Benchmarks/records-bench.sh
#   BIN=/path/to/cytoreset REPEAT=5 Benchmarks/records-bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
PATIENTS="${PATIENTS:-2}"
DAYS="${DAYS:--7,14,28,90}"
EVENTS="${EVENTS:-5000}"
REPEAT="${REPEAT:-3}"
JOBS="${JOBS:-$(nproc)}"
if [[ -z "${BIN:-}" ]]; then
  swift build -c release -Xswiftc -target-cpu -Xswiftc haswell --package-path "$root" --product cytoreset >&2
  BIN="$(swift build -c release -Xswiftc -target-cpu -Xswiftc haswell --package-path "$root" --show-bin-path)/cytoreset"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rows=("file,patient,day,infusion,beads_per_test,blood_ul")
for p in $(seq -f "P%02g" 1 "$PATIENTS"); do
  "$BIN" simulate --timeline --patient "$p" --seed "${p#P}" --days="$DAYS" --events "$EVENTS" -o "$work/$p" >/dev/null
  tail -n +2 "$work/$p/$p.visits.csv" | while IFS=, read -r f rest; do echo "$p/$f,$rest"; done >>"$work/rows.csv"
done
{ echo "${rows[0]}"; cat "$work/rows.csv"; } >"$work/all.csv"
visits=$(($(wc -l <"$work/all.csv") - 1))

now() { date +%s.%N; }
best() { sort -g | head -1; }
# One analyze job per manifest row: FILE PATIENT DAY (paths as the manifest ingest sees them).
tail -n +2 "$work/all.csv" | awk -F, -v d="$work" '{print d "/" $1, $2, $3}' >"$work/jobs.txt"
analyze_one() { "$BIN" analyze "$1" --patient "$2" --day="$3" --beads-per-test 50000 --blood-ul 50 --format json \
  -o "$4/$2_$3.analysis.json" >/dev/null 2>&1; }
export -f analyze_one
export BIN

: >"$work/t.ingest"; : >"$work/t.serial"; : >"$work/t.parallel"; : >"$work/t.merge"
for r in $(seq "$REPEAT"); do
  rm -rf "$work"/*.h5 "$work"/*.lock "$work/rec"; mkdir -p "$work/rec"
  t0=$(now); "$BIN" ingest --manifest "$work/all.csv" --store "$work/a.h5" >/dev/null 2>&1; t1=$(now)
  echo "$t1 - $t0" | bc >>"$work/t.ingest"
  t0=$(now); while read -r f p d; do analyze_one "$f" "$p" "$d" "$work/rec"; done <"$work/jobs.txt"; t1=$(now)
  echo "$t1 - $t0" | bc >>"$work/t.serial"
  rm -rf "$work/rec"; mkdir -p "$work/rec"
  t0=$(now); xargs -P "$JOBS" -L 1 bash -c 'analyze_one "$0" "$1" "$2" '"$work/rec" <"$work/jobs.txt"; t1=$(now)
  echo "$t1 - $t0" | bc >>"$work/t.parallel"
  t0=$(now); "$BIN" ingest --analyses "$work"/rec/*.analysis.json --store "$work/b.h5" >/dev/null 2>&1; t1=$(now)
  echo "$t1 - $t0" | bc >>"$work/t.merge"
done
"$BIN" export-store --store "$work/a.h5" --format csv >"$work/a.csv"
"$BIN" export-store --store "$work/b.h5" --format csv >"$work/b.csv"
cmp -s "$work/a.csv" "$work/b.csv" && same=yes || same=NO
size=$(du -cb "$work"/rec/*.analysis.json | tail -1 | cut -f1)
printf 'visits %d x %d events, best of %d (s); export-store identical: %s\n' "$visits" "$EVENTS" "$REPEAT" "$same"
printf '  ingest --manifest (all cores)           %8.3f\n' "$(best <"$work/t.ingest")"
printf '  analyze -o, one process per visit:  serial %8.3f   %d at a time %8.3f\n' "$(best <"$work/t.serial")" "$JOBS" "$(best <"$work/t.parallel")"
printf '  ingest --analyses (merge)               %8.3f\n' "$(best <"$work/t.merge")"
printf '  records: %d bytes, %d per visit\n' "$size" $((size / visits))
