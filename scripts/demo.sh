#!/usr/bin/env bash
# The main job on generated data: simulate a small cohort (3 patients × 9 visits of the reset
# panel) with its lab values and clinical events, analyse every visit into one HDF5 store,
# import the labs and events, and write each patient's report and the cohort overview.
set -euo pipefail
BIN=${CYTORESET:-.build/debug/cytoreset}
OUT=${DEMO_DIR:-demo}
EVENTS=${DEMO_EVENTS:-50000}
rm -rf "$OUT"
mkdir -p "$OUT/visits"
for spec in P01:11 P02:12 P03:13; do
  patient=${spec%%:*}; seed=${spec##*:}
  "$BIN" simulate --timeline --patient "$patient" --seed "$seed" --events "$EVENTS" -o "$OUT/visits/$patient"
done
for spec in "P01:SLE:2026-01-12" "P02:systemic sclerosis:2026-02-03" "P03:myositis:2026-03-17"; do
  IFS=: read -r patient diagnosis infused <<< "$spec"
  "$BIN" ingest --manifest "$OUT/visits/$patient/$patient.visits.csv" --store "$OUT/cohort.h5" \
    --diagnosis "$diagnosis" --product "CD19 CAR T (simulated)" --infusion-date "$infused"
done
# The simulated course's IgG, IVIG, CAR transgene, ALC and CRS (docs/clinical-data.md).
for patient in P01 P02 P03; do
  "$BIN" clinical import --store "$OUT/cohort.h5" --kind labs "$OUT/visits/$patient/$patient.labs.csv"
  "$BIN" clinical import --store "$OUT/cohort.h5" --kind events "$OUT/visits/$patient/$patient.events.csv"
done
echo
"$BIN" patients --store "$OUT/cohort.h5"
echo
"$BIN" report --store "$OUT/cohort.h5" --all --fcs-dir "$OUT/visits" -o "$OUT/cohort.html"
echo
echo "Store:    $OUT/cohort.h5   (cytoreset series --store $OUT/cohort.h5 --patient P01)"
echo "Reports:  $OUT/P01.html $OUT/P02.html $OUT/P03.html"
echo "Cohort:   $OUT/cohort.html"
echo "Review:   $BIN serve --store $OUT/cohort.h5 --fcs-dir $OUT/visits/P01   (P01's gates in the browser; open the printed URL)"
