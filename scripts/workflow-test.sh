#!/usr/bin/env bash
# The Snakemake workflow (workflow/) on a simulated cohort, locally and on a real SLURM (issue #15):
#
#  1. the manifest reader's unit tests (Tests/workflow);
#  2. a cohort of 5 patients × 9 visits (one patient's manifest by dates instead of days), one
#     truncated FCS file and one missing, stored serially by `ingest --manifest`: the reference;
#  3. local: the workflow on 4 patients, then on all 5 (only the new visits are analysed); that
#     merge is killed (SIGKILL) while it runs — the store keeps its bytes — and a re-run completes
#     it; `export-store` equals the reference, the two files are in the store's failures and the
#     cohort report lists them;
#  4. SLURM: munged, slurmctld and slurmd started here on loopback (scripts/slurm-local.sh), the
#     same workflow through `--profile workflow/profiles/slurm` into a new store: the same CSV, and
#     every job Snakemake submitted is in SLURM's completion log as COMPLETED. The daemons are
#     stopped by pid on any exit. If SLURM cannot start, this fails with the reason.
#
# Snakemake and its SLURM plugin come from PyPI, pinned (workflow/requirements.txt), into
# .venv-workflow. Timings go to the output (docs/cluster.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$(realpath "${CYTORESET:-.build/debug/cytoreset}")
VENV=$ROOT/.venv-workflow
EVENTS=${WORKFLOW_TEST_EVENTS:-5000}
[ -x "$BIN" ] || { echo "workflow-test: no binary at $BIN (swift build first)" >&2; exit 1; }

fail() { echo "workflow-test: FAILED: $*" >&2; exit 1; }
say() { echo "workflow-test: $*"; }

