#!/usr/bin/env bash
# The clinical path beside the generic one (issue #17), whole process, in one run:
#   gate      cytoreset gate FILE --gating S.xml (S = `panel export reset --format gatingml --file FILE`)
#   analyze   cytoreset analyze FILE --panel reset
#   ingest    cytoreset ingest FILE --store (new store each run)
#   FlowKit   FlowKit 1.3.2 applying the same exported strategy (Sample + parse_gating_xml + gate_sample)
# Median and best of RUNS wall times and the peak RSS (/usr/bin/time), per file size; FlowKit
# once per file (FLOWKIT_RUNS). Writes a markdown table to stdout and, with OUT=FILE, to FILE.
#
#   Benchmarks/clinical-path.sh                  # 10^6 and 10^7 events, 3 runs
#   SIZES="1000000 10000000 100000000" RUNS=3 Benchmarks/clinical-path.sh   # 10^8: ~6 GB of disk,
#                                                the 10^7 DATA repeated 10x (make-repeated.py)
#   SKIP_FLOWKIT=1 …                             # without FlowKit
#
# Needs: a release build (make release), python3; FlowKit in .venv-flowkit (created by the
# interop tests, `make interop`) or FLOWKIT_PYTHON (make bench-peers passes its .venv-gating). Files are simulated (reference instrument, 15 channels) in
# ${DATA:-Benchmarks/data/clinical} and kept for the next run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${CYTORESET:-$root/.build/release/cytoreset}"
runs="${RUNS:-3}"
data="${DATA:-$root/Benchmarks/data/clinical}"
sizes=(${SIZES:-1000000 10000000})
fk_python="${FLOWKIT_PYTHON:-$root/.venv-flowkit/bin/python}"
[ -x "$bin" ] || { echo "no release build at $bin (make release)" >&2; exit 2; }
mkdir -p "$data"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# time_of LABEL CMD...: one run; prints "seconds kilobytes".
time_of() {
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; return 1; }
  cat "$work/t"
}

stats() {  # median and best of "s kB" lines → "median best maxkB"
  sort -n | awk '{t[NR]=$1; if ($2>m) m=$2} END {med=(NR%2)?t[(NR+1)/2]:(t[NR/2]+t[NR/2+1])/2; printf "%.2f %.2f %d\n", med, t[1], m}'
}

table="| events | file MB | gate s (median / best) | gate peak MB | analyze s | analyze peak MB | analyze ÷ gate | analyze peak ÷ file | ingest s | ingest peak MB | ingest ÷ analyze | FlowKit s | FlowKit peak MB |
|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
for n in "${sizes[@]}"; do
  f="$data/clinical-$n.fcs"
  if [ ! -f "$f" ] && [ "$n" -gt 50000000 ]; then
    # Above the simulator's limit: the 10^7 file's DATA repeated (no table in memory).
    k=$((n / 10000000))
    [ $((k * 10000000)) -eq "$n" ] || { echo "sizes above 5*10^7 must be multiples of 10^7" >&2; exit 2; }
    [ -f "$data/clinical-10000000.fcs" ] || "$bin" simulate -o "$data/clinical-10000000.fcs" --events 10000000 --blood-ul 2050 --seed 17 > /dev/null
    echo "== repeating the 10^7 file ${k}x" >&2
    python3 "$root/Benchmarks/make-repeated.py" "$data/clinical-10000000.fcs" "$k" "$f"
  elif [ ! -f "$f" ]; then
    echo "== simulating $n events" >&2
    "$bin" simulate -o "$f" --events "$n" --blood-ul $((n / 5000 + 50)) --seed 17 > /dev/null
  fi
  "$bin" panel export reset --format gatingml --file "$f" > "$work/s.xml" 2> /dev/null
  # The counts analyze reports are the counts gate gives with the strategy analyze applied.
  "$bin" gate "$f" --gating "$work/s.xml" --format tsv | awk -F'\t' 'NR > 1 {print $2, $4}' | sort > "$work/gate-counts"
  "$bin" analyze "$f" --panel reset --format json | python3 -c '
import json, sys
a = json.load(sys.stdin)["analyses"][0]
for p in a["populations"]: print(p["id"], p["count"])' | sort > "$work/analyze-counts"
  joined=$(join "$work/analyze-counts" "$work/gate-counts" | wc -l)
  if ! join "$work/analyze-counts" "$work/gate-counts" | awk '$2 != $3 {bad = 1; print "count differs:", $0 > "/dev/stderr"} END {exit bad}' \
     || [ ! -s "$work/analyze-counts" ] || [ "$joined" -ne "$(wc -l < "$work/analyze-counts")" ]; then
    echo "analyze and gate disagree on $f" >&2; exit 1
  fi
  mb=$(( $(stat -c %s "$f") / 1000000 ))
  : > "$work/gate"; : > "$work/analyze"; : > "$work/ingest"
  for ((r = 1; r <= runs; r++)); do
    echo "== $n events, run $r of $runs" >&2
    time_of "$bin" gate "$f" --gating "$work/s.xml" --format tsv >> "$work/gate"
    time_of "$bin" analyze "$f" --panel reset --format tsv >> "$work/analyze"
    rm -f "$work/store.h5"
    time_of "$bin" ingest "$f" --store "$work/store.h5" --patient B --day 14 >> "$work/ingest"
  done
  read -r gm gb gk < <(stats < "$work/gate")
  read -r am ab ak < <(stats < "$work/analyze")
  read -r im ib ik < <(stats < "$work/ingest")
  fk="—"; fkm="—"
  # FlowKit holds the file in memory several times over (5.4 GB at 10^7): not above 10^7 here.
  if [ -z "${SKIP_FLOWKIT:-}" ] && [ -x "$fk_python" ] && [ "$n" -le 10000000 ]; then
    echo "== FlowKit on $n events" >&2
    cat > "$work/fk.py" <<'PY'
import sys, warnings
warnings.filterwarnings("ignore")
import flowkit as fk
sample = fk.Sample(sys.argv[1])
strategy = fk.parse_gating_xml(sys.argv[2])
report = strategy.gate_sample(sample).report
print(len(report))
PY
    : > "$work/fk"
    for ((r = 1; r <= ${FLOWKIT_RUNS:-1}; r++)); do time_of "$fk_python" "$work/fk.py" "$f" "$work/s.xml" >> "$work/fk"; done
    read -r fk _ fkk < <(stats < "$work/fk")
    fkm=$((fkk / 1000))
  fi
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
  table+="
| $n | $mb | $gm / $gb | $((gk / 1000)) | $am / $ab | $((ak / 1000)) | $(ratio "$am" "$gm") | $(ratio $((ak / 1000)) "$mb") | $im / $ib | $((ik / 1000)) | $(ratio "$im" "$am") | $fk | $fkm |"
done
echo "$table"
[ -n "${OUT:-}" ] && echo "$table" > "$OUT"
exit 0
