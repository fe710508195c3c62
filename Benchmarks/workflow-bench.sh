#!/usr/bin/env bash
# Throughput of the Snakemake workflow (docs/cluster.md): a simulated cohort of PATIENTS × 9
# visits of EVENTS events, stored by
#   1. `cytoreset ingest --manifest` (serial reference: one process, files in parallel inside it),
#   2. the workflow with the local profile (`--cores 2`),
#   3. the workflow through a single-node SLURM on loopback (scripts/slurm-local.sh), as the slurm
#      profile sets it (20 analyses per SLURM job),
#   4. one patient through SLURM with one SLURM job per file (--group-components analyze=1), for
#      the scheduler's cost per job,
# and prints wall times, files/s, events/s and the SLURM jobs' own durations (jobcomp log).
# Not part of `make test`. CYTORESET defaults to the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$(realpath "${CYTORESET:-.build/release/cytoreset}")
PATIENTS=${PATIENTS:-5}
EVENTS=${EVENTS:-100000}
VENV=$ROOT/.venv-workflow
[ -x "$VENV/bin/snakemake" ] || { echo "run scripts/workflow-test.sh once first (it creates $VENV)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/cytoreset-wfbench.XXXXXX)
trap 'rc=$?; "$ROOT/scripts/slurm-local.sh" stop "$WORK/slurm"; if [ $rc = 0 ]; then rm -rf "$WORK"; else tail -5 "$WORK"/*.log >&2; echo "kept $WORK" >&2; fi' EXIT
cd "$WORK"
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

manifests=()
for i in $(seq "$PATIENTS"); do
  p=$(printf 'P%02d' "$i")
  "$BIN" simulate --timeline --patient "$p" --seed $((30 + i)) --events "$EVENTS" -o "visits/$p" >/dev/null 2>&1
  manifests+=("visits/$p/$p.visits.csv")
done
files=$((PATIENTS * 9))
total_events=$("$BIN" info visits/*/*.fcs --json | python3 -c '
import json, sys
print(sum(d["eventCount"] for f in json.load(sys.stdin)["files"] for d in f["dataSets"]))')
mb=$(du -cm visits/*/*.fcs | tail -1 | cut -f1)
echo "cohort: $PATIENTS patients × 9 visits = $files files, $total_events events, $mb MB; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

config() {  # FILE STORE OUTDIR MANIFESTS...
  local f=$1 s=$2 o=$3; shift 3
  { echo "manifests:"; for m in "$@"; do echo "  - $m"; done; echo "store: $s"; echo "outdir: $o"; echo "cytoreset: $BIN"; } > "$f"
}
row() {  # LABEL SECONDS FILES
  python3 -c "import sys; l, s, f, e = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f'| {l} | {s:.1f} | {f / s:.2f} | {e / s / 1e6:.2f} |')" "$1" "$2" "$3" "$4"
}
echo
echo "| run | wall s | files/s | M events/s |"
echo "| --- | --: | --: | --: |"

t=$(now)
for m in "${manifests[@]}"; do "$BIN" ingest --manifest "$m" --store serial.h5 > /dev/null 2>&1; done
row "serial \`ingest --manifest\`" "$(since "$t")" "$files" "$total_events"

config local.yaml local.h5 local "${manifests[@]}"
t=$(now)
"$VENV/bin/snakemake" -s "$ROOT/workflow/Snakefile" --configfile local.yaml --profile "$ROOT/workflow/profiles/local" --cores 2 \
  local/ingest.done > local.log 2>&1
row "workflow, local profile, analyses + merge" "$(since "$t")" "$files" "$total_events"

eval "$("$ROOT/scripts/slurm-local.sh" start "$WORK/slurm")"
export CYTORESET_SLURM_PARTITION=debug CYTORESET_SLURM_ACCOUNT="" CYTORESET_SLURM_RUNTIME=10
SLURM_ARGS=(--profile "$ROOT/workflow/profiles/slurm" --slurm-no-account --slurm-status-command squeue
  --slurm-init-seconds-before-status-checks 1)
config slurm.yaml slurm.h5 slurm "${manifests[@]}"
t=$(now)
"$VENV/bin/snakemake" -s "$ROOT/workflow/Snakefile" --configfile slurm.yaml "${SLURM_ARGS[@]}" slurm/ingest.done > slurm.log 2>&1
row "workflow, SLURM profile (20 analyses a job), analyses + merge" "$(since "$t")" "$files" "$total_events"
first=$(wc -l < "$WORK/slurm/jobcomp.log")

config one.yaml one.h5 one "${manifests[0]}"
t=$(now)
"$VENV/bin/snakemake" -s "$ROOT/workflow/Snakefile" one/ingest.done --configfile one.yaml "${SLURM_ARGS[@]}" \
  --group-components analyze=1 > one.log 2>&1
row "workflow, SLURM, one job per file (1 patient), analyses + merge" "$(since "$t")" 9 $((total_events / PATIENTS))

echo
echo "SLURM jobs (jobcomp: start → end, seconds; the first run's group jobs, then one job per file):"
python3 - "$WORK/slurm/jobcomp.log" "$first" <<'EOF'
import datetime, re, sys
lines = open(sys.argv[1]).read().splitlines()
first = int(sys.argv[2])
def dur(l):
    f = dict(re.findall(r"(\w+)=(\S+)", l))
    t = lambda k: datetime.datetime.fromisoformat(f[k])
    return (t("EndTime") - t("StartTime")).total_seconds(), (t("StartTime") - t("SubmitTime")).total_seconds(), f["ProcCnt"]
for label, part in (("profile", lines[:first]), ("per file", lines[first:])):
    d = [dur(l) for l in part]
    print(f"  {label}: {len(d)} jobs, run " + ", ".join(f"{x[0]:.0f}" for x in d))
EOF
