"""The demo patient report renders in headless Chromium (Debian's chromium package): the page
loads with no console errors, and every chart is drawn — each inline SVG chart, screenshotted
on its own, has coloured (data) pixels, not only axes and text (issue #6).

Builds its own small cohort with the binary: `simulate --timeline` (1 patient, 9 visits, with
its labs and events CSV), `ingest --manifest`, `clinical import` (the simulated labs and events
plus an events file whose detail and source are hostile markup), `report --fcs-dir`. The report
then has every panel of the clinical timeline (issue #16): cells, CAR transgene, IgG with IVIG,
adverse events and treatments. Needs CYTORESET (binary path); CHROMIUM optional (default:
chromium on PATH). Writes the full-page screenshot to REPORT_SCREENSHOT if set.
"""
import os
import re
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "support"))
from png_rgb import decode_png  # noqa: E402

import pytest

BIN = os.environ["CYTORESET"]
# Markup in an event's detail and source: must show as text, never become an element or run.
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script> & 'q'"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true", reason="chromium not installed")


def run(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    assert p.returncode == 0, f"cytoreset {' '.join(args)} failed: {p.stderr}"
    return p


def chromium_screenshot(html_path, png_path, width, height):
    """Screenshot of a local page; returns Chromium's stderr (console messages are logged there)."""
    p = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr",
                        "--v=0", f"--screenshot={png_path}", f"--window-size={width},{height}", "file://" + str(html_path)],
                       capture_output=True, text=True, timeout=120)
    assert os.path.exists(png_path), f"no screenshot: {p.stderr[-2000:]}"
    return p.stderr


def top_level_svgs(html):
    out, depth, start = [], 0, None
    for m in re.finditer(r"<svg\b|</svg>", html):
        if m.group(0) == "</svg>":
            depth -= 1
            if depth == 0:
                out.append(html[start:m.end()])
        else:
            if depth == 0:
                start = m.start()
            depth += 1
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    run("simulate", "--timeline", "--patient", "P01", "--seed", "11", "--events", "8000", "-o", str(tmp / "visits" / "P01"))
    run("ingest", "--manifest", str(tmp / "visits" / "P01" / "P01.visits.csv"), "--store", str(tmp / "cohort.h5"),
        "--diagnosis", "SLE <script>alert(1)</script>")
    run("clinical", "import", "--store", str(tmp / "cohort.h5"), "--kind", "labs", str(tmp / "visits" / "P01" / "P01.labs.csv"))
    run("clinical", "import", "--store", str(tmp / "cohort.h5"), "--kind", "events", str(tmp / "visits" / "P01" / "P01.events.csv"))
    (tmp / "hostile.csv").write_text("patient,start,end,kind,grade,dose,dose_unit,value,detail,source\n"
                                     f'P01,30,33,infection,,,,,"{HOSTILE}","{HOSTILE}"\n'
                                     f'P01,5,,tocilizumab,,8,mg/kg,,"{HOSTILE}",ward\n')
    run("clinical", "import", "--store", str(tmp / "cohort.h5"), "--kind", "events", str(tmp / "hostile.csv"))
    run("report", "--store", str(tmp / "cohort.h5"), "--patient", "P01", "--fcs-dir", str(tmp / "visits"), "-o", str(tmp / "P01.html"))
    return tmp, (tmp / "P01.html").read_text()


def test_page_loads_without_console_errors(report):
    tmp, html = report
    assert "<script" not in html and "&lt;script&gt;" in html
    log = chromium_screenshot(tmp / "P01.html", tmp / "page.png", 1200, 2600)
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line or "net::ERR" in line]
    assert not console, console
    head = open(tmp / "page.png", "rb").read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (1200, 2600)
    if os.environ.get("REPORT_SCREENSHOT"):
        shutil.copy(tmp / "page.png", os.environ["REPORT_SCREENSHOT"])


def test_every_chart_is_drawn(report):
    tmp, html = report
    charts = top_level_svgs(html)
    # Timeline: cells, CAR transgene, IgG + IVIG, events; then B cells, CAR T /µL, CAR T %CD3, subsets, T cells (+ QC plots).
    assert len(charts) >= 9
    titles = [re.search(r"<title>([^<]*)</title>", svg).group(1) for svg in charts[:9]]
    assert titles[:4] == ["CD19⁺ B cells and CAR T cells per µL", "CAR transgene copies per µg DNA", "Serum IgG (g/L) and IVIG doses",
                          "Adverse events (ASTCT grade) and treatments"], titles
    for i, svg in enumerate(charts[:9]):
        w = int(float(re.search(r'width="([\d.]+)"', svg).group(1)))
        h = int(float(re.search(r'height="([\d.]+)"', svg).group(1)))
        page = tmp / f"chart{i}.html"
        page.write_text(f'<!doctype html><html><body style="margin:0;background:#fff">{svg}</body></html>')
        chromium_screenshot(page, tmp / f"chart{i}.png", w, h)
        _, _, rows = decode_png((tmp / f"chart{i}.png").read_bytes())
        coloured = sum(1 for row in rows for (r, g, b) in row if max(r, g, b) - min(r, g, b) > 40)
        total = w * h
        assert coloured > 0.001 * total, f"chart {i} ({w}×{h}) looks blank: {coloured} coloured pixels"


def test_timeline_panels_have_their_marks(report):
    _, html = report
    charts = top_level_svgs(html)
    cells, transgene, igg, events = charts[:4]
    assert cells.count("<circle") >= 6 and transgene.count("<circle") >= 3  # measured points
    assert "copies/µg DNA" in transgene and "&lt; LLOQ (bound)" in transgene  # late values below the ddPCR LLOQ
    assert "<title>IgG &lt; 4 g/L</title>" in igg and igg.count(">IVIG 0.4 g/kg</text>") == 3  # band, one line per dose
    assert 'fill="none" stroke="#E69F00"' in igg  # readings within 28 days of IVIG ringed
    assert re.search(r'<rect [^>]*fill="#F6D55C" stroke="#333"><title>CRS grade 1, day 2–', events)  # grade-1 CRS bar
    assert ">infection</text>" in events and ">tocilizumab</text>" in events


def test_hostile_event_text_is_shown_not_executed(report):
    tmp, html = report
    assert "<img" not in html and "<script" not in html
    escaped = "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt; &amp; &#39;q&#39;"
    assert escaped in html
    p = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + str(tmp / "P01.html")],
                       capture_output=True, text=True, timeout=120)
    dom = p.stdout
    assert "</html>" in dom, p.stderr[-2000:]
    # The live DOM has no injected element: the markup is text in a table cell and a tooltip.
    assert "<img" not in dom and "<script" not in dom
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in dom


def test_cohort_overview_has_the_clinical_table(report):
    tmp, _ = report
    run("report", "--store", str(tmp / "cohort.h5"), "--cohort", "-o", str(tmp / "cohort.html"))
    html = (tmp / "cohort.html").read_text()
    assert '<section id="clinical">' in html and "<script" not in html
    # P01: grade-1 CRS from day 2, no ICANS, B cells back (a day), three IVIG doses = 84 days ÷ 30.4375 = 2.8 months.
    row = re.search(r"<tr><td>P01</td>(.*?)</tr>", html.split('<section id="clinical">')[1]).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells[:6] == ["grade 1", "2", cells[2], "none", "—", "—"] and cells[2] in ("2", "3"), cells
    assert re.fullmatch(r"\d+(\.\d)?", cells[6]) and cells[7:] == ["3", "2.8"], cells
