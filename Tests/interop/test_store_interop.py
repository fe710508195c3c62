"""Interop: h5py and h5dump read a CytoReset cohort store and find the layout and values
documented in docs/store-schema.md.

Run by `make test` (scripts/interop.sh) in the .venv-h5py venv. Needs:
  CYTORESET   path of the cytoreset binary
Builds its own store: a simulated 3-visit timeline (manifest ingest), a re-analysis with
another cut (analysis version 2), one visit with --keep-events, and a truncated file whose
failure record (analyze --on-failure record) is merged into the failures table, and a lab and
an events CSV imported into the clinical tables (clinical import), one lab value then corrected,
and a visit without a count given its dual-platform count by a lab ALC (schema 1.4).
"""
import csv
import hashlib
import io
import json
import math
import os
import subprocess

import h5py
import numpy as np
import pytest

BIN = os.environ["CYTORESET"]


def run(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"cytoreset {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("store")
    run("simulate", "--timeline", "--patient", "P01", "--seed", "11", "--days=-7,14,120", "--events", "5000",
        "-o", str(d / "P01"))
    s = str(d / "cohort.h5")
    run("ingest", "--manifest", str(d / "P01" / "P01.visits.csv"), "--store", s, "--diagnosis", "SLE",
        "--infusion-date", "2026-01-10", "--age", "34", "--sex", "F")
    # Re-analysis of day 120 with another CD19 cut: a second analysis version.
    run("ingest", str(d / "P01" / "P01_day+120.fcs"), "--store", s, "--patient", "P01", "--day", "120",
        "--beads-per-test", "50000", "--blood-ul", "50", "--cut", "CD19=0.3")
    run("simulate", "-o", str(d / "e.fcs"), "--events", "5000", "--seed", "3")
    run("ingest", str(d / "e.fcs"), "--store", s, "--patient", "P02", "--day", "28", "--alc", "1500", "--keep-events")
    # A file that cannot be analysed: its failure record merged into /failures.
    (d / "bad.fcs").write_bytes((d / "e.fcs").read_bytes()[:4000])
    run("analyze", str(d / "bad.fcs"), "--patient", "P02", "--day", "56", "--alc", "1500", "--format", "json",
        "-o", str(d / "bad.analysis.json"), "--on-failure", "record")
    run("ingest", "--analyses", str(d / "bad.analysis.json"), "--store", s)
    # Clinical data (schema 1.3): a date turned into a day with P01's infusion date, a bound, a
    # free analyte, hostile text; then a corrected IgG (a second version).
    (d / "labs.csv").write_text('patient,date,day,analyte,value,unit,lloq,method,source\n'
                                'P01,2026-01-24,,IgG,420,mg/dL,,nephelometry,"Lab ""A"", <b>ward</b>"\n'
                                'P01,,14,CAR,<0.5,copies/\u00b5g DNA,0.5,ddPCR,\n'
                                'P01,,14,Sodium,140,mmol/L,,,\n'
                                'P01,,28,ALC,0.8,G/L,,,\n', encoding="utf-8")
    run("clinical", "import", "--store", s, str(d / "labs.csv"))
    (d / "labs-corrected.csv").write_text('patient,day,analyte,value,unit,source\n'
                                          'P01,14,IgG,4.6,g/L,"Lab ""A"", <b>ward</b>"\n', encoding="utf-8")
    run("clinical", "import", "--store", s, str(d / "labs-corrected.csv"))
    (d / "events.csv").write_text('patient,start,end,kind,grade,dose,dose_unit,value,detail,source\n'
                                  'P01,1,3,CRS,2,,,,"fever, <script>x</script>\nline 2",ward\n'
                                  'P01,60,,IVIG,,0.4,g/kg,,,\n'
                                  'P01,90,,disease-activity,,,,2,SLEDAI-2K,\n', encoding="utf-8")
    run("clinical", "import", "--store", s, str(d / "events.csv"))
    # Schema 1.4: a visit without a count of its own takes a lab ALC of the day after (window ±1
    # day): a second analysis version derived from the first, recorded in series/visits.
    run("simulate", "-o", str(d / "p3.fcs"), "--events", "5000", "--seed", "4")
    run("ingest", str(d / "p3.fcs"), "--store", s, "--patient", "P03", "--day", "7")
    (d / "labs-p03.csv").write_text('patient,day,analyte,value,unit,source\nP03,8,ALC,1.2,10^9/L,hem\n', encoding="utf-8")
    run("clinical", "import", "--store", s, str(d / "labs-p03.csv"))
    return {"path": s, "dir": d}


def test_root_and_patient_attributes(store):
    with h5py.File(store["path"], "r") as f:
        assert f.attrs["schema"] == "cytoreset.store"
        assert f.attrs["schema_version"] == "1.4"
        assert sorted(f["patients"].keys()) == ["P01", "P02", "P03"]
        p = f["patients/P01"]
        assert p.attrs["diagnosis"] == "SLE"
        assert list(p.attrs["infusion_dates"]) == ["2026-01-10"]
        assert p.attrs["age"] == 34 and p.attrs["sex"] == "F"
        assert "diagnosis" not in f["patients/P02"].attrs


def test_visits_and_provenance(store):
    with h5py.File(store["path"], "r") as f:
        visits = f["patients/P01/visits"]
        assert sorted(visits.keys()) == ["day+014", "day+120", "day-007"]
        v = visits["day+014"]
        assert v.attrs["day"] == 14.0 and v.attrs["infusion"] == 1
        assert v.attrs["file_name"] == "P01_day+014.fcs"
        with open(store["dir"] / "P01" / "P01_day+014.fcs", "rb") as fcs:
            assert v.attrs["file_sha256"] == hashlib.sha256(fcs.read()).hexdigest()
        assert v.attrs["current_analysis"] == 1
        a = v["analyses/1"]
        assert a.attrs["panel_sha256"] in f["panels"]
        assert json.loads(f["panels"][a.attrs["panel_sha256"]][0])["name"] == "reset"
        for name in ["panel", "panel_version", "gating_hash", "cytoreset_version", "analysis_time", "count_method",
                     "analyst_note", "analysis_key", "b_cell_aplasia", "analysis_json"]:
            assert name in a.attrs, name
        assert a.attrs["panel"] == "reset"
        assert a.attrs["count_method"] == "single-platform"
        assert a.attrs["beads_per_test"] == 50000.0 and a.attrs["blood_ul"] == 50.0
        assert len(a.attrs["gating_hash"]) == 64
        analysis = json.loads(a.attrs["analysis_json"])
        assert analysis["schema"] == "cytoreset.analysis/2"
        assert analysis["gating"]["instrument"]["kind"] == "conventional"
        assert any(g["id"] == "Lymphocytes" and g["status"] == "found" for g in analysis["gating"]["gates"])
        assert set(a["diagnostics"].dtype.names) == {"severity", "code", "message"}
        assert set(a["cuts"].dtype.names) == {"name", "marker", "value", "method", "note"}
        # Re-analysis with another gating: version 2 beside version 1, nothing overwritten.
        v120 = visits["day+120"]
        assert sorted(v120["analyses"].keys()) == ["1", "2"]
        assert v120.attrs["current_analysis"] == 2
        assert v120["analyses/1"].attrs["gating_hash"] != v120["analyses/2"].attrs["gating_hash"]


def test_population_table_and_lloq(store):
    with h5py.File(store["path"], "r") as f:
        t = f["patients/P01/visits/day+014/analyses/1/populations"][()]
        for name in ["id", "path", "parent", "count", "parent_count", "pct_parent", "pct_of", "pct_lymphocytes",
                     "per_ul", "per_ul_less_than", "per_ul_lower95", "per_ul_upper95", "per_ul_method", "below_lloq"]:
            assert name in t.dtype.names, name
        assert t.dtype["below_lloq"] == np.bool_
        ids = [x.decode() for x in t["id"]]
        b = t[ids.index("BCells")]
        # Aplastic day 14: below the LLOQ is NaN + a bound + the flag, never 0.
        assert b["below_lloq"]
        assert math.isnan(b["per_ul"])
        assert b["per_ul_less_than"] > 0
        assert b["per_ul_method"].decode() == "single-platform"
        lym = t[ids.index("Lymphocytes")]
        assert not lym["below_lloq"] and lym["per_ul"] > 0 and math.isnan(lym["per_ul_less_than"])


def test_series_match_the_cli(store):
    out = run("series", "--store", store["path"], "--patient", "P01", "--format", "json").stdout
    doc = json.loads(out)
    with h5py.File(store["path"], "r") as f:
        series = f["patients/P01/series"]
        assert "visits" in series and "cd19_per_ul" in series and "car_pct_cd3" in series
        for s in doc["series"]:
            ds = series[s["metric"]]
            assert ds.attrs["unit"] == s["unit"]
            rows = ds[()]
            assert list(rows["day"]) == sorted(rows["day"]) == [-7.0, 14.0, 120.0]
            for row, point in zip(rows, s["points"]):
                if point.get("value") is not None:
                    assert row["value"] == point["value"]
                    assert not row["below_lloq"]
                else:
                    assert math.isnan(row["value"])
                    if point.get("belowLLOQ"):
                        assert row["below_lloq"] and row["less_than"] == point["lessThan"]
        assert series["cd19_per_ul"].attrs["unit"] == "cells/µL"
        assert list(series["cd19_per_ul"]["analysis"]) == [1, 1, 2]
        calls = series["visits"][()]
        assert [x.decode() for x in calls["visit"]] == ["day-007", "day+014", "day+120"]


def read_fcs_float32(path):
    """(events × parameters float64 array of linear values, (detectors, spillover matrix)) of a
    little-endian float32 list-mode FCS 3.x file such as `cytoreset simulate` writes."""
    b = path.read_bytes()
    t0, t1 = int(b[10:18]), int(b[18:26])
    text = b[t0:t1 + 1]
    parts = text[1:].split(text[:1])
    kw = {k.decode().upper(): v.decode() for k, v in zip(parts[0::2], parts[1::2])}
    assert kw["$DATATYPE"] == "F" and kw["$BYTEORD"] == "1,2,3,4"
    n, p = int(kw["$TOT"]), int(kw["$PAR"])
    d0 = int(kw["$BEGINDATA"])
    raw = np.frombuffer(b[d0:d0 + 4 * n * p], dtype="<f4").reshape(n, p).astype(np.float64)
    f = kw["$SPILLOVER"].split(",")
    k = int(f[0])
    # Linear values: the time parameter × $TIMESTEP.
    for j in range(p):
        if kw.get(f"$P{j + 1}N", "").lower() == "time" and "$TIMESTEP" in kw:
            raw[:, j] *= float(kw["$TIMESTEP"])
    return raw, (f[1:1 + k], np.array([float(x) for x in f[1 + k:]]).reshape(k, k))


def test_kept_events_and_masks(store):
    with h5py.File(store["path"], "r") as f:
        v = f["patients/P02/visits/day+028"]
        ev = v["events"]
        channels = list(ev.attrs["channels"])
        assert ev.dtype == np.float32 and ev.shape[0] == len(channels) and ev.shape[1] == v.attrs["events"]
        assert ev.compression == "gzip" and ev.compression_opts == 1 and ev.shuffle
        assert ev.chunks == (1, ev.shape[1])
        assert ev.attrs["compensated"] == "file spillover"
        # The stored values are the file's, compensated by its $SPILLOVER (computed here from
        # the FCS bytes): fluorochromes compensated, scatter and time linear.
        raw, spill = read_fcs_float32(store["dir"] / "e.fcs")
        names = [c.decode() if isinstance(c, bytes) else c for c in channels]
        detectors, matrix = spill
        comp = raw[:, [names.index(x) for x in detectors]] @ np.linalg.inv(matrix)
        stored = ev[()]
        for j, name in enumerate(names):
            expect = comp[:, detectors.index(name)] if name in detectors else raw[:, j]
            assert np.allclose(stored[j], expect, rtol=1e-5, atol=1e-2), name
        assert not np.allclose(stored[names.index(detectors[0])], raw[:, names.index(detectors[0])])
        masks = v["analyses/1/masks"]
        n = masks.attrs["events"]
        t = v["analyses/1/populations"][()]
        ids = [x.decode() for x in t["id"]]
        for pop in ["Lymphocytes", "TCells", "BCells"]:
            bits = np.unpackbits(masks[pop][()], bitorder="little")[:n]
            assert int(bits.sum()) == int(t[ids.index(pop)]["count"]), pop
        assert v["analyses/1"].attrs["count_method"] == "dual-platform"
        assert v["analyses/1"].attrs["alc_per_ul"] == 1500.0


def test_export_store_is_tidy(store):
    out = run("export-store", "--store", store["path"], "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    flow = [r for r in rows if r["record"] == "flow"]
    with h5py.File(store["path"], "r") as f:
        expected = sum(len(f[f"patients/{p}/series/{m}"]) for p in f["patients"] for m in f[f"patients/{p}/series"] if m != "visits")
        labs, events = f["clinical/labs"][()], f["clinical/events"][()]
        current = sum(1 for v in labs["superseded_by"] if v == -1) + sum(1 for v in events["superseded_by"] if v == -1)
    assert len(flow) == expected
    assert len(rows) == expected + current and {r["record"] for r in rows} == {"flow", "lab", "event"}
    crs = next(r for r in rows if r["record"] == "event" and r["metric"] == "CRS")
    assert crs["detail"] == "fever, <script>x</script>\nline 2" and crs["grade"] == "2" and crs["day"] == "1" and crs["end_day"] == "3"
    igg = next(r for r in rows if r["record"] == "lab" and r["metric"] == "IgG")
    assert igg["value"] == "4.6" and igg["unit"] == "g/L" and igg["version"] == "2" and igg["loinc"] == "2465-3"
    car = next(r for r in rows if r["record"] == "lab" and r["metric"] == "CAR transgene")
    assert car["value"] == "" and car["less_than"] == "0.5" and car["below_lloq"] == "true"
    r = next(r for r in rows if r["patient"] == "P01" and r["day"] == "14" and r["metric"] == "cd19_per_ul")
    assert r["value"] == "" and r["below_lloq"] == "true" and float(r["less_than"]) > 0


def test_h5dump_reads_the_layout(store):
    header = subprocess.run(["h5dump", "-H", store["path"]], capture_output=True, text=True, check=True).stdout
    assert 'GROUP "patients"' in header and 'GROUP "day+014"' in header and 'DATASET "cd19_per_ul"' in header
    attr = subprocess.run(["h5dump", "-a", "/schema_version", store["path"]], capture_output=True, text=True, check=True).stdout
    assert '"1.4"' in attr
    data = subprocess.run(["h5dump", "-d", "/patients/P01/series/cd19_per_ul", store["path"]], capture_output=True,
                          text=True, check=True).stdout
    for field in ["infusion", "day", "analysis", "value", "less_than", "below_lloq", "lower95", "upper95", "events"]:
        assert f'"{field}"' in data, field


def test_failures_table(store):
    """/failures: one row per file that could not be analysed, strings as h5py str."""
    bad = store["dir"] / "bad.fcs"
    with h5py.File(store["path"], "r") as f:
        t = f["failures"]
        assert t.attrs["description"].startswith("FCS files that could not be analysed")
        assert list(t.dtype.names) == ["patient", "infusion", "day", "visit", "collection_date", "note", "file", "file_name",
                                       "file_sha256", "file_size", "data_set", "code", "message", "cytoreset_version",
                                       "failure_time", "failure_key", "status", "recorded_time", "resolved_analysis",
                                       "resolved_time"]
        assert len(t) == 1
        r = t[0]
        s = lambda name: r[name].decode() if isinstance(r[name], bytes) else r[name]
        assert s("patient") == "P02" and r["infusion"] == 1 and r["day"] == 56.0 and s("visit") == "day+056"
        assert s("file") == str(bad) and s("file_name") == "bad.fcs" and r["file_size"] == 4000
        assert s("file_sha256") == hashlib.sha256(bad.read_bytes()).hexdigest()
        assert s("code") == "fcs.truncated" and s("message").startswith("DATA: ")
        assert s("status") == "open" and r["resolved_analysis"] == -1 and s("resolved_time") == ""


def test_clinical_tables(store):
    """/clinical/labs, /clinical/events and /clinical/imports: canonical units, bounds as NaN + less_than,
    versions with superseded_by, hostile text verbatim."""
    dec = lambda v: v.decode() if isinstance(v, bytes) else v
    with h5py.File(store["path"], "r") as f:
        labs = f["clinical/labs"]
        assert list(labs.dtype.names) == ["patient", "day", "date", "analyte", "vocabulary", "loinc", "value", "less_than",
                                          "greater_than", "below_lloq", "unit", "lloq", "value_as_given", "unit_as_given",
                                          "factor", "method", "source", "line", "version", "superseded_by", "import_sha256"]
        t = labs[()]
        rows = {(dec(r["analyte"]), int(r["version"])): r for r in t if dec(r["patient"]) == "P01"}
        old, new = rows[("IgG", 1)], rows[("IgG", 2)]
        assert old["day"] == 14.0 and dec(old["date"]) == "2026-01-24" and old["value"] == 4.2 and dec(old["unit"]) == "g/L"
        assert dec(old["loinc"]) == "2465-3" and old["factor"] == 0.01 and dec(old["value_as_given"]) == "420"
        assert dec(old["source"]) == 'Lab "A", <b>ward</b>' and old["superseded_by"] == 2
        assert new["value"] == 4.6 and new["superseded_by"] == -1 and dec(new["import_sha256"]) == hashlib.sha256(
            (store["dir"] / "labs-corrected.csv").read_bytes()).hexdigest()
        car = rows[("CAR transgene", 1)]
        assert math.isnan(car["value"]) and car["less_than"] == 0.5 and car["below_lloq"] and math.isnan(car["greater_than"])
        assert dec(car["loinc"]) == "" and dec(car["unit"]) == "copies/\u00b5g DNA"
        na = rows[("Sodium", 1)]
        assert not na["vocabulary"] and na["value"] == 140 and dec(na["unit"]) == "mmol/L" and math.isnan(na["factor"])
        assert rows[("ALC", 1)]["value"] == 800 and dec(rows[("ALC", 1)]["unit"]) == "cells/\u00b5L"
        e = f["clinical/events"][()]
        assert [dec(k) for k in e["kind"]] == ["CRS", "IVIG", "disease-activity"]
        assert e["grade"][0] == 2 and e["end_day"][0] == 3.0 and dec(e["detail"][0]) == "fever, <script>x</script>\nline 2"
        assert e["dose"][1] == 0.4 and dec(e["dose_unit"][1]) == "g/kg" and e["grade"][1] == -1 and math.isnan(e["end_day"][1])
        assert e["value"][2] == 2.0 and dec(e["detail"][2]) == "SLEDAI-2K"
        imports = f["clinical/imports"][()]
        assert [dec(n) for n in imports["file_name"]] == ["labs.csv", "labs-corrected.csv", "events.csv", "labs-p03.csv"]
        assert [dec(k) for k in imports["kind"]] == ["labs", "labs", "events", "labs"]
        assert list(imports["added"]) == [4, 0, 3, 1] and list(imports["new_versions"]) == [0, 1, 0, 0]


def test_lab_alc_counts(store):
    """Schema 1.4: the lab ALC of a lab-derived dual-platform count in series/visits (lab_alc_*),
    and the derived analysis version (derived_from, derivation, labCount in analysis_json)."""
    dec = lambda v: v.decode() if isinstance(v, bytes) else v
    with h5py.File(store["path"], "r") as f:
        t = f["patients/P03/series/visits"][()]
        assert [dec(m) for m in t["count_method"]] == ["dual-platform"]
        assert t["lab_alc_per_ul"][0] == 1200.0 and t["lab_alc_day"][0] == 8.0
        assert dec(t["lab_alc_source"][0]) == "hem" and t["lab_alc_version"][0] == 1 and t["analysis"][0] == 2
        v = f["patients/P03/visits/day+007"]
        assert v.attrs["current_analysis"] == 2
        a1, a2 = v["analyses/1"], v["analyses/2"]
        assert a1.attrs["count_method"] == "none" and "derived_from" not in a1.attrs
        assert a2.attrs["count_method"] == "dual-platform" and a2.attrs["alc_per_ul"] == 1200.0
        assert a2.attrs["derived_from"] == 1 and a2.attrs["derivation"].startswith("dual-platform count from lab ALC 1200 cells/µL (day 8")
        lab = json.loads(a2.attrs["analysis_json"])["labCount"]
        assert lab == {"labDay": 8, "lymphocytesPerMicroliter": 1200, "method": "", "source": "hem", "version": 1,
                       "visitDaySinceFirstInfusion": 7, "windowDays": 1}
        lymph = f["patients/P03/series/lymphocytes_per_ul"][()]
        assert abs(lymph["value"][0] - 1200.0) < 1e-9
        # Bead-counted visits keep their method; their lab columns are empty.
        p1 = f["patients/P01/series/visits"][()]
        assert all(math.isnan(x) for x in p1["lab_alc_per_ul"]) and all(dec(x) == "" for x in p1["lab_alc_source"])
        assert list(p1["lab_alc_version"]) == [-1, -1, -1]
