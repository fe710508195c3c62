#!/usr/bin/env bash
# The main job on generated data: simulate a small cohort (3 patients × 9 visits of the reset
# panel), analyse every visit, and summarise each patient's course.
set -euo pipefail
BIN=${CYTORESET:-.build/debug/cytoreset}
OUT=${DEMO_DIR:-demo}
EVENTS=${DEMO_EVENTS:-50000}
rm -rf "$OUT/visits"
mkdir -p "$OUT/visits"
for spec in P01:11 P02:12 P03:13; do
  patient=${spec%%:*}; seed=${spec##*:}
  "$BIN" simulate --timeline --patient "$patient" --seed "$seed" --events "$EVENTS" -o "$OUT/visits/$patient" 2>/dev/null
done
for patient in P01 P02 P03; do
  dir="$OUT/visits/$patient"
  files=(); days=()
  while IFS=, read -r file _ day _; do
    files+=("$dir/$file"); days+=(--day "$day")
  done < <(tail -n +2 "$dir/$patient.visits.csv")
  echo "== $patient"
  "$BIN" analyze "${files[@]}" --patient "$patient" "${days[@]}" --beads-per-test 50000 --blood-ul 50
  "$BIN" analyze "${files[@]}" --patient "$patient" "${days[@]}" --beads-per-test 50000 --blood-ul 50 --format json > "$OUT/$patient.analysis.json"
done
echo
echo "Simulated visits (with .truth.json) in $OUT/visits/; per-patient analyses in $OUT/P0*.analysis.json"
