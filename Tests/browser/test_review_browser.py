"""The review server in headless Chromium (Selenium, Debian's chromium + chromium-driver).

Harness and security checks run against whatever page the server embeds. The review-page
tests are written against the page's DOM contract (docs/serve-api.md, "The review page"):

- `#review[data-state=ready|busy]`, `data-highlight=ID` on `#review` for the chosen population;
- per gate `figure.plot[data-gate=ID]` with a `canvas` and `svg.overlay`; handles
  `circle.handle[data-gate][data-handle]` (`v0`… vertices, `min0`/`max0`… rectangle sides,
  `centre`, `cut`); outlines `.gate-shape[data-gate]`;
- `#counts tr[data-population=ID]` with `td.count`, `td.percent`;
- `#reviewer`, `#reason`, `#save-draft`, `#approve`, `#apply-later`, `#save-result`,
  `#apply-result`, `#error`, `#history li[data-version]`;
- cohort rows `tr[data-patient][data-visit]` with `.review-status` and `a.review-link`;
- hash routes `#/review/PATIENT/VISIT` (visit percent-encoded).

Until a page with those hooks is served, the tests that need them end as xfail (checked at run
time: `#review` absent after opening `#/review/P01/day-007`, or no `tr[data-patient]` rows).
Once the hooks exist, they run as ordinary tests and a failure is a failure.

The tests share one server and one browser and run in file order: the approve test at the end
writes a new version to the store.
"""
import http.server
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import PATIENT, WINDOW, coloured_fraction, console_errors, network_requests, wait_for

REVIEW_PAGE_MISSING = "review page not merged yet (no #review after opening #/review/P01/day-007)"
VISITS = ["day-007", "day+014", "day+028", "day+090"]
HOSTILE = "<img src=x onerror=alert(1)>"


# ---- helpers -------------------------------------------------------------------------------

def css(driver, selector):
    from selenium.webdriver.common.by import By
    return driver.find_elements(By.CSS_SELECTOR, selector)


def one(driver, selector):
    found = css(driver, selector)
    assert found, f"no element {selector}"
    return found[0]


def fetch(driver, url, method="GET", headers=None, body=None):
    """fetch() from the page itself (its origin, its cookie): (status, text)."""
    return driver.execute_async_script(
        """
        const [url, method, headers, body, done] = arguments;
        fetch(url, {method, headers, body, credentials: "same-origin"})
          .then(r => r.text().then(t => done([r.status, t])))
          .catch(e => done([-1, String(e)]));
        """, url, method, headers or {}, body)


def review_route(patient, visit):
    return "#/review/" + urllib.parse.quote(patient, safe="") + "/" + urllib.parse.quote(visit, safe="")


_review_page = {}  # "present": whether the served page has a review view (checked once)


def open_review(driver, server, patient=PATIENT, visit="day-007"):
    """Opens a visit's review by its hash route; xfails when the page has no review view."""
    if _review_page.get("present") is False:
        pytest.xfail(REVIEW_PAGE_MISSING)
    driver.get(server.origin + "/" + review_route(patient, visit))
    try:
        wait_for(driver, lambda d: css(d, "#review"), timeout=5)
        _review_page["present"] = True
    except Exception:
        _review_page["present"] = False
        pytest.xfail(REVIEW_PAGE_MISSING)
    wait_for(driver, lambda d: one(d, "#review").get_attribute("data-state") == "ready", timeout=30,
             message="#review never reached data-state=ready")
    return one(driver, "#review")


def count_of(driver, population):
    # Read in one script call: a page that redraws the table must not leave a stale element.
    text = driver.execute_script("const c = document.querySelector(arguments[0]); return c ? c.textContent : null",
                                 f'#counts tr[data-population="{population}"] td.count')
    assert text is not None, f"no count cell for {population}"
    digits = re.sub(r"[^\d]", "", text)
    assert digits, f"{population} count {text!r} holds no number"
    return int(digits)


def history_versions(driver):
    return [int(v) for v in driver.execute_script(
        "return [...document.querySelectorAll('#history li[data-version]')].map(li => li.dataset.version)")]


def api_versions(driver, patient, visit):
    status, text = fetch(driver, "/api/patients/" + urllib.parse.quote(patient, safe="") + "/visits/" +
                         urllib.parse.quote(visit, safe="") + "/history")
    assert status == 200, text
    return [v["version"] for v in json.loads(text)["versions"]]


