#!/usr/bin/env bash
# Builds a fuzz target with libFuzzer + AddressSanitizer and runs it.
#
#   fuzz/run.sh [SECONDS] [extra libFuzzer flags…]     (default 60 seconds)
#   FUZZ_TARGET=workspace fuzz/run.sh [SECONDS] …      (the FlowJo workspace reader + counter)
#
# Targets: fcs (default; FCSReaderFuzz.swift over CytoCore + CytoFCS) and workspace
# (WorkspaceReaderFuzz.swift over CytoCore, CytoFCS, CytoTransforms, CytoGating and CytoWorkspace, with
# the CSimdShim C shim compiled alongside).
#
# Env: JOBS=N runs N forked workers that keep going after a crash, hang or OOM (default 0:
# one in-process run that stops at the first finding); SWIFTC (default: swiftc on PATH).
# Corpus grows in fuzz/corpus-work[-workspace]/, crashes/hangs/OOMs land in
# fuzz/crashes-work[-workspace]/ (gitignored). Seeds: testdata/fcs/** and ../shared/testdata/fcs/*
# (fcs); testdata/workspace/*.wsp, testdata/gatingml/**.xml and ../shared/testdata/flowjo/*/*.wsp
# (workspace). A reproducer is re-run with: fuzz/.build/<target>-fuzz <file>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
seconds=${1:-60}
shift || true
swiftc=${SWIFTC:-swiftc}
jobs=${JOBS:-0}
# The Swift runtime backtracer waits on crashes under ASan; libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=enable=no

target=${FUZZ_TARGET:-fcs}
case "$target" in
  fcs) entry=FCSReaderFuzz.swift; dict=fcs.dict; suffix=""; bin_name=fcs-reader-fuzz; target_flags=() ;;
  # FoundationXML leaks the CFError it builds for every libxml2 parse error (toolchain code,
  # measured: 144 bytes per malformed document); leak detection would stop at the first one.
  workspace) entry=WorkspaceReaderFuzz.swift; dict=workspace.dict; suffix="-workspace"; bin_name=workspace-reader-fuzz
    target_flags=(-detect_leaks=0); export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} ;;
  *) echo "fuzz/run.sh: unknown FUZZ_TARGET '$target' (fcs, workspace)" >&2; exit 2 ;;
esac
corpus="$here/corpus-work$suffix"
crashes="$here/crashes-work$suffix"
build="$here/.build"
bin="$build/$bin_name"
mkdir -p "$build" "$corpus" "$crashes"
echo "building $bin"
if [ "$target" = fcs ]; then
  # One module: library sources without their cross-module imports, plus the entry point.
  src="$build/src"
  rm -rf "$src"
  mkdir -p "$src"
  for f in "$root"/Sources/CytoCore/*.swift "$root"/Sources/CytoFCS/*.swift; do
    mod=$(basename "$(dirname "$f")")
    sed -E '/^(@_exported |@testable )?import (CytoCore|CytoFCS)$/d' "$f" >"$src/${mod}_$(basename "$f")"
  done
  cp "$here/$entry" "$src/"
  "$swiftc" -sanitize=fuzzer,address -parse-as-library -module-name CytoFuzz -O -g "$src"/*.swift -o "$bin"
else
  # The workspace reader spans four modules whose names overlap (PopulationPath), so they are
  # built by SwiftPM with coverage + ASan (a scratch path of its own) and the entry point links
  # their objects.
  spm="$build/spm"
  (cd "$root" && swift build --scratch-path "$spm" --target CytoWorkspace -c release \
     --sanitize=fuzzer --sanitize=address -Xswiftc -g)
  rel="$spm/release"
  objs=()
  for mod in CytoCore CytoFCS CytoTransforms CytoGating CytoWorkspace CSimdShim; do
    while IFS= read -r o; do objs+=("$o"); done < <(find "$rel/$mod.build" -name '*.o' | sort)
  done
  "$swiftc" -sanitize=fuzzer,address -parse-as-library -module-name WorkspaceFuzz -O -g \
    -I "$rel/Modules" -I "$rel/CSimdShim.build" -Xcc -fmodule-map-file="$rel/CSimdShim.build/module.modulemap" \
    "$here/$entry" "${objs[@]}" -o "$bin"
fi

# Seed corpus (copied, so libFuzzer may add to the corpus without touching the sources).
seeds="$build/seeds-$target"
rm -rf "$seeds"
mkdir -p "$seeds"
if [ "$target" = fcs ]; then
  find "$root/testdata/fcs" -type f -name '*' ! -name '*.md' -size -1024k -exec cp {} "$seeds/" \; 2>/dev/null || true
  if [ -d "$root/../shared/testdata/fcs" ]; then
    for f in "$root"/../shared/testdata/fcs/*.fcs "$root"/../shared/testdata/fcs/*.lmd "$root"/../shared/testdata/fcs/*.LMD \
             "$root"/../shared/testdata/fcs/*.B08; do
      [ -f "$f" ] && cp "$f" "$seeds/"
    done
  fi
else
  n=0
  for f in "$root"/testdata/workspace/*.wsp "$root"/testdata/workspace/*.xml "$root"/../shared/testdata/flowjo/*/*.wsp; do
    [ -f "$f" ] && { n=$((n + 1)); cp "$f" "$seeds/seed$n-$(basename "$f")"; }
  done
fi

cd "$crashes"   # libFuzzer writes crash-*/timeout-*/oom-* into the working directory
parallel=()
[ "$jobs" -gt 0 ] && parallel=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
before=$(ls "$crashes" | sort)
status=0
(set -x; "$bin" "$corpus" "$seeds" \
  -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
  -max_len=131072 -dict="$here/$dict" -print_final_stats=1 -artifact_prefix="$crashes/" \
  ${target_flags[@]+"${target_flags[@]}"} ${parallel[@]+"${parallel[@]}"} "$@") || status=$?

# Summary: new crash-*/timeout-*/oom-*/leak-* files fail the run.
new=$(comm -13 <(echo "$before") <(ls "$crashes" | sort) | grep -E '^(crash|timeout|oom|leak|slow-unit)-' || true)
echo "corpus: $(ls "$corpus" | wc -l) inputs in $corpus"
if [ -n "$new" ]; then
  echo "FINDINGS in $crashes (reproduce: SWIFT_BACKTRACE=enable=no $bin <file>):"
  echo "$new" | sed 's/^/  /'
  exit 1
fi
echo "no crashes, hangs or OOMs (libFuzzer exit status $status)"
[ "$status" -eq 0 ] || exit "$status"
