"""FlowJo workspace export interop: a workspace `cytoreset workspace export` writes opens in
FlowKit 1.3.2 (`Workspace(...).analyze_samples()`) with the counts `cytoreset analyze` reports,
population by population, matched by path.

Files: the simulated reset-panel fixtures of `writeResetPanelInteropFixtures` (reset panel) and,
when ../shared/testdata is present (CYTORESET_SHARED), every FCS file in realdata/ and FlowSOM's
68983.fcs with `--panel auto`. Besides `analyze`'s reported populations, every population of the
workspace must have FlowKit's count equal to the `count` CytoReset wrote.
"""
import glob
import json
import os
import subprocess
import warnings
import xml.etree.ElementTree as ET

import flowkit as fk
import pytest

BIN = os.environ["CYTORESET"]
FIX = os.environ["CYTORESET_INTEROP_DIR"]
SHARED = os.environ.get("CYTORESET_SHARED", "")
warnings.filterwarnings("ignore")
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def cases():
    out = []
    with open(os.path.join(FIX, "reset-manifest.txt")) as f:
        for name in (line.strip() for line in f if line.strip()):
            out.append(pytest.param(os.path.join(FIX, name + ".fcs"), "reset", id=name))
    if SHARED:
        real = sorted(glob.glob(os.path.join(SHARED, "realdata", "*", "*.fcs")))
        real.append(os.path.join(SHARED, "flowjo", "flowsom_68983", "68983.fcs"))
        for path in real:
            out.append(pytest.param(path, "auto", id=os.path.basename(path)))
    else:
        print("SKIP: ../shared/testdata not found; FlowKit workspace interop on the simulated files only")
    return out


def run(args):
    r = subprocess.run([BIN] + args, capture_output=True, text=True)
    assert r.returncode == 0, f"cytoreset {' '.join(args)}: exit {r.returncode}: {r.stderr}"
    return r.stdout


def saved_counts(wsp):
    """Path -> `count` of every population node CytoReset wrote."""
    out = {}

    def walk(el, path):
        subs = el.find("Subpopulations")
        for child in (subs if subs is not None else []):
            if child.tag in ("Population", "AndNode", "OrNode", "NotNode"):
                p = path + "/" + child.attrib["name"]
                out[p] = int(child.attrib["count"])
                walk(child, p)

    for node in ET.parse(wsp).getroot().iter("SampleNode"):
        walk(node, "")
    return out


@pytest.mark.parametrize("fcs,panel", cases())
def test_flowkit_counts_equal_analyze(fcs, panel, tmp_path):
    wsp = str(tmp_path / (os.path.splitext(os.path.basename(fcs))[0] + ".wsp"))
    run(["workspace", "export", fcs, "--panel", panel, "-o", wsp])
    analysis = json.loads(run(["analyze", fcs, "--panel", panel, "--format", "json"]))["analyses"][0]
    ours = {p["path"]: p["count"] for p in analysis["populations"]}

    ws = fk.Workspace(wsp, fcs_samples=fcs, filename_as_id=True)
    ws.analyze_samples()
    sample_id = os.path.basename(fcs)
    report = ws.get_gating_results(sample_id).report
    theirs = {"/" + "/".join(list(r.gate_path[1:]) + [r.gate_name]): int(r.count) for r in report.itertuples()}

    assert ours, f"{fcs}: analyze reported no population"
    missing = sorted(set(ours) - set(theirs))
    assert not missing, f"{fcs}: populations not in FlowKit's results: {missing}"
    differ = {p: (ours[p], theirs[p]) for p in ours if ours[p] != theirs[p]}
    assert not differ, f"{fcs}: counts differ (analyze, FlowKit): {differ}"

    saved = saved_counts(wsp)
    assert set(saved) == set(theirs)
    differ = {p: (saved[p], theirs[p]) for p in saved if saved[p] != theirs[p]}
    assert not differ, f"{fcs}: counts differ (workspace count, FlowKit): {differ}"
