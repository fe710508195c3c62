#!/usr/bin/env bash
# Cost of adaptive gating (issue #12): `cytoreset analyze` per file, before and after.
#
#   Benchmarks/analyze-adaptive.sh              # BEFORE=de3999a vs this checkout; writes docs/adaptive-cost.md
#   make bench-adaptive                         # the same
#   REPEAT=9 Benchmarks/analyze-adaptive.sh     # more interleaved runs (default 5)
#   BEFORE=<commit> Benchmarks/analyze-adaptive.sh
#   BEFORE_BIN=… AFTER_BIN=… Benchmarks/analyze-adaptive.sh   # existing release binaries (no builds)
#   OUT=/dev/null Benchmarks/analyze-adaptive.sh                # the table on stdout only
#
# Issue #12 replaced the fixed-coordinate reset panel with gates found in each file and asks
# that this does not change the speed class of `analyze`. This script:
#
# 1. Builds the release `cytoreset` (RELEASE_FLAGS of the Makefile: -target-cpu haswell) of
#    BEFORE (default de3999a, the last commit before the adaptive work) in a temporary git
#    worktree with its own scratch path (.build-before/, ignored by .gitignore's .build-*/),
#    keeps only the binary (.build-before/cytoreset-<sha>; REBUILD=1 builds it again) and
#    removes the worktree and the build directory; and builds the release binary of this
#    checkout (AFTER: HEAD, plus any uncommitted changes) in .build/ as `make release` does.
# 2. Simulates with the AFTER binary the reference instrument (the reset tube the BEFORE
#    binary reads) at each of SIZES (default 10^5 and 10^6) events, seed SEED (7), with enough
#    blood in the tube for all the events; and, for information, an INSTRUMENT tube (default
#    fortessa-bcell) at 10^6 events that only the AFTER binary can analyse (`--panel auto`).
# 3. Times `cytoreset analyze FILE --format json > /dev/null` with /usr/bin/time (GNU time:
#    wall seconds, user+sys CPU seconds, peak RSS): one untimed warm-up per binary and file
#    (page cache), then REPEAT rounds, interleaved (before, after, before, after, …) so that
#    both binaries see the same neighbours' load. (/usr/bin/time rather than hyperfine: it
#    gives the peak RSS, and nothing has to be installed.)
# 4. Prints a Markdown table (min and median wall time, after ÷ before of both, peak RSS) with
#    the machine (nproc, CPU model), the date, the commits and the load average before and
#    after, and writes it into OUT (default docs/adaptive-cost.md) between the markers
#    <!-- analyze-adaptive:begin --> and <!-- analyze-adaptive:end -->, keeping any text
#    around them (the analysis of where the time goes is written by hand).
#
# Takes a few minutes for the builds on a 2-core machine, then ~REPEAT × 2 × (sum of the
# analyze times). Not part of `make test` or CI: the numbers depend on the machine and its load.
# Temporary files live in a mktemp directory that is removed on exit, like the worktree.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
BEFORE=${BEFORE:-de3999a}
REPEAT=${REPEAT:-5}
SIZES=${SIZES:-100000 1000000}
SEED=${SEED:-7}
INSTRUMENT=${INSTRUMENT:-fortessa-bcell}
INSTRUMENT_EVENTS=${INSTRUMENT_EVENTS:-1000000}
OUT=${OUT:-$root/docs/adaptive-cost.md}
release_flags=(-c release -Xswiftc -target-cpu -Xswiftc haswell)
[ -x /usr/bin/time ] || { echo "analyze-adaptive: needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }
command -v git >/dev/null || { echo "analyze-adaptive: needs git" >&2; exit 2; }

before_sha=$(git -C "$root" rev-parse --verify "$BEFORE^{commit}")
after_sha=$(git -C "$root" rev-parse HEAD)
after_desc="$(git -C "$root" log -1 --format='%h %s' HEAD | cut -c1-90)"
git -C "$root" diff --quiet HEAD -- Sources Package.swift || after_desc="$after_desc (+ uncommitted changes in Sources/)"
before_desc="$(git -C "$root" log -1 --format='%h %s' "$before_sha" | cut -c1-90)"

work=$(mktemp -d "${TMPDIR:-/tmp}/cytoreset-analyze-adaptive.XXXXXX")
before_wt=""
cleanup() {
  if [ -n "$before_wt" ] && [ -d "$before_wt" ]; then
    git -C "$root" worktree remove --force "$before_wt" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The binaries.
cache="$root/.build-before"
if [ -z "${BEFORE_BIN:-}" ]; then
  BEFORE_BIN="$cache/cytoreset-${before_sha:0:12}"
  if [ -n "${REBUILD:-}" ] || [ ! -x "$BEFORE_BIN" ]; then
    before_wt="$work/before-src"
    echo "analyze-adaptive: building BEFORE ${before_sha:0:12} in a temporary worktree" >&2
    git -C "$root" worktree add --detach "$before_wt" "$before_sha" >&2
    # Same dependency versions as this checkout when it has resolved them (Package.resolved is not tracked).
    [ -f "$root/Package.resolved" ] && cp "$root/Package.resolved" "$before_wt/"
    mkdir -p "$cache"
    swift build "${release_flags[@]}" --package-path "$before_wt" --scratch-path "$cache/build" --product cytoreset >&2
    cp "$cache/build/release/cytoreset" "$BEFORE_BIN.tmp"
    mv "$BEFORE_BIN.tmp" "$BEFORE_BIN"
    git -C "$root" worktree remove --force "$before_wt" >&2
    before_wt=""
    rm -rf "$cache/build"
  fi
fi
if [ -z "${AFTER_BIN:-}" ]; then
  echo "analyze-adaptive: building AFTER (this checkout)" >&2
  swift build "${release_flags[@]}" --package-path "$root" --product cytoreset >&2
  AFTER_BIN="$(swift build "${release_flags[@]}" --package-path "$root" --show-bin-path)/cytoreset"
fi

# 2. The files, simulated by the AFTER binary.
# simulate NAME EVENTS ARGS...: $work/NAME.fcs; the tube holds about 8,300 events per µL of
# blood, so give it enough blood for EVENTS.
simulate() {
  local name=$1 n=$2
  shift 2
  "$AFTER_BIN" simulate -o "$work/$name.fcs" --events "$n" --seed "$SEED" --blood-ul $((n / 5000 + 50)) "$@" \
    >"$work/simulate.log" 2>&1 || { cat "$work/simulate.log" >&2; exit 1; }
}
# events FILE: the events in the file's first data set.
events() { "$AFTER_BIN" info --json "$1" | grep -m1 -o '"eventCount": *[0-9]*' | grep -o '[0-9]*$'; }

names=()
declare -A label args both
for n in $SIZES; do
  simulate "ref-$n" "$n"
  names+=("ref-$n")
  label[ref-$n]="reference (reset tube)"
  args[ref-$n]=""
  both[ref-$n]=1
done
if [ -n "$INSTRUMENT" ]; then
  simulate "inst" "$INSTRUMENT_EVENTS" --instrument "$INSTRUMENT"
  names+=("inst")
  label[inst]="$INSTRUMENT, --panel auto (after only)"
  args[inst]="--panel auto"
  both[inst]=""
fi

# 3. The runs.
# run NAME WHICH BIN: one timed analyze; appends "wall cpu rss_kb" to $work/NAME.WHICH.
run() {
  local name=$1 which=$2 bin=$3 extra
  read -r -a extra <<<"${args[$name]}"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bin" analyze "$work/$name.fcs" ${extra[@]+"${extra[@]}"} --format json \
    >/dev/null 2>"$work/stderr" || {
    echo "analyze-adaptive: $which analyze of $name failed:" >&2
    tail -5 "$work/stderr" >&2
    exit 1
  }
  awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 }' "$work/time" >>"$work/$name.$which"
}

