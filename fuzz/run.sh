#!/usr/bin/env bash
# Builds the FCS reader fuzz target with libFuzzer + AddressSanitizer and runs it.
#
#   fuzz/run.sh [SECONDS] [extra libFuzzer flags…]     (default 60 seconds)
#
# Env: JOBS=N runs N forked workers that keep going after a crash, hang or OOM (default 0:
# one in-process run that stops at the first finding); SWIFTC (default: swiftc on PATH).
# Corpus grows in fuzz/corpus-work/, crashes/hangs/OOMs land in fuzz/crashes-work/
# (both gitignored). Seeds: testdata/fcs/** and ../shared/testdata/fcs/*.fcs when present.
# A reproducer is re-run with: fuzz/.build/fcs-reader-fuzz fuzz/crashes-work/<file>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
seconds=${1:-60}
shift || true
swiftc=${SWIFTC:-swiftc}
jobs=${JOBS:-0}
# The Swift runtime backtracer waits on crashes under ASan; libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=enable=no

build="$here/.build"
src="$build/src"
rm -rf "$src"
mkdir -p "$src" "$here/corpus-work" "$here/crashes-work"

# One module: library sources without their cross-module imports, plus the entry point.
for f in "$root"/Sources/CytoCore/*.swift "$root"/Sources/CytoFCS/*.swift; do
  mod=$(basename "$(dirname "$f")")
  sed -E '/^(@_exported |@testable )?import (CytoCore|CytoFCS)$/d' "$f" >"$src/${mod}_$(basename "$f")"
done
cp "$here/FCSReaderFuzz.swift" "$src/"

bin="$build/fcs-reader-fuzz"
echo "building $bin"
"$swiftc" -sanitize=fuzzer,address -parse-as-library -module-name CytoFuzz -O -g \
  "$src"/*.swift -o "$bin"

# Seed corpus (copied, so libFuzzer may add to corpus-work without touching the sources).
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"
find "$root/testdata/fcs" -type f -name '*' ! -name '*.md' -size -1024k -exec cp {} "$seeds/" \; 2>/dev/null || true
if [ -d "$root/../shared/testdata/fcs" ]; then
  for f in "$root"/../shared/testdata/fcs/*.fcs "$root"/../shared/testdata/fcs/*.lmd "$root"/../shared/testdata/fcs/*.LMD \
           "$root"/../shared/testdata/fcs/*.B08; do
    [ -f "$f" ] && cp "$f" "$seeds/"
  done
fi

cd "$here/crashes-work"   # libFuzzer writes crash-*/timeout-*/oom-* into the working directory
parallel=()
[ "$jobs" -gt 0 ] && parallel=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
before=$(ls "$here/crashes-work" | sort)
status=0
(set -x; "$bin" "$here/corpus-work" "$seeds" \
  -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
  -max_len=131072 -dict="$here/fcs.dict" -print_final_stats=1 -artifact_prefix="$here/crashes-work/" \
  ${parallel[@]+"${parallel[@]}"} "$@") || status=$?

# Summary: new crash-*/timeout-*/oom-*/leak-* files fail the run.
new=$(comm -13 <(echo "$before") <(ls "$here/crashes-work" | sort) | grep -E '^(crash|timeout|oom|leak|slow-unit)-' || true)
echo "corpus: $(ls "$here/corpus-work" | wc -l) inputs in fuzz/corpus-work"
if [ -n "$new" ]; then
  echo "FINDINGS in fuzz/crashes-work (reproduce: SWIFT_BACKTRACE=enable=no $bin <file>):"
  echo "$new" | sed 's/^/  /'
  exit 1
fi
echo "no crashes, hangs or OOMs (libFuzzer exit status $status)"
[ "$status" -eq 0 ] || exit "$status"
