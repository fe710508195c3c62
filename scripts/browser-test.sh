#!/usr/bin/env bash
# The review server in a real browser (Tests/browser): Selenium drives Debian's headless chromium
# through Debian's chromedriver (both from scripts/install-deps.sh) against a `cytoreset serve`
# the test starts on its own simulated cohort. Selenium comes from PyPI, pinned, in .venv-browser
# (created here; Selenium Manager is never used: the driver and browser paths are given).
# Under CI=true anything missing is a failure; elsewhere one SKIP line and exit 0.
# REVIEW_SCREENSHOT=PATH saves the review page's screenshot (the README's).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CYTORESET:-.build/debug/cytoreset}
VENV=.venv-browser
ci=${CI:-false}

skip_or_fail() {
  if [ "$ci" = "true" ]; then echo "browser-test: $1" >&2; exit 1; fi
  echo "SKIP: browser tests of the review server ($1)"
  exit 0
}

[ -x "$BIN" ] || { echo "browser-test: no binary at $BIN (swift build first)" >&2; exit 1; }
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || true)}
[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] || skip_or_fail "chromium not installed (scripts/install-deps.sh installs it)"
[ -n "$CHROMEDRIVER" ] && [ -x "$CHROMEDRIVER" ] || skip_or_fail "chromedriver not installed (scripts/install-deps.sh installs chromium-driver)"

# Selenium 4.51.0 and everything it pulls in, pinned (4.52 needs a certifi newer than PyPI's
# mirror here has).
PINS=(selenium==4.51.0 pytest==8.3.5 attrs==26.1.0 certifi==2026.10.19.post1 h11==0.16.0 idna==3.20
  iniconfig==2.3.1 outcome==1.3.0.post0 packaging==26.4 pluggy==1.7.0 PySocks==1.7.1 sniffio==1.3.1
  sortedcontainers==2.4.0 trio==0.35.0 trio-websocket==0.12.2 typing_extensions==4.16.0 urllib3==2.8.0
  websocket-client==1.9.2 wsproto==1.3.2)
if ! { [ -x "$VENV/bin/pytest" ] && "$VENV/bin/python" -c 'import selenium, sys; sys.exit(selenium.__version__ != "4.51.0")' 2>/dev/null; }; then
  rm -rf "$VENV"
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q --disable-pip-version-check "${PINS[@]}" \
    || skip_or_fail "could not install selenium from PyPI into $VENV"
fi

start=$(date +%s)
status=0
CYTORESET="$BIN" CHROMIUM="$CHROMIUM" CHROMEDRIVER="$CHROMEDRIVER" SE_OFFLINE=true \
  "$VENV/bin/python" -m pytest -q -rxXs -p no:cacheprovider Tests/browser || status=$?
echo "browser-test: $(( $(date +%s) - start )) s"
exit $status
