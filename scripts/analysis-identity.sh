#!/usr/bin/env bash
# The analysis JSON of two cytoreset binaries, compared file by file: every real file of
# ../shared/testdata/realdata and ../shared/testdata/flowjo (`--panel auto`) and a simulated
# cohort on several instruments (patients with visits; bead counts, and --alc for dual platform).
# An optimisation or refactor must leave every analysis byte-identical (issue #17's rule; the
# analysis JSON has no timing fields).
#
# Usage: scripts/analysis-identity.sh BEFORE_BIN AFTER_BIN [WORKDIR]
#   WORKDIR (default: a temporary directory, removed at the end) keeps the simulated files and
#   both outputs. Exit 0: identical; 1: some analysis differs (the first differences printed).
set -euo pipefail
before=${1:?usage: analysis-identity.sh BEFORE_BIN AFTER_BIN [WORKDIR]}
after=${2:?usage: analysis-identity.sh BEFORE_BIN AFTER_BIN [WORKDIR]}
here=$(cd "$(dirname "$0")/.." && pwd)
shared="$here/../shared/testdata"
if [ -n "${3:-}" ]; then work=$3; mkdir -p "$work"; else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi

# The simulated cohort: the same files for both binaries (written by BEFORE).
instruments=(reference fortessa-bcell aurora-spectral cytof-reset reset-no-beads canto-tbnk)
for i in "${!instruments[@]}"; do
  inst=${instruments[$i]}
  dir="$work/sim/$inst"
  [ -d "$dir" ] || "$before" simulate --timeline --patient "S$i" --instrument "$inst" --seed $((i + 11)) --events 30000 \
    --days=-7,7,14,28,90,180 -o "$dir" > /dev/null 2>&1
done

status=0
# compare NAME ARGS...: runs `analyze ARGS --format json` with both binaries.
compare() {
  local name=$1; shift
  local rc_b=0 rc_a=0
  "$before" analyze "$@" --format json > "$work/$name.before.json" 2> "$work/$name.before.err" || rc_b=$?
  "$after" analyze "$@" --format json > "$work/$name.after.json" 2> "$work/$name.after.err" || rc_a=$?
  if [ "$rc_b" != "$rc_a" ]; then
    echo "DIFFERS $name: exit $rc_b before, $rc_a after"; status=1
  elif cmp -s "$work/$name.before.json" "$work/$name.after.json"; then
    echo "same    $name ($(wc -c < "$work/$name.after.json") bytes, exit $rc_a)"
  else
    echo "DIFFERS $name"; status=1
    python3 - "$work/$name.before.json" "$work/$name.after.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
shown = 0
def walk(x, y, path):
    global shown
    if shown >= 8: return
    if type(x) != type(y): print(f"  {path}: {x!r:.80} -> {y!r:.80}"); shown += 1; return
    if isinstance(x, dict):
        for k in sorted(set(x) | set(y)): walk(x.get(k), y.get(k), f"{path}.{k}")
    elif isinstance(x, list):
        if len(x) != len(y): print(f"  {path}: {len(x)} items -> {len(y)}"); shown += 1
        for i, (p, q) in enumerate(zip(x, y)): walk(p, q, f"{path}[{i}]")
    elif x != y: print(f"  {path}: {x!r:.80} -> {y!r:.80}"); shown += 1
walk(a, b, "$")
PY
  fi
}

if [ -d "$shared" ]; then
  mapfile -t real < <(ls "$shared"/realdata/*/*.fcs "$shared"/flowjo/*/*.fcs 2>/dev/null | sort)
  for f in "${real[@]}"; do compare "real-$(basename "$f" .fcs)" --panel auto "$f"; done
else
  echo "skip: $shared not found, real files not compared"
fi
for i in "${!instruments[@]}"; do
  inst=${instruments[$i]}
  dir="$work/sim/$inst"
  files=("$dir"/*.fcs)
  days=(); for f in "${files[@]}"; do d=$(basename "$f" .fcs); d=${d##*_day}; days+=(--day "$((10#${d#[+-]} * (${d:0:1}1)))"); done
  compare "sim-$inst" --panel auto --patient "S$i" "${days[@]}" "${files[@]}"
  compare "sim-$inst-alc" --panel auto --patient "S$i" "${days[@]}" --alc 1400 "${files[@]}"
done
exit $status
