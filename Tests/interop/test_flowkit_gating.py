"""Gating interop: FlowKit 1.3 and `cytoreset gate` give the same populations, event for event,
on the project's synthetic panel files with the project's Gating-ML 2.0 strategy (issue #3).

The files and the strategy come from the Swift test `writeInteropFixtures`
(`DemoFiles.panelSample` / `DemoFiles.panelStrategy`, committed as
testdata/gating/panel-strategy.xml): 50,000 events, 11 fluorescence channels with a $SPILLOVER
applied to the data, float32 with gain 1 (so FlowKit's preprocessed "raw" events are exactly
the scaled values CytoReset gates). Three compositions: baseline (B cells, no CAR T cells),
B-cell aplasia (0 B cells, CAR T cells) and reconstitution (few, mostly transitional B cells).

The strategy uses what both implement the same way: polygon, rectangle, ellipse, quadrant and
and/or/not Boolean gates (with use-as-complement), parents (including a quadrant as a parent
and Boolean gates with a parent), compensation-ref="FCS", logicle and fasinh. It leaves out
three FlowKit 1.3 deviations from Gating-ML 2.0 that the compliance suite covers on its own:
  * Events exactly on a polygon edge or vertex are inside (Gating-ML 2.0 section 5.3.2);
    FlowUtils' points_in_polygon keeps only the left/bottom edges. The panel's polygons have
    vertices where no event lies and its values are continuous, so no event is on an edge
    (if one ever were, the membership diff below names it).
  * transforms:boundMin/boundMax are ignored by FlowKit: the strategy has no bounds.
  * A Boolean gate whose parent_id is also one of its operands makes parse_gating_xml fail
    (NetworkXNoPath: the parent edge is removed with the Boolean edges), so MatureNaiveB is
    `not TransitionalB` under NaiveB rather than `NaiveB and not TransitionalB`.
(Also, FlowKit compensates every dimension of a gate once any dimension has a compensation-ref;
the Lymphocytes polygon mixes FCS-compensated CD45 with uncompensated SSC-A, which is safe only
because SSC-A is not in the spillover matrix.)

Run by scripts/interop.sh in .venv-flowkit. Needs:
  CYTORESET              path of the cytoreset binary
  CYTORESET_INTEROP_DIR  fixtures written by `writeInteropFixtures` (gating-manifest.txt)
"""
import json
import os
import subprocess
import warnings

import flowkit as fk
import numpy as np
import pytest

BIN = os.environ["CYTORESET"]
FIX = os.environ["CYTORESET_INTEROP_DIR"]
STRATEGY = os.path.join(FIX, "panel-strategy.xml")

warnings.filterwarnings("ignore")
# FlowKit divides by the parent count for quadrants of an empty parent (the aplasia file's B
# cells): a NaN percentage, not a count, so the warning is noise here.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")


def manifest():
    with open(os.path.join(FIX, "gating-manifest.txt")) as f:
        return [line.strip() for line in f if line.strip()]


@pytest.fixture(scope="module")
def cytoreset(tmp_path_factory):
    """cytoreset's results per manifest file, computed once for the module."""
    tmp = tmp_path_factory.mktemp("cytoreset-gate")
    return {name: cytoreset_gate(os.path.join(FIX, name), tmp / (name + ".membership.csv")) for name in manifest()}


def cytoreset_gate(path, members):
    """Counts (population id -> count), event count and per-event membership from cytoreset."""
    members = str(members)
    p = subprocess.run([BIN, "gate", path, "--gating", STRATEGY, "--format", "json", "--membership", members],
                       capture_output=True, text=True)
    assert p.returncode == 0, f"cytoreset gate failed ({p.returncode}): {p.stderr}"
    doc = json.loads(p.stdout)
    assert doc["schema"] == "cytoreset.gate/1"
    (result,) = doc["files"]
    counts = {pop["population"]: pop["count"] for pop in result["populations"]}
    with open(members) as f:
        header = f.readline().strip().split(",")
    table = np.loadtxt(members, delimiter=",", skiprows=1, dtype=np.uint8, ndmin=2).astype(bool)
    return counts, result["eventCount"], {name: table[:, i] for i, name in enumerate(header)}


def flowkit_gate(path):
    """Counts and membership from FlowKit: its default Sample preprocessing, the same XML."""
    sample = fk.Sample(path)
    strategy = fk.parse_gating_xml(STRATEGY)
    results = strategy.gate_sample(sample)
    report = results.report
    counts = {row.gate_name: int(row.count) for row in report.itertuples()}
    assert len(counts) == len(report), "FlowKit reports a gate id twice"
    members = {name: np.asarray(results.get_gate_membership(name), dtype=bool) for name in counts}
    return counts, sample.event_count, members


@pytest.mark.parametrize("name", manifest())
def test_population_counts_equal_flowkit(name, cytoreset):
    ours, n_ours, our_members = cytoreset[name]
    theirs, n_theirs, their_members = flowkit_gate(os.path.join(FIX, name))
    assert n_ours == n_theirs == 50_000
    assert set(ours) == set(theirs)
    assert len(ours) == 22

    differ = {p: (ours[p], theirs[p]) for p in ours if ours[p] != theirs[p]}
    # Which events, for the failure message: index, and whether cytoreset / FlowKit include it.
    events = {}
    for p in ours:
        diff = np.flatnonzero(our_members[p] != their_members[p])
        if diff.size:
            events[p] = [(int(e), bool(our_members[p][e]), bool(their_members[p][e])) for e in diff[:5]]
    assert not differ, f"{name}: counts differ (cytoreset, FlowKit): {differ}; events (index, cytoreset, FlowKit): {events}"
    assert not events, f"{name}: same counts but different events (index, cytoreset, FlowKit): {events}"
    for p in ours:
        assert int(our_members[p].sum()) == ours[p]


def test_panel_files_cover_the_clinical_states(cytoreset):
    """The comparison is not vacuous: each file has the populations its composition promises."""
    counts = {name: result[0] for name, result in cytoreset.items()}
    base, aplasia, recon = counts["panel-baseline.fcs"], counts["panel-aplasia.fcs"], counts["panel-reconstitution.fcs"]
    assert base["BCells"] > 1000 and base["CART"] == 0 and base["MemoryB"] > 300
    assert aplasia["BCells"] == 0 and aplasia["NaiveB"] == 0 and aplasia["CART"] > 500
    assert 0 < recon["CART"] < 200 and recon["TransitionalB"] > 100 and recon["NaiveB"] > 0.8 * recon["BCells"]
    for c in counts.values():
        assert c["Lymphocytes"] > 10_000 and c["CD45posNonLymph"] > 10_000 and c["NonTNonB"] > 1000
        assert c["CD4T"] + c["CD8T"] == c["SinglePositiveT"]
        assert c["TransitionalB"] + c["MatureNaiveB"] == c["NaiveB"]
