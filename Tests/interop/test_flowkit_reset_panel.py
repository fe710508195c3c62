"""Reset-panel interop: FlowKit 1.3 and CytoReset's analysis give the same counts, event for
event, on simulated reset-panel files, each gated with the Gating-ML 2.0 strategy the analysis
resolved for that file (markers found by $PnS, per-sample valley cuts) — issue #3/#4.

Fixtures from the Swift test `writeResetPanelInteropFixtures`: <name>.fcs, <name>.xml (the
resolved strategy) and <name>.counts.tsv (the counts `analyze` gated). The strategy uses
rectangles, polygons (vertices where no event lies) and quadrants, compensation-ref="FCS"
and logicle, and no bounds — what FlowKit implements as Gating-ML 2.0 specifies.
"""
import os
import warnings

import flowkit as fk
import pytest

FIX = os.environ["CYTORESET_INTEROP_DIR"]
warnings.filterwarnings("ignore")
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")


def manifest():
    with open(os.path.join(FIX, "reset-manifest.txt")) as f:
        return [line.strip() for line in f if line.strip()]


def analysis_counts(name):
    with open(os.path.join(FIX, name + ".counts.tsv")) as f:
        return {k: int(v) for k, v in (line.rstrip("\n").split("\t") for line in f if line.strip())}


@pytest.mark.parametrize("name", manifest())
def test_flowkit_counts_equal_the_analysis(name):
    sample = fk.Sample(os.path.join(FIX, name + ".fcs"))
    strategy = fk.parse_gating_xml(os.path.join(FIX, name + ".xml"))
    report = strategy.gate_sample(sample).report
    theirs = {row.gate_name: int(row.count) for row in report.itertuples()}
    ours = analysis_counts(name)
    assert set(ours) == set(theirs)
    differ = {p: (ours[p], theirs[p]) for p in ours if ours[p] != theirs[p]}
    assert not differ, f"{name}: counts differ (CytoReset, FlowKit): {differ}"


def test_fixtures_cover_the_clinical_states():
    base, aplasia, recovery = (analysis_counts(n) for n in ("reset-baseline", "reset-aplasia", "reset-recovery"))
    assert base["BCells"] > 500 and base["CART"] == 0 and base["Beads"] > 1000
    # In aplasia there are too few B cells to place the CD27/IgD cuts: no naive gate at all.
    assert aplasia.get("NaiveB", 0) == 0 and aplasia["CART"] > 500
    assert recovery["TransitionalB"] > 10 and recovery["NaiveB"] > 0.8 * recovery["BCells"]
