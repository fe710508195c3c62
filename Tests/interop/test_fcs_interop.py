"""Interop: files CytoReset writes read back identically in flowio and fcsparser, and
files flowio writes read identically in CytoReset.

Run by `make test` (scripts/interop.sh). Needs:
  CYTORESET            path of the cytoreset binary
  CYTORESET_INTEROP_DIR  fixtures written by the Swift test `writeInteropFixtures`
  CYTORESET_SHARED     ../shared/testdata (optional; more cases when present)
"""
import csv
import io
import os
import subprocess
import warnings

import flowio
import fcsparser
import numpy as np
import pytest

BIN = os.environ["CYTORESET"]
FIX = os.environ["CYTORESET_INTEROP_DIR"]
SHARED = os.environ.get("CYTORESET_SHARED", "")

warnings.filterwarnings("ignore")


def manifest():
    with open(os.path.join(FIX, "manifest.txt")) as f:
        return [line.strip() for line in f if line.strip()]


def run(*args, check=True):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"cytoreset {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def cytoreset_csv(path, *extra):
    out = run("export", path, "--format", "csv", *extra).stdout
    rows = list(csv.reader(io.StringIO(out)))
    header, body = rows[0], rows[1:]
    arr = np.array([[float(x) for x in r] for r in body], dtype=np.float64).reshape(len(body), len(header))
    return header, arr


def flowio_raw(path):
    fd = flowio.FlowData(path, ignore_offset_error=True)
    arr = np.array(fd.events, dtype=np.float64) if not hasattr(fd, "as_array") else fd.as_array(preprocess=False)
    return fd, np.asarray(arr, dtype=np.float64).reshape(fd.event_count, fd.channel_count)


@pytest.mark.parametrize("name", manifest())
def test_flowio_reads_cytoreset_files(name):
    path = os.path.join(FIX, name)
    fd, arr = flowio_raw(path)
    header, ours = cytoreset_csv(path)
    assert fd.channel_count == len(header)
    assert [fd.channels[i + 1]["pnn"] for i in range(fd.channel_count)] == header
    assert np.array_equal(arr.astype(np.float32).view(np.uint32), ours.astype(np.float32).view(np.uint32))
    bits_path = path + ".bits"
    if os.path.exists(bits_path):
        with open(bits_path) as f:
            want = np.array([[int(x) for x in line.split()] for line in f if line.strip()], dtype=np.uint32)
        want = want.reshape(fd.event_count, fd.channel_count)
        assert np.array_equal(arr.astype(np.float32).view(np.uint32), want)


@pytest.mark.parametrize("name", manifest())
def test_fcsparser_reads_cytoreset_files(name):
    path = os.path.join(FIX, name)
    meta, df = fcsparser.parse(path, reformat_meta=False, channel_naming="$PnN")
    header, ours = cytoreset_csv(path)
    assert list(df.columns) == header
    assert int(meta["$TOT"]) == ours.shape[0]
    assert np.array_equal(df.to_numpy(dtype=np.float32).view(np.uint32), ours.astype(np.float32).view(np.uint32))


def test_cytoreset_reads_flowio_files(tmp_path):
    rng = np.random.default_rng(3)
    data = rng.uniform(-100, 262144, size=(777, 5)).astype(np.float32)
    path = str(tmp_path / "from-flowio.fcs")
    with open(path, "wb") as fh:
        flowio.create_fcs(fh, data.flatten().tolist(), ["A", "B", "C", "D", "E"], opt_channel_names=["m1", "m2", "m3", "m4", "m5"])
    header, ours = cytoreset_csv(path)
    assert header == ["A", "B", "C", "D", "E"]
    assert np.array_equal(ours.astype(np.float32), data)
    info = run("info", path, "--json").stdout
    assert '"label": "m3"' in info


def test_anonymized_file_reads_identically(tmp_path):
    src = os.path.join(FIX, "demo-sample.fcs")
    dst = str(tmp_path / "anon.fcs")
    run("anonymize", src, "-o", dst, "--dates", "remove")
    a_fd, a = flowio_raw(dst)
    _, o = flowio_raw(src)
    assert np.array_equal(a, o)
    assert "src" not in a_fd.text and "date" not in a_fd.text
    meta, df = fcsparser.parse(dst, reformat_meta=False)
    assert "$SRC" not in meta


SHARED_FILES = [
    "fcs/FCS_3.0_Fortessa_PBS_Specimen_001_A1_A01.fcs",
    "fcs/Cytek_NL-2000.fcs",
    "fcs/G11.fcs",
    "fcs/3FITC_4PE_004.fcs",
    "fcs/coulter.lmd",
]


@pytest.mark.skipif(not SHARED, reason="../shared/testdata not present")
@pytest.mark.parametrize("rel", SHARED_FILES)
def test_exported_shared_files_read_in_peers(rel, tmp_path):
    src = os.path.join(SHARED, rel)
    out = str(tmp_path / "export.fcs")
    run("export", src, "--format", "fcs", "-o", out)
    _, ours = cytoreset_csv(src)
    fd, theirs = flowio_raw(out)
    assert np.array_equal(theirs.astype(np.float32), ours.astype(np.float32))
    meta, df = fcsparser.parse(out, reformat_meta=False, channel_naming="$PnN")
    assert np.array_equal(df.to_numpy(dtype=np.float32), ours.astype(np.float32))