# The venv, rebuilt when the pins change.
stamp=$(cat workflow/requirements.txt | sha256sum | cut -c1-16)
if [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  if ! "$VENV/bin/pip" install -q --disable-pip-version-check -r workflow/requirements.txt pytest==8.3.5; then
    # Offline outside CI: one SKIP line. A SLURM that cannot start is never skipped (below).
    [ "${CI:-false}" = true ] || { echo "SKIP: workflow tests (cannot install snakemake from PyPI into $VENV)"; exit 0; }
    fail "could not install the workflow's Python packages from PyPI into $VENV"
  fi
  echo "$stamp" > "$VENV/.pins"
fi
SNAKEMAKE=$VENV/bin/snakemake

WORK=$(mktemp -d /tmp/cytoreset-workflow.XXXXXX)
SLURM_DIR=$WORK/slurm
cleanup() {
  local rc=$?
  "$ROOT/scripts/slurm-local.sh" stop "$SLURM_DIR" || true
  if [ $rc -eq 0 ] && [ -z "${KEEP_WORKFLOW_TEST:-}" ]; then rm -rf "$WORK"; else echo "workflow-test: files kept in $WORK" >&2; fi
}
trap cleanup EXIT

# 1. The manifest reader.
"$VENV/bin/python" -m pytest -q -p no:cacheprovider Tests/workflow

# 2. The cohort and the serial reference.
cd "$WORK"
infused=(2026-01-12 2026-02-03 2026-03-17 2026-04-20 2026-05-11)
for i in 1 2 3 4 5; do
  "$BIN" simulate --timeline --patient P0$i --seed 2$i --events "$EVENTS" -o visits/P0$i >/dev/null 2>&1
done
# P02's manifest by collection dates (no day column): days come from its infusion date.
python3 - "${infused[1]}" <<'EOF'
import csv, datetime, sys
rows = list(csv.DictReader(open("visits/P02/P02.visits.csv")))
t0 = datetime.date.fromisoformat(sys.argv[1])
with open("visits/P02/P02.visits.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["file", "patient", "collection_date", "beads_per_test", "blood_ul"])
    for r in rows:
        w.writerow([r["file"], r["patient"], (t0 + datetime.timedelta(days=int(r["day"]))).isoformat(),
                    r["beads_per_test"], r["blood_ul"]])
EOF
# P05 has a visit whose file is cut short and one whose file is missing: failed analyses, not a
# failed workflow.
head -c 20000 visits/P05/P05_day+365.fcs > visits/P05/P05_day+400.fcs
echo "P05_day+400.fcs,P05,400,1,50000,50" >> visits/P05/P05.visits.csv
echo "P05_day+500.fcs,P05,500,1,50000,50" >> visits/P05/P05.visits.csv

patient_yaml() {  # the config's patients: block
  echo "patients:"
  for i in 1 2 3 4 5; do echo "  P0$i: {diagnosis: SLE, product: CD19 CAR T, infusion_dates: [${infused[$((i-1))]}]}"; done
}
config() {  # config FILE STORE OUTDIR PATIENTS...
  local file=$1 store=$2 outdir=$3; shift 3
  {
    echo "manifests:"
    for p in "$@"; do echo "  - visits/$p/$p.visits.csv"; done
    echo "store: $store"
    echo "outdir: $outdir"
    echo "cytoreset: $BIN"
    patient_yaml
  } > "$file"
}

t=$(date +%s.%N)
for i in 1 2 3 4 5; do
  rc=0
  "$BIN" ingest --manifest visits/P0$i/P0$i.visits.csv --store serial.h5 --diagnosis SLE --product "CD19 CAR T" \
    --infusion-date "${infused[$((i-1))]}" > serial.P0$i.log 2>&1 || rc=$?
  expected=0; [ $i -eq 5 ] && expected=1
  [ $rc -eq $expected ] || fail "serial ingest of P0$i exited $rc, expected $expected: $(tail -3 serial.P0$i.log)"
done
say "serial ingest --manifest of 47 visits: $(python3 -c "import time; print(f'{time.time() - $t:.1f}')") s"
"$BIN" export-store --store serial.h5 -o serial.csv
rows=$(($(wc -l < serial.csv) - 1))
[ "$rows" -gt 400 ] || fail "the reference export has only $rows rows"
grep -q "fcs.truncated" serial.P05.log || fail "serial ingest did not report the truncated file: $(cat serial.P05.log)"
grep -q "P05_day+500.fcs.*fcs.unreadable" serial.P05.log || fail "serial ingest did not report the missing file: $(cat serial.P05.log)"

run_snakemake() {  # LOG ARGS...: snakemake in $WORK; prints its exit code
  local log=$1; shift
  local rc=0
  "$SNAKEMAKE" -s "$ROOT/workflow/Snakefile" "$@" > "$log" 2>&1 || rc=$?
  echo $rc
}
count_rule() { grep -cE "^(local)?rule $2:" "$1" || true; }
same_csv() {  # STORE LABEL
  "$BIN" export-store --store "$1" -o "$1.csv"
  cmp -s "$1.csv" serial.csv || { diff serial.csv "$1.csv" | head -20 >&2; fail "$2: export-store differs from the serial ingest"; }
}
check_failure_reported() {  # OUTDIR LABEL
  local day
  for day in 400 500; do
    grep -q "P05_day+$day.fcs" "$1/reports/cohort.html" || fail "$2: the cohort report does not list P05_day+$day.fcs"
    [ -s "$1/records/P05_i1_d+$day.analysis.json" ] && grep -q '"cytoreset.analysis-failure/1"' "$1/records/P05_i1_d+$day.analysis.json" \
      || fail "$2: no failure record for P05_day+$day.fcs"
  done
  grep -q "fcs.truncated" "$1/reports/cohort.html" || fail "$2: the cohort report does not give the truncated file's code"
  grep -q "fcs.unreadable" "$1/reports/cohort.html" || fail "$2: the cohort report does not give the missing file's code"
  for p in P01 P02 P03 P04 P05; do [ -s "$1/reports/$p.html" ] || fail "$2: no report for $p"; done
}

# 3. Local.
config local4.yaml local.h5 local P01 P02 P03 P04
config local5.yaml local.h5 local P01 P02 P03 P04 P05
t=$(date +%s.%N)
rc=$(run_snakemake local-1.log --configfile local4.yaml --profile "$ROOT/workflow/profiles/local" --cores 2)
[ "$rc" = 0 ] || { tail -30 local-1.log >&2; fail "local run on 4 patients exited $rc"; }
[ "$(count_rule local-1.log analyze)" = 36 ] || fail "local run 1 analysed $(count_rule local-1.log analyze) files, expected 36"
say "local, 4 patients × 9 visits (36 analyses, merge, 5 reports): $(python3 -c "import time; print(f'{time.time() - $t:.1f}')") s"
sha_before=$(sha256sum local.h5 | cut -d' ' -f1)

# All 5: only P05's 11 visits are new. Kill the merge while it runs.
"$SNAKEMAKE" -s "$ROOT/workflow/Snakefile" --configfile local5.yaml --profile "$ROOT/workflow/profiles/local" --cores 2 \
  > local-2.log 2>&1 &
sm=$!
killed=""
for _ in $(seq 3000); do
  pid=$(pgrep -f -- "^$BIN ingest --analyses-list" | head -n 1 || true)
  if [ -n "$pid" ]; then kill -9 "$pid" && killed=$pid; break; fi
  kill -0 $sm 2>/dev/null || break
  sleep 0.01
done
rc=0; wait $sm || rc=$?
[ -n "$killed" ] || fail "the merge was never seen running, so it could not be killed (snakemake exited $rc)"
[ "$rc" != 0 ] || fail "snakemake succeeded although its merge was killed"
[ "$(count_rule local-2.log analyze)" = 11 ] || fail "adding P05 analysed $(count_rule local-2.log analyze) files, expected its 11"
[ "$(sha256sum local.h5 | cut -d' ' -f1)" = "$sha_before" ] || fail "the killed merge changed the store"
ls .local.h5* 2>/dev/null && fail "the killed merge left temporary files beside the store" || true
say "merge killed (pid $killed): the store kept its bytes"
rc=$(run_snakemake local-3.log --configfile local5.yaml --profile "$ROOT/workflow/profiles/local" --cores 2)
[ "$rc" = 0 ] || { tail -30 local-3.log >&2; fail "the re-run after the killed merge exited $rc"; }
[ "$(count_rule local-3.log analyze)" = 0 ] || fail "the re-run analysed files again"
[ "$(count_rule local-3.log ingest)" = 1 ] || fail "the re-run did not merge"
grep -q "9 visits stored, 36 already present, 0 failed, 2 failed analyses recorded" local/logs/ingest.log \
  || fail "the re-run's merge: $(tail -2 local/logs/ingest.log)"
same_csv local.h5 "local"
check_failure_reported local "local"
say "local: the store equals the serial ingest ($rows rows); the failed files are in the cohort report"

# 3b. Every real file of ../shared/testdata (realdata/ and flowjo/), one patient per folder,
# `--panel auto`, through the local workflow: the same store as a serial ingest, the two FlowKit
# test files (no built-in panel fits them) recorded as failures, and a report for every patient,
# including those whose every file failed.
SHARED=$ROOT/../shared/testdata
if [ -d "$SHARED/realdata" ]; then
  python3 - "$SHARED" <<'EOF'
import glob, sys
files = sorted(glob.glob(sys.argv[1] + "/realdata/*/*.fcs")) + sorted(glob.glob(sys.argv[1] + "/flowjo/*/*.fcs"))
with open("real.csv", "w") as f:
    f.write("file,patient,day\n")
    for i, path in enumerate(files):
        f.write(f"{path},{path.split('/')[-2]},{i}\n")
EOF
  nreal=$(($(wc -l < real.csv) - 1))
  rc=0; "$BIN" ingest --manifest real.csv --store real-serial.h5 --panel auto > real-serial.log 2>&1 || rc=$?
  [ $rc -le 1 ] || fail "serial ingest of the real files exited $rc: $(tail -3 real-serial.log)"
  { echo "manifests: [real.csv]"; echo "store: real.h5"; echo "outdir: real"; echo "cytoreset: $BIN"; echo "panel: auto"; } > real.yaml
  rc=$(run_snakemake real.log --configfile real.yaml --profile "$ROOT/workflow/profiles/local" --cores 2)
  [ "$rc" = 0 ] || { tail -30 real.log >&2; fail "the workflow on the real files exited $rc"; }
  "$BIN" export-store --store real-serial.h5 -o real-serial.csv
  "$BIN" export-store --store real.h5 -o real-workflow.csv
  cmp -s real-serial.csv real-workflow.csv || { diff real-serial.csv real-workflow.csv | head >&2; fail "real files: the workflow's store differs from the serial ingest"; }
  [ "$(grep -o 'panel.noPanelFits' real/reports/cohort.html | wc -l)" -ge 2 ] || fail "real files: the cohort report does not list the FlowKit files' failures"
  for p in $(tail -n +2 real.csv | cut -d, -f2 | sort -u); do [ -s "real/reports/$p.html" ] || fail "real files: no report for $p"; done
  say "real files: $nreal files of ../shared through the workflow; the store equals the serial ingest; failures reported"
elif [ "${CI:-false}" = true ]; then
  fail "../shared/testdata is missing (CI needs it)"
else
  echo "SKIP: workflow on the real files (no ../shared/testdata beside the project)"
fi

# 4. SLURM.
"$ROOT/scripts/slurm-local.sh" start "$SLURM_DIR" > slurm.env || fail "SLURM could not start (above)"
eval "$(cat slurm.env)"
export CYTORESET_SLURM_PARTITION=debug CYTORESET_SLURM_ACCOUNT="" CYTORESET_SLURM_RUNTIME=10
config slurm5.yaml slurm.h5 slurm P01 P02 P03 P04 P05
t=$(date +%s.%N)
rc=$(run_snakemake slurm.log --configfile slurm5.yaml --profile "$ROOT/workflow/profiles/slurm" \
  --slurm-no-account --slurm-status-command squeue --slurm-init-seconds-before-status-checks 1)
[ "$rc" = 0 ] || { tail -40 slurm.log >&2; fail "the SLURM run exited $rc"; }
say "SLURM, 5 patients × 9 visits + 2 failing files: $(python3 -c "import time; print(f'{time.time() - $t:.1f}')") s"
same_csv slurm.h5 "SLURM"
check_failure_reported slurm "SLURM"
# Every job Snakemake submitted went through SLURM and completed there.
ids=$(grep -oE "SLURM jobid [0-9]+" slurm.log | awk '{print $3}' | sort -un)
n=$(echo "$ids" | grep -c . || true)
[ "$n" -ge 9 ] || fail "snakemake's log names only $n SLURM job ids: $(grep -i slurm slurm.log | head -5)"
for id in $ids; do
  grep -qE "^JobId=$id .*JobState=COMPLETED" "$SLURM_DIR/jobcomp.log" || fail "SLURM job $id is not COMPLETED in SLURM's log"
done
say "SLURM: $n jobs, all COMPLETED in SLURM's job completion log; the store equals the serial ingest"
