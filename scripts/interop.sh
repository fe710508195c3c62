#!/usr/bin/env bash
# Interop checks against Python peers, each in its own venv with pinned versions from PyPI:
#   .venv-interop  flowio + fcsparser (fcsparser 0.2.8 needs numpy 1.x): CytoReset-written FCS
#                  files read identically in flowio and fcsparser (and back);
#   .venv-flowkit  FlowKit 1.3 (needs numpy 2): `cytoreset gate` and FlowKit give the same
#                  populations on the synthetic panel files (Tests/interop/test_flowkit_gating.py)
#                  and on simulated reset-panel files with the strategy `analyze` resolved
#                  (Tests/interop/test_flowkit_reset_panel.py); and a workspace `workspace export`
#                  writes opens in FlowKit with `analyze`'s counts (Tests/interop/test_flowkit_workspace.py,
#                  on the simulated files and, when ../shared/testdata is present, the real files);
#   .venv-h5py     h5py (+ Debian's h5dump): the cohort store's documented layout and values
#                  (Tests/interop/test_store_interop.py; it builds its own store with the binary).
# Under CI=true any failure is fatal; elsewhere a venv that cannot be created (offline) prints
# one SKIP line and its tests are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CYTORESET:-.build/debug/cytoreset}
FIX=${CYTORESET_INTEROP_DIR:-.build/interop-fixtures}
ci=${CI:-false}

# ensure_venv DIR IMPORTS WHAT PACKAGE...: (re)creates DIR unless pytest and IMPORTS work there.
# Returns 1 (after the SKIP line) when it cannot be created outside CI.
ensure_venv() {
  local venv=$1 imports=$2 what=$3
  shift 3
  if [ -x "$venv/bin/pytest" ] && "$venv/bin/python" -c "import $imports" 2>/dev/null; then return 0; fi
  rm -rf "$venv"
  if python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check "$@"; then return 0; fi
  if [ "$ci" = "true" ]; then echo "interop: cannot create the Python venv $venv (PyPI needed)" >&2; exit 1; fi
  echo "SKIP: $what interop tests (could not install $what from PyPI)"
  return 1
}

# need_fixtures FILE...: the fixtures `swift test` writes when CYTORESET_INTEROP_DIR is set.
need_fixtures() {
  local f
  for f in "$@"; do
    if [ ! -f "$FIX/$f" ]; then
      echo "interop: fixtures missing in $FIX (run swift test with CYTORESET_INTEROP_DIR set)" >&2
      exit 1
    fi
  done
}

shared=""
[ -d ../shared/testdata ] && shared=$(cd ../shared/testdata && pwd)

status=0
if ensure_venv .venv-interop "flowio, fcsparser" "flowio/fcsparser" \
    flowio==1.4.0 fcsparser==0.2.8 six==1.17.0 "numpy<2" pytest==8.3.5; then
  need_fixtures manifest.txt
  CYTORESET="$BIN" CYTORESET_INTEROP_DIR="$FIX" CYTORESET_SHARED="$shared" \
    .venv-interop/bin/python -m pytest -q -p no:cacheprovider Tests/interop/test_fcs_interop.py || status=$?
  # The demo patient report in headless Chromium (Debian's chromium, from install-deps.sh).
  CYTORESET="$BIN" .venv-interop/bin/python -m pytest -q -p no:cacheprovider Tests/interop/test_report_chromium.py || status=$?
fi
if ensure_venv .venv-flowkit "flowkit" "FlowKit" \
    flowkit==1.3.2 flowutils==1.2.2 flowio==1.4.0 "numpy>=2,<3" pytest==8.3.5; then
  need_fixtures gating-manifest.txt panel-strategy.xml reset-manifest.txt
  CYTORESET="$BIN" CYTORESET_INTEROP_DIR="$FIX" CYTORESET_SHARED="$shared" \
    .venv-flowkit/bin/python -m pytest -q -p no:cacheprovider Tests/interop/test_flowkit_gating.py \
    Tests/interop/test_flowkit_reset_panel.py Tests/interop/test_flowkit_workspace.py || status=$?
fi
if ensure_venv .venv-h5py "h5py" "h5py" h5py==3.12.1 "numpy>=2,<3" pytest==8.3.5; then
  command -v h5dump >/dev/null || { echo "interop: h5dump missing (scripts/install-deps.sh installs hdf5-tools)" >&2; exit 1; }
  CYTORESET="$BIN" .venv-h5py/bin/python -m pytest -q -p no:cacheprovider Tests/interop/test_store_interop.py || status=$?
fi
exit $status
