#!/usr/bin/env bash
# Reproduces the evidence table of docs/flowjo.md: FlowJo's saved counts vs exact geometry vs the
# binned rule, for the FlowJo workspaces in ../shared/testdata/flowjo (read-only; nothing copied).
# Makes its own venv (flowio + numpy from PyPI) under .build/venv-flowjo.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${FLOWJO_VENV:-.build/venv-flowjo}
if ! "$VENV/bin/python" -c "import flowio, numpy" 2>/dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "flowio==1.4.0" "numpy>=1.24"
fi
exec "$VENV/bin/python" scripts/flowjo_counts.py "$@"
