#!/usr/bin/env bash
# Interop check: CytoReset-written FCS files read identically in flowio and fcsparser (and back).
# Creates .venv-interop with pinned peers from PyPI. Under CI=true any failure is fatal;
# elsewhere a venv that cannot be created (offline) prints one SKIP line.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-interop
BIN=${CYTORESET:-.build/debug/cytoreset}
FIX=${CYTORESET_INTEROP_DIR:-.build/interop-fixtures}
ci=${CI:-false}
if [ ! -x "$VENV/bin/pytest" ] || ! "$VENV/bin/python" -c 'import flowio, fcsparser' 2>/dev/null; then
  rm -rf "$VENV"
  if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q --disable-pip-version-check \
        flowio==1.4.0 fcsparser==0.2.8 six==1.17.0 "numpy<2" pytest==8.3.5; }; then
    if [ "$ci" = "true" ]; then echo "interop: cannot create the Python venv (PyPI needed)" >&2; exit 1; fi
    echo "SKIP: interop tests (could not install flowio/fcsparser from PyPI)"
    exit 0
  fi
fi
if [ ! -f "$FIX/manifest.txt" ]; then
  echo "interop: fixtures missing in $FIX (run swift test with CYTORESET_INTEROP_DIR set)" >&2
  exit 1
fi
shared=""
[ -d ../shared/testdata ] && shared=$(cd ../shared/testdata && pwd)
CYTORESET="$BIN" CYTORESET_INTEROP_DIR="$FIX" CYTORESET_SHARED="$shared" \
  "$VENV/bin/python" -m pytest -q -p no:cacheprovider Tests/interop