def watch_states(driver):
    """Records every data-state #review takes from now on (window.__states), also when the page
    replaces the #review element."""
    driver.execute_script("""
        window.__states = [];
        new MutationObserver(ms => { for (const m of ms) if (m.target.id === "review") window.__states.push(m.target.getAttribute("data-state")); })
          .observe(document.documentElement, {attributes: true, subtree: true, attributeFilter: ["data-state"]});
    """)


def record_alerts(driver):
    driver.execute_script("window.__alerts = []; window.alert = m => window.__alerts.push(String(m));")


# ---- harness: token, cookie, console, origins ----------------------------------------------

def test_token_exchanged_for_httponly_cookie(session, driver, server):
    assert "token" not in session["url"], session["url"]
    assert session["url"].startswith(server.origin + "/"), session["url"]
    cookies = driver.get_cookies()
    ours = [c for c in cookies if c["name"] == f"cytoreset_session_{server.port}"]
    assert ours, cookies
    c = ours[0]
    assert c["httpOnly"] is True and c.get("sameSite") == "Strict" and c["path"] == "/", c
    assert c["value"] != server.token
    assert driver.execute_script("return document.cookie") == ""  # HttpOnly: not readable by scripts
    # The token exchange was a redirect (303) to the path without the query.
    first = [r for r in session["network"] if "token=" in r[0]]
    assert first and first[0][2] == 303, session["network"]


def test_no_console_errors(session, driver, server):
    assert not console_errors(session["browser_log"]), session["browser_log"]
    assert not console_errors(driver.get_log("browser"))


def test_no_request_to_another_origin(session, driver, server):
    requests = [r for r in session["network"] if not r[0].startswith(("data:", "blob:", "about:"))]
    assert requests, "no request logged"
    foreign = [r for r in requests if not r[0].startswith(server.origin + "/")]
    assert not foreign, foreign
    failed = [r for r in requests if r[2] is not None and r[2] >= 400]
    assert not failed, failed
    entries = driver.execute_script("return performance.getEntries().filter(e => e.name.includes('://')).map(e => e.name)")
    assert entries and all(e.startswith(server.origin + "/") for e in entries), entries


def test_favicon_is_served(session, server):
    req = urllib.request.Request(server.origin + "/favicon.ico",
                                 headers={"Cookie": f"cytoreset_session_{server.port}=" + session["cookie"]})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status in (200, 204)


def test_api_lists_the_cohort(session, driver):
    """The data the page shows, fetched with the browser's cookie: P01 with its 4 visits."""
    status, text = fetch(driver, "/api/patients")
    assert status == 200, text
    patients = json.loads(text)["patients"]
    assert [p["id"] for p in patients] == [PATIENT]
    assert [v["visit"] for v in patients[0]["visits"]] == VISITS


def test_cohort_lists_patient_and_visits(session, driver, server):
    driver.get(server.origin + "/")
    wait_for(driver, lambda d: css(d, "tr[data-patient][data-visit]") or css(d, "tbody tr"), timeout=10,
             message="the cohort shows no rows")
    if not css(driver, "tr[data-patient][data-visit]"):
        # main's first-slice page (IndexPage.swift) fills `#patients` with plain rows; the
        # review page adds tr[data-patient][data-visit]. Remove this guard once it lands.
        pytest.xfail("cohort rows have no data-patient/data-visit (review page not merged yet)")
    rows = css(driver, "tr[data-patient][data-visit]")
    got = [(r.get_attribute("data-patient"), r.get_attribute("data-visit")) for r in rows]
    assert got == [(PATIENT, v) for v in VISITS], got
    for r in rows:
        status = r.find_element("css selector", ".review-status").text.strip().lower()
        assert status == "pending", (r.get_attribute("data-visit"), status)
        link = r.find_element("css selector", "a.review-link")
        assert link.get_attribute("href").endswith(review_route(PATIENT, r.get_attribute("data-visit"))), link.get_attribute("href")
    # The link of the percent-encoded visit opens its review.
    css(driver, f'tr[data-visit="day+014"] a.review-link')[0].click()
    wait_for(driver, lambda d: one(d, "#review").get_attribute("data-state") == "ready", timeout=30)
    assert driver.current_url.endswith("#/review/P01/day%2B014"), driver.current_url
    assert not console_errors(driver.get_log("browser"))


# ---- security from the browser's side -------------------------------------------------------

