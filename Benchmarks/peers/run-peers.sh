#!/usr/bin/env bash
# CytoReset vs flowio vs fcsparser on the benchmark files; writes docs/benchmarks.md.
#
#   Benchmarks/peers/run-peers.sh            # all files, 5 runs each
#   RUNS=3 Benchmarks/peers/run-peers.sh     # fewer runs
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

out=()
[ $# -eq 0 ] && out=(--out "$root/docs/benchmarks.md")
echo "== measuring (${runs} runs per reader and file)" >&2
"$venv/bin/python" "$here/peers.py" --parse-once "$bin/parse-once" --runs "$runs" "${out[@]}" "${files[@]}"
