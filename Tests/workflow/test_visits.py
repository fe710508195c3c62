"""The workflow's manifest reader (workflow/scripts/cytoreset_visits.py): the rules of
`cytoreset ingest --manifest`, and refusals that name the manifest and line."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "workflow", "scripts"))
from cytoreset_visits import ManifestError, load_visits, report_name  # noqa: E402


def manifest(tmp_path, text, name="m.csv"):
    p = tmp_path / "visits" / name
    p.parent.mkdir(exist_ok=True)
    p.write_text(text)
    return str(p)


def test_rows_become_visits_with_their_counts_and_paths(tmp_path):
    m = manifest(tmp_path, "file,patient,day,infusion,beads_per_test,blood_ul,alc,note\n"
                           "a.fcs,P01,-7,1,50000,50,,baseline\n"
                           "b.fcs,P01,14,1,,,1400,\n"
                           "/abs/c.fcs,P01,28.5,2,,,,\n")
    v = load_visits({"manifests": [m], "counts": {"alc": 1200}, "note": "run 3"})
    assert sorted(v) == ["P01_i1_d+014", "P01_i1_d-007", "P01_i2_d28.5"]
    a, b, c = v["P01_i1_d-007"], v["P01_i1_d+014"], v["P01_i2_d28.5"]
    assert a.path == os.path.join(os.path.dirname(m), "a.fcs") and c.path == "/abs/c.fcs"
    assert a.method == ["--beads-per-test", "50000", "--blood-ul", "50"] and a.note == "baseline"
    assert b.method == ["--alc", "1400"] and b.note == "run 3"
    assert c.method == ["--alc", "1200"] and c.day == 28.5 and c.infusion == 2
    args = a.analyze_args({"panel": "auto", "patients": {"P01": {"diagnosis": "SLE", "infusion_dates": ["2026-01-12"]}}})
    assert "--day -7 --infusion 1" in args and "--diagnosis SLE" in args
    assert "--infusion-date 2026-01-12" in args and "--panel auto" in args


def test_a_date_without_a_day_counts_from_the_infusion_date(tmp_path):
    m = manifest(tmp_path, "file,patient,collection_date,infusion\n"
                           "a.fcs,P02,2026-02-17,1\nb.fcs,P02,2026-01-27,1\n")
    v = load_visits({"manifests": [m], "patients": {"P02": {"infusion_dates": ["2026-02-03"]}}})
    assert sorted(x.day for x in v.values()) == [-7.0, 14.0]
    assert "--collection-date 2026-02-17" in v["P02_i1_d+014"].analyze_args({})
    with pytest.raises(ManifestError, match=r"m\.csv:2: a date without a day needs infusion date 1 of P02"):
        load_visits({"manifests": [m]})


def test_patient_defaults_and_a_workspace_as_the_panel(tmp_path):
    m = manifest(tmp_path, "file,patient,day\na.fcs,P01,7\nb.fcs,P02,7\n")
    config = {"manifests": [m], "patient_defaults": {"diagnosis": "SLE", "product": "CD19 CAR T"},
              "patients": {"P02": {"diagnosis": "myositis"}},
              "workspace": {"file": "lab.wsp", "roles": "bCells=B cells,tCells=T cells", "group": "All Samples"},
              "panel": "reset"}
    v = load_visits(config)
    p1, p2 = v["P01_i1_d+007"].analyze_args(config), v["P02_i1_d+007"].analyze_args(config)
    assert "--diagnosis SLE" in p1 and "--diagnosis myositis" in p2 and "--product 'CD19 CAR T'" in p2
    for args in (p1, p2):
        assert "--workspace lab.wsp --roles 'bCells=B cells,tCells=T cells' --group 'All Samples'" in args
        assert "--panel" not in args


def test_hostile_patient_ids_get_safe_distinct_keys_and_quoted_arguments(tmp_path):
    m = manifest(tmp_path, 'file,patient,day\na.fcs,"P 1; rm -rf ~",7\nb.fcs,P_1,7\nc.fcs,.hidden,7\n')
    v = load_visits({"manifests": [m]})
    assert len(v) == 3 and all("/" not in k and " " not in k and not k.startswith(".") for k in v)
    hostile = next(x for x in v.values() if x.patient.startswith("P 1"))
    assert "'P 1; rm -rf ~'" in hostile.analyze_args({})
    assert report_name("P 1; rm -rf ~") == "P_1__rm_-rf__"


@pytest.mark.parametrize("text, message", [
    ("patient,day\nP01,7\n", r"m\.csv: the header has no 'file' column"),
    ("file,patient,day\na.fcs,P01,seven\n", r"m\.csv:2: day 'seven' is not a number"),
    ("file,patient,day\na.fcs,P01,inf\n", r"m\.csv:2: day 'inf' is not a number"),
    ("file,day\na.fcs,7\n", r"m\.csv:2: no patient"),
    ("file,patient,day\na.fcs,../x,7\n", r"m\.csv:2: invalid patient id '../x'"),
    ("file,patient\na.fcs,P01\n", r"m\.csv:2: no day \(or date\)"),
    ("file,patient,day\na.fcs,P01,7\n\nb.fcs,P01,7.0\n", r"m\.csv:4: P01 infusion 1 day 7 is already listed at .*m\.csv:2"),
    ("file,patient,day\n", r"m\.csv: no visits"),
    ("", r"m\.csv: empty manifest"),
])
def test_bad_manifests_are_refused_naming_file_and_line(tmp_path, text, message):
    with pytest.raises(ManifestError, match=message):
        load_visits({"manifests": [manifest(tmp_path, text)]})


def test_no_manifest_is_refused():
    with pytest.raises(ManifestError, match="lists no visits manifest"):
        load_visits({"manifests": []})
