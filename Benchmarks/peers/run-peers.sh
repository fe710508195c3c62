#!/usr/bin/env bash
# CytoReset vs flowio vs fcsparser on the benchmark files, then the gating benchmark (CytoReset
# vs FlowKit vs flowutils, peers/gating_peers.py); writes docs/benchmarks.md.
#
#   Benchmarks/peers/run-peers.sh            # all files, 5 runs each
#   RUNS=3 Benchmarks/peers/run-peers.sh     # fewer parse runs
#   GATING_RUNS=3 SLOW_RUNS=1 …              # gating runs per tool; FlowKit/flowutils runs on 10⁷ events
#   SKIP_GATING=1 / SKIP_PARSE=1 …           # only one of the two comparisons (report not written)
#   SKIP_CLINICAL=1 …                        # without the clinical path (gate/analyze/ingest/FlowKit at
#                                              CLINICAL_SIZES, default 10⁶ 10⁷ 10⁸: ~6.6 GB of disk)
#   Benchmarks/peers/run-peers.sh 1e5x16     # only some files (the report is then not written)
#
# Steps: release build of bench-data and parse-once (own scratch folder, so the ordo-one
# benchmark build in Benchmarks/.build is left alone), generate the data files if missing,
# create Benchmarks/.venv-peers with the pinned peers, run peers.py.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(dirname "$here")"
root="$(dirname "$bench")"
runs="${RUNS:-5}"
scratch="$bench/.build-peers"
flags=(-c release -Xswiftc -target-cpu -Xswiftc "${TARGET_CPU:-haswell}" --scratch-path "$scratch")

cd "$bench"
echo "== building bench-data and parse-once (release, -target-cpu ${TARGET_CPU:-haswell})" >&2
swift build "${flags[@]}" --product bench-data >&2
swift build "${flags[@]}" --product parse-once >&2
swift build "${flags[@]}" --product gate-once >&2
bin="$(swift build "${flags[@]}" --show-bin-path)"

echo "== benchmark files" >&2
"$bin/bench-data" "$@" >&2

venv="$bench/.venv-peers"
if ! "$venv/bin/python" -c 'import flowio, fcsparser' 2>/dev/null \
   || ! cmp -s "$here/requirements.txt" "$venv/.requirements.txt"; then
  echo "== creating $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
  cp "$here/requirements.txt" "$venv/.requirements.txt"
fi

files=()
labels=("$@")
[ ${#labels[@]} -eq 0 ] && labels=(1e5x16 1e6x16 1e7x16 1e6x32)
for l in "${labels[@]}"; do files+=("${CYTORESET_BENCH_DATA:-$bench/data}/bench-$l-f32.fcs"); done

# Gating peers: FlowKit needs numpy 2, fcsparser numpy 1, hence a second venv.
gvenv="$bench/.venv-gating"
if [ -z "${SKIP_GATING:-}" ]; then
  if ! "$gvenv/bin/python" -c 'import flowkit, flowutils, flowio' 2>/dev/null \
     || ! cmp -s "$here/requirements-gating.txt" "$gvenv/.requirements.txt"; then
    echo "== creating $gvenv" >&2
    python3 -m venv "$gvenv"
    "$gvenv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-gating.txt" >&2
    cp "$here/requirements-gating.txt" "$gvenv/.requirements.txt"
  fi
fi

report=()
full=""
[ $# -eq 0 ] && [ -z "${SKIP_GATING:-}" ] && [ -z "${SKIP_PARSE:-}" ] && full=1
[ -n "$full" ] && report=(--out "$root/docs/benchmarks.md")
if [ -z "${SKIP_PARSE:-}" ]; then
  echo "== measuring parse (${runs} runs per reader and file)" >&2
  "$venv/bin/python" "$here/peers.py" --parse-once "$bin/parse-once" --runs "$runs" "${report[@]}" "${files[@]}"
fi
if [ -z "${SKIP_GATING:-}" ]; then
  glabels=()
  for l in "${labels[@]}"; do case "$l" in 1e6x16|1e7x16) glabels+=(--label "$l");; esac; done
  append=()
  [ -n "$full" ] && append=(--append "$root/docs/benchmarks.md")
  echo "== measuring gating (${GATING_RUNS:-3} runs; FlowKit/flowutils on 10⁷ events: ${SLOW_RUNS:-1})" >&2
  "$gvenv/bin/python" "$here/gating_peers.py" --gate-once "$bin/gate-once" --python "$gvenv/bin/python" \
    --runs "${GATING_RUNS:-3}" --slow-runs "${SLOW_RUNS:-1}" --data "${CYTORESET_BENCH_DATA:-$bench/data}" \
    "${glabels[@]}" "${append[@]}"
fi
if [ -z "${SKIP_CLINICAL:-}" ]; then
  # The clinical path beside the generic one (issue #17): gate of the exported strategy,
  # analyze, ingest and FlowKit applying that strategy, on the same files (Benchmarks/clinical-path.sh).
  echo "== clinical path (${CLINICAL_SIZES:-1000000 10000000 100000000} events)" >&2
  (cd "$root" && swift build -c release -Xswiftc -target-cpu -Xswiftc "${TARGET_CPU:-haswell}" --product cytoreset >&2)
  table="$(mktemp)"
  FLOWKIT_PYTHON="$gvenv/bin/python" SIZES="${CLINICAL_SIZES:-1000000 10000000 100000000}" RUNS="${CLINICAL_RUNS:-3}" \
    OUT="$table" "$bench/clinical-path.sh" > /dev/null
  cat "$table"
  if [ -n "$full" ]; then
    { echo; echo "## The clinical path: gate, analyze, ingest and FlowKit on one strategy"; echo
      echo "\`Benchmarks/clinical-path.sh\`, $(date -u +%Y-%m-%d), median / best of ${CLINICAL_RUNS:-3} runs, peak RSS; FlowKit once, up to 10⁷ events. See docs/clinical-path.md."
      echo; cat "$table"; } >> "$root/docs/benchmarks.md"
  fi
  rm -f "$table"
fi