def test_same_origin_post_needs_json_content_type(session, driver, server):
    driver.get(server.origin + "/")
    status, text = fetch(driver, "/api/ping", "POST", {"Content-Type": "text/plain"}, '{"message": "hi"}')
    assert status == 415 and json.loads(text)["error"] == "unsupported_media_type", (status, text)
    # The same request with the JSON content type goes through: the 415 was the content type.
    status, text = fetch(driver, "/api/ping", "POST", {"Content-Type": "application/json"}, '{"message": "hi"}')
    assert status == 200 and json.loads(text) == {"ok": True, "message": "hi"}, (status, text)
    driver.get_log("browser")  # the 415 is logged as a failed resource load; not a page error


class _Attacker(http.server.BaseHTTPRequestHandler):
    page = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args):
        pass


@pytest.fixture
def attacker():
    """A page on another port of 127.0.0.1 (same site, other origin: SameSite=Strict does not
    stop the cookie here, the Origin check must)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Attacker)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("enctype,field,value", [
    ("application/x-www-form-urlencoded", "message", "forged"),
    # The classic JSON-over-text/plain forgery: the body reads {"message":"forged","x":"="}.
    ("text/plain", '{"message":"forged","x":"', '"}'),
])
def test_cross_origin_form_post_is_refused(session, driver, server, attacker, enctype, field, value):
    _Attacker.page = f"""<!doctype html><html><body>
<form id="f" method="POST" action="{server.origin}/api/ping" enctype="{enctype}">
<input type="hidden" name='{field}' value='{value}'></form>
<script>document.getElementById("f").submit();</script></body></html>""".encode()
    driver.get_log("performance")
    driver.get(f"http://127.0.0.1:{attacker.server_address[1]}/")
    wait_for(driver, lambda d: d.current_url.startswith(server.origin + "/api/ping"), timeout=10)
    posts = [r for r in network_requests(driver.get_log("performance")) if r[0] == server.origin + "/api/ping" and r[1] == "POST"]
    assert posts, "the form was not submitted"
    assert all(r[2] == 403 for r in posts), posts
    body = driver.find_element("tag name", "body").text
    assert '"cross_origin"' in body and '"ok"' not in body, body
    driver.get_log("browser")


def test_api_without_cookie_is_401(session, server):
    for path in ("/api/patients", "/api/patients/P01/visits/day-007", "/", "/app.js"):
        req = urllib.request.Request(server.origin + path)
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        assert e.value.code == 401, (path, e.value.code)
        assert json.loads(e.value.read())["error"] == "unauthorized"
    # A POST without the cookie but with the right Origin and content type: still 401.
    req = urllib.request.Request(server.origin + "/api/ping", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json", "Origin": server.origin})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 401


def test_wrong_token_is_401(session, server):
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(server.origin + "/?token=" + "0" * 64, timeout=10)
    assert e.value.code == 401


# ---- the review page ------------------------------------------------------------------------

def test_review_opens_and_draws(session, driver, server):
    review = open_review(driver, server)
    figures = css(driver, "figure.plot[data-gate]")
    assert figures, "no gate plots"
    for f in figures:
        gate = f.get_attribute("data-gate")
        assert f.find_elements("css selector", "canvas"), f"{gate}: no canvas"
        assert f.find_elements("css selector", "svg.overlay"), f"{gate}: no svg.overlay"
        assert f.find_elements("css selector", f'.gate-shape[data-gate="{gate}"]'), f"{gate}: no outline"
    assert css(driver, "figure.plot[data-gate=BCells] circle.handle[data-gate][data-handle]"), "B-cell gate has no handle"
    assert css(driver, "#counts tr[data-population=BCells] td.count")
    assert css(driver, "#counts tr[data-population=BCells] td.percent")
    assert review.get_attribute("data-state") == "ready"
    assert not console_errors(driver.get_log("browser"))


def test_every_canvas_has_coloured_pixels(session, driver, server):
    open_review(driver, server)
    canvases = css(driver, "figure.plot[data-gate] canvas")
    assert canvases
    for c in canvases:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", c)
        frac, w, h = coloured_fraction(c.screenshot_as_png)
        gate = driver.execute_script("return arguments[0].closest('figure.plot').dataset.gate", c)
        assert w > 20 and h > 20, (gate, w, h)
        assert frac > 0.002, f"canvas of {gate} ({w}×{h}) looks blank: {frac:.4%} coloured pixels"


def _drag_handle(driver):
    from selenium.webdriver.common.action_chains import ActionChains
    handles = css(driver, "figure.plot[data-gate=BCells] circle.handle")
    by = {h.get_attribute("data-handle"): h for h in handles}
    # The lower CD19 bound: a 1-D cut, or the rectangle's lower x side; else the first handle.
    name = next((n for n in ("cut", "min0") if n in by), handles[0].get_attribute("data-handle"))
    handle = by[name]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", handle)
    ActionChains(driver).click_and_hold(handle).move_by_offset(10, 0).move_by_offset(15, 0) \
        .move_by_offset(15, 0).release().perform()
    return name


def test_drag_b_cell_gate_recounts(session, driver, server):
    open_review(driver, server)
    before = count_of(driver, "BCells")
    watch_states(driver)
    handle = _drag_handle(driver)
    wait_for(driver, lambda d: count_of(d, "BCells") != before, timeout=20,
             message=f"BCells count stayed {before} after dragging handle {handle}")
    wait_for(driver, lambda d: one(d, "#review").get_attribute("data-state") == "ready", timeout=20)
    after = count_of(driver, "BCells")
    states = driver.execute_script("return window.__states")
    assert "busy" in states and states[-1] == "ready", states
    if handle in ("cut", "min0"):
        assert after < before, f"moving the lower CD19 bound right raised BCells {before} → {after}"
    assert not console_errors(driver.get_log("browser"))


def test_population_row_highlights(session, driver, server):
    review = open_review(driver, server)
    one(driver, "#counts tr[data-population=BCells]").click()
    wait_for(driver, lambda d: one(d, "#review").get_attribute("data-highlight") == "BCells", timeout=5)
    assert review.get_attribute("data-highlight") == "BCells"


def test_review_screenshot(session, driver, server, tmp_path):
    """The README's screenshot of the review page (REVIEW_SCREENSHOT=PATH keeps it)."""
    open_review(driver, server)
    png = driver.get_screenshot_as_png()
    frac, w, h = coloured_fraction(png)
    assert (w, h) == WINDOW or w == WINDOW[0], (w, h)
    assert frac > 0.001
    path = os.environ.get("REVIEW_SCREENSHOT") or str(tmp_path / "review.png")
    with open(path, "wb") as f:
        f.write(png)


