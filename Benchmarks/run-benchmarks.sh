#!/usr/bin/env bash
# ordo-one/benchmark run of the FCSParse suite (parse + decode of each benchmark file).
#
#   Benchmarks/run-benchmarks.sh                          # generate data if missing, run FCSParse
#   Benchmarks/run-benchmarks.sh --format markdown        # extra arguments go to `benchmark`
#   Benchmarks/run-benchmarks.sh --filter '1e7.*'         # one benchmark
#
# The first run builds the benchmark tool and its dependencies in release mode (about 3–4
# minutes on 2 cores); later runs take seconds plus the measurements. Everything is built with
# `-target-cpu haswell` (AVX2; TARGET_CPU=native for this machine's best), passed to the whole
# build so that CytoFCS's decoder gets it too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
cpu="${TARGET_CPU:-haswell}"
flags=(-Xswiftc -target-cpu -Xswiftc "$cpu")

echo "== benchmark files" >&2
swift build -c release "${flags[@]}" --product bench-data >&2
"$(swift build -c release "${flags[@]}" --show-bin-path)/bench-data" >&2

echo "== ordo-one/benchmark: FCSParse (-target-cpu $cpu)" >&2
swift package "${flags[@]}" benchmark --target FCSParse "$@"
