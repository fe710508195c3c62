#!/usr/bin/env bash
# One-thread throughput of the Float32 forward kernels (fasinh, flog, logicle) against the
# Float64 forward, on 16,384 compensated-like values (70 % positive over 5 decades, 30 % small
# negatives), best of 5 × 400 passes. Kept out of the test suite and of the ordo-one package:
# it links the release objects of CytoCore and CytoTransforms directly.
#
#   Benchmarks/float32-kernels.sh            # builds the release objects into .build-rel first
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rel="$root/.build-rel/release"
swift build -c release -Xswiftc -target-cpu -Xswiftc haswell --package-path "$root" --build-path "$root/.build-rel" --target CytoTransforms >&2
out=$(mktemp -d "${TMPDIR:-/tmp}/float32-kernels.XXXXXX")
trap 'rm -rf "$out"' EXIT
swiftc -O -target-cpu haswell -I "$rel/Modules" "$root/Benchmarks/float32-kernels/main.swift" \
  "$rel"/CytoTransforms.build/*.o "$rel"/CytoCore.build/*.o -o "$out/bench" 2>/dev/null
"$out/bench"