def test_approve_needs_reviewer(session, driver, server):
    open_review(driver, server)
    versions = api_versions(driver, PATIENT, "day-007")
    shown = history_versions(driver)
    one(driver, "#reviewer").clear()
    one(driver, "#reason").clear()
    one(driver, "#approve").click()
    time.sleep(1)

    def refused(d):
        err = css(d, "#error")
        if err and err[0].is_displayed() and err[0].text.strip():
            return True
        return bool(d.execute_script("const r = document.getElementById('reviewer'); return r.validationMessage || ''"))
    wait_for(driver, refused, timeout=5, message="approving with no reviewer showed no error")
    assert api_versions(driver, PATIENT, "day-007") == versions, "a version was saved without a reviewer"
    assert history_versions(driver) == shown
    assert not one(driver, "#save-result").text.strip() or "version" not in one(driver, "#save-result").text.lower()


def test_approve_with_hostile_reviewer(session, driver, server):
    open_review(driver, server)
    before_api = api_versions(driver, PATIENT, "day-007")
    before = history_versions(driver)
    record_alerts(driver)
    one(driver, "#reviewer").send_keys(HOSTILE)
    one(driver, "#reason").send_keys("CD19 cut checked against the T cells")
    one(driver, "#approve").click()
    wait_for(driver, lambda d: len(history_versions(d)) > len(before), timeout=20,
             message="#history did not grow after approving")
    after_api = api_versions(driver, PATIENT, "day-007")
    assert len(after_api) == len(before_api) + 1, (before_api, after_api)
    new = max(after_api)
    result = one(driver, "#save-result").text
    assert re.search(rf"\b{new}\b", result), f"#save-result does not name version {new}: {result!r}"
    assert new in history_versions(driver)
    li = one(driver, f'#history li[data-version="{new}"]')
    assert HOSTILE in li.text, li.text
    # Nothing ran and no <img> was made from the name.
    assert driver.execute_script("return window.__alerts") == []
    assert driver.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") == 0
    from selenium.common.exceptions import NoAlertPresentException
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text
    assert not console_errors(driver.get_log("browser"))
    # Back on the cohort, the visit reads approved.
    driver.get(server.origin + "/")
    wait_for(driver, lambda d: css(d, f'tr[data-patient="{PATIENT}"][data-visit="day-007"] .review-status'), timeout=10)
    status = one(driver, f'tr[data-patient="{PATIENT}"][data-visit="day-007"] .review-status').text.strip().lower()
    assert status == "approved", status