echo "analyze-adaptive: warm-up" >&2
for name in "${names[@]}"; do
  [ -z "${both[$name]}" ] || run "$name" warmup "$BEFORE_BIN"
  run "$name" warmup "$AFTER_BIN"
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$REPEAT"); do
  for name in "${names[@]}"; do
    [ -z "${both[$name]}" ] || run "$name" before "$BEFORE_BIN"
    run "$name" after "$AFTER_BIN"
  done
  echo "analyze-adaptive: round $r of $REPEAT done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# 4. The table.
# summary FILE COLUMN: "min median max" of a column of the runs.
summary() {
  cut -d' ' -f"$2" "$1" | sort -g | awk '{ v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print v[1], m, v[NR] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
table() {
  echo "| file | events | before s (min / median) | after s (min / median) | after ÷ before (min / median) | before MB | after MB | before CPU s | after CPU s |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
  for name in "${names[@]}"; do
    local ev a amin amed arss acpu
    ev=$(events "$work/$name.fcs")
    read -r amin amed _ < <(summary "$work/$name.after" 1)
    read -r _ acpu _ < <(summary "$work/$name.after" 2)
    read -r _ _ arss < <(summary "$work/$name.after" 3)
    if [ -n "${both[$name]}" ]; then
      local bmin bmed brss bcpu
      read -r bmin bmed _ < <(summary "$work/$name.before" 1)
      read -r _ bcpu _ < <(summary "$work/$name.before" 2)
      read -r _ _ brss < <(summary "$work/$name.before" 3)
      printf '| %s | %s | %.2f / %.2f | %.2f / %.2f | **%s** / **%s** | %s | %s | %.2f | %.2f |\n' "${label[$name]}" "$ev" \
        "$bmin" "$bmed" "$amin" "$amed" "$(ratio "$amin" "$bmin")" "$(ratio "$amed" "$bmed")" "$(mb "$brss")" "$(mb "$arss")" \
        "$bcpu" "$acpu"
    else
      printf '| %s | %s | — | %.2f / %.2f | — | — | %s | — | %.2f |\n' "${label[$name]}" "$ev" "$amin" "$amed" "$(mb "$arss")" "$acpu"
    fi
  done
  echo
  echo "Wall seconds of every run, in order:"
  echo
  for name in "${names[@]}"; do
    for which in before after; do
      [ -f "$work/$name.$which" ] || continue
      echo "- ${label[$name]}, $(events "$work/$name.fcs") events, $which: $(cut -d' ' -f1 "$work/$name.$which" | paste -sd' ')"
    done
  done
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
section=$(
  echo "<!-- analyze-adaptive:begin (written by Benchmarks/analyze-adaptive.sh; edit outside the markers) -->"
  echo "## \`analyze\` per file, before and after adaptive gating ($(date -u +%Y-%m-%d))"
  echo
  echo "- before: \`$before_desc\` ($("$BEFORE_BIN" --version 2>/dev/null || echo '?'))"
  echo "- after: \`$after_desc\` ($("$AFTER_BIN" --version 2>/dev/null || echo '?'))"
  echo "- machine: $cpu, $(nproc) cores (nproc), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo);" \
    "$(swift --version 2>/dev/null | head -1 | sed 's/ (.*//')"
  echo "- build: \`swift build -c release -Xswiftc -target-cpu -Xswiftc haswell\` (both)"
  echo "- run: \`cytoreset analyze FILE --format json > /dev/null\`, $REPEAT runs per binary and file after one" \
    "warm-up, interleaved (before, after, before, after, …); /usr/bin/time wall s, user+sys CPU s (median), peak RSS (max)"
  echo "- files: \`cytoreset simulate -o F --events N --seed $SEED --blood-ul N/5000+50\` by the after binary" \
    "(reference instrument: the reset tube both binaries read)$([ -z "$INSTRUMENT" ] || echo "; \`--instrument $INSTRUMENT\` analysed with \`--panel auto\` by the after binary only")"
  echo "- load average (1, 5, 15 min) before / after the timed runs: $load_before / $load_after"
  echo
  table
  echo "<!-- analyze-adaptive:end -->"
)
echo "$section"
if [ "$OUT" != /dev/null ] && [ "$OUT" != - ]; then
  if [ -f "$OUT" ] && grep -q '<!-- analyze-adaptive:begin' "$OUT" && grep -q '<!-- analyze-adaptive:end -->' "$OUT"; then
    { sed '/<!-- analyze-adaptive:begin/,$d' "$OUT"; echo "$section"; sed '1,/<!-- analyze-adaptive:end -->/d' "$OUT"; } >"$work/out.md"
  else
    { echo "# Cost of adaptive gating"; echo; echo "$section"; } >"$work/out.md"
  fi
  cp "$work/out.md" "$OUT"
  echo "analyze-adaptive: wrote $OUT" >&2
fi
