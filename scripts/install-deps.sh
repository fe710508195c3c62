#!/usr/bin/env bash
# Installs what a fresh Debian machine with the Swift toolchain lacks. Idempotent and quiet
# when everything is present. Debian packages come from apt (root, or sudo when available).
set -euo pipefail
need=()
# Debian packages the build and tests use: zlib (PNG), libhdf5 (the store), h5dump (interop
# tests), chromium (the report renders in headless Chromium in the tests) and chromium-driver
# (chromedriver, Selenium drives chromium through it in the review server's browser test);
# munge, slurmctld, slurmd and slurm-client (the workflow test runs Snakemake on a real SLURM).
for pkg in zlib1g-dev libhdf5-dev hdf5-tools chromium chromium-driver munge slurmctld slurmd slurm-client; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# Python's venv module, for the interop tests' peer readers.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "install-deps: the Swift 6 toolchain must be on PATH" >&2; exit 1; }
