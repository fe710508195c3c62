#!/usr/bin/env bash
# ordo-one/benchmark run of the stage suites (docs/benchmark-suites.md): FCSParse, Gating,
# Transforms, GateKinds, ResetPanel, Statistics, Ingest.
#
#   Benchmarks/run-benchmarks.sh                          # generate data if missing, run every suite
#   Benchmarks/run-benchmarks.sh Transforms               # one suite (or several: GateKinds,Statistics)
#   Benchmarks/run-benchmarks.sh all --format markdown    # extra arguments go to `benchmark`
#   Benchmarks/run-benchmarks.sh FCSParse --filter '1e7.*'   # one benchmark
#   SCRATCH=/path/.build-x Benchmarks/run-benchmarks.sh   # another build directory
#
# The first run builds the benchmark tool and its dependencies in release mode (about 3–5
# minutes on 2 cores) and writes the benchmark files (the 10⁷-event reset-panel simulation
# takes about 35 s); later runs take seconds plus the measurements (every suite: 12 minutes on
# a busy 2-core VM, docs/benchmark-suites.md). Everything is built with `-target-cpu haswell` (AVX2;
# TARGET_CPU=native for this machine's best), passed to the whole build so that CytoFCS's
# decoder gets it too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
cpu="${TARGET_CPU:-haswell}"
scratch="${SCRATCH:-$here/.build}"
flags=(-Xswiftc -target-cpu -Xswiftc "$cpu")
suites=(FCSParse Gating Transforms GateKinds ResetPanel Statistics Ingest)

# The first argument names the suites unless it is an option.
selected=("${suites[@]}")
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  if [ "$1" != all ]; then
    IFS=, read -r -a selected <<<"$1"
    for s in "${selected[@]}"; do
      case " ${suites[*]} " in
      *" $s "*) ;;
      *) echo "run-benchmarks.sh: no suite '$s' (suites: ${suites[*]}, all)" >&2; exit 2 ;;
      esac
    done
  fi
  shift
fi
pattern="^($(IFS='|'; echo "${selected[*]}"))\$"

echo "== benchmark files" >&2
swift build -c release "${flags[@]}" --scratch-path "$scratch" --product bench-data >&2
"$(swift build -c release "${flags[@]}" --scratch-path "$scratch" --show-bin-path)/bench-data" >&2

echo "== ordo-one/benchmark: ${selected[*]} (-target-cpu $cpu)" >&2
swift package "${flags[@]}" --scratch-path "$scratch" benchmark --target "$pattern" "$@"
