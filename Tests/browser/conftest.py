"""Fixtures of the review server's browser test (Selenium + Debian's chromium and chromium-driver).

One module-scoped cohort built with the binary, one `cytoreset serve` process (stopped by pid at
the end, and checked gone), one headless Chromium at a fixed window size with its console and
network (performance) logs on.

Environment: CYTORESET (binary path, required); CHROMIUM and CHROMEDRIVER (default: chromium /
chromedriver on PATH). Under CI=true a missing browser or driver is a failure; elsewhere the
tests are skipped with the reason.
"""
import json
import os
import select
import shutil
import signal
import subprocess
import time
import urllib.parse
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "support"))
from png_rgb import decode_png  # noqa: E402

import pytest

BIN = os.environ.get("CYTORESET", ".build/debug/cytoreset")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
CI = os.environ.get("CI") == "true"
WINDOW = (1280, 900)
PATIENT = "P01"
DAYS = [-7, 14, 28, 90]


def _missing():
    what = []
    if not (CHROMIUM and os.path.isfile(CHROMIUM)):
        what.append("chromium")
    if not (CHROMEDRIVER and os.path.isfile(CHROMEDRIVER)):
        what.append("chromedriver (Debian package chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        what.append("selenium")
    return what


def pytest_collection_modifyitems(config, items):
    missing = _missing()
    if not missing:
        return
    if CI:
        raise pytest.UsageError("browser test: missing " + ", ".join(missing) + " (scripts/install-deps.sh, scripts/browser-test.sh)")
    skip = pytest.mark.skip(reason="missing " + ", ".join(missing))
    for item in items:
        item.add_marker(skip)


def run(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"cytoreset {' '.join(args)} failed ({p.returncode}): {p.stderr[-2000:]}"
    return p


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """A store with one patient (P01) and 4 visits, the FCS files beside it (the --fcs-dir)."""
    tmp = tmp_path_factory.mktemp("cohort")
    run("simulate", "--timeline", "--patient", PATIENT, "--days=" + ",".join(str(d) for d in DAYS),
        "--events", "20000", "-o", str(tmp))
    run("ingest", "--manifest", str(tmp / f"{PATIENT}.visits.csv"), "--store", str(tmp / "s.h5"))
    return tmp


class Server:
    def __init__(self, process, url, log_path):
        self.process = process
        self.url = url  # with ?token=
        parts = urllib.parse.urlsplit(url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.port = parts.port
        self.token = urllib.parse.parse_qs(parts.query)["token"][0]
        self.log_path = log_path

    def log(self):
        return open(self.log_path, errors="replace").read()


def _read_line(stream, timeout):
    """One line from a pipe within `timeout` seconds (None when it does not come)."""
    deadline, buf = time.monotonic() + timeout, b""
    fd = stream.fileno()
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buf += chunk
    return buf.split(b"\n", 1)[0].decode().strip() or None


def _gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(scope="module")
def server(cohort):
    """`cytoreset serve --port 0` on the cohort; its URL from the one line on stdout (20 s at
    most). Stopped with SIGTERM by pid at the end: exit code 0, and the pid is gone."""
    log_path = cohort / "serve.log"
    log = open(log_path, "wb")
    p = subprocess.Popen([BIN, "serve", "--store", str(cohort / "s.h5"), "--fcs-dir", str(cohort), "--port", "0"],
                         stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
    try:
        line = _read_line(p.stdout, 20)
        assert line and line.startswith("http://127.0.0.1:") and "?token=" in line, \
            f"serve printed no URL within 20 s: {line!r}; exit {p.poll()}; log: {open(log_path).read()[-2000:]}"
        yield Server(p, line, log_path)
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                pytest.fail("serve did not stop within 15 s of SIGTERM")
        log.close()
        assert _gone(p.pid), f"serve (pid {p.pid}) still running"
        assert p.returncode == 0, f"serve exited {p.returncode} after SIGTERM: {open(log_path).read()[-2000:]}"


def new_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                f"--window-size={WINDOW[0]},{WINDOW[1]}", "--force-device-scale-factor=1", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-default-apps", "--disable-sync", "--metrics-recording-only", "--no-default-browser-check"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


@pytest.fixture(scope="module")
def driver(server):
    d = new_driver()
    try:
        yield d
    finally:
        d.quit()


@pytest.fixture(scope="module")
def session(driver, server):
    """The browser after opening the printed URL once: the token exchanged for the cookie.
    Returns the logs of that first visit (console, network) for the checks that need them."""
    driver.get(server.url)
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    # The cohort script has run once its fetch of /api/patients finished (and a moment after).
    try:
        wait_for(driver, lambda d: d.execute_script(
            "return performance.getEntriesByType('resource').some(e => e.name.endsWith('/api/patients') && e.responseEnd > 0)"),
            timeout=10)
    except Exception:
        pass  # the checks below say what is wrong
    time.sleep(0.3)
    return {"url": driver.current_url, "browser_log": driver.get_log("browser"),
            "network": network_requests(driver.get_log("performance")),
            "cookie": next((c["value"] for c in driver.get_cookies() if c["name"] == f"cytoreset_session_{server.port}"), "")}


def wait_for(driver, predicate, timeout=20, message=""):
    """Polls `predicate(driver)` every 0.1 s; an element the page replaced meanwhile is retried."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException, NoSuchElementException, AssertionError)
                         ).until(predicate, message)


def network_requests(perf_log):
    """(url, method, status or None) of every request in a Chrome performance log, redirects
    included (a redirect's response arrives with the next request of the same id)."""
    out, pending = [], {}
    for entry in perf_log:
        msg = json.loads(entry["message"])["message"]
        params = msg.get("params", {})
        if msg["method"] == "Network.requestWillBeSent":
            rid = params["requestId"]
            if rid in pending and "redirectResponse" in params:
                out[pending[rid]][2] = params["redirectResponse"]["status"]
            out.append([params["request"]["url"], params["request"]["method"], None])
            pending[rid] = len(out) - 1
        elif msg["method"] == "Network.responseReceived" and params["requestId"] in pending:
            out[pending[params["requestId"]]][2] = params["response"]["status"]
    return [tuple(r) for r in out]


def console_errors(entries):
    return [e for e in entries if e.get("level") == "SEVERE"]


def coloured_fraction(png):
    w, h, rows = decode_png(png)
    coloured = sum(1 for row in rows for (r, g, b) in row if max(r, g, b) - min(r, g, b) > 40)
    return coloured / float(w * h), w, h
