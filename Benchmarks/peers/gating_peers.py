#!/usr/bin/env python3
"""Gating benchmark: CytoReset vs FlowKit 1.3.2 vs flowutils' functions, on the same files and gates.

Tasks (each a fresh child process; the parent reads the child's peak RSS with os.wait4):
  comp    compensation with the file's $SPILLOVER + logicle (T 262144, W 0.5, M 4.5, A 0) of the
          12 marker channels; events already in memory, the load is not timed.
            CytoReset  CompensationMatrix.compensated + ScaleTransform.forward, Float32 in/out
            FlowKit    Sample.apply_compensation(Matrix) + Sample.apply_transform(LogicleTransform)
            flowutils  flowutils.compensate.compensate + flowutils.transforms.logicle (float64)
  engine  compensation + logicle + the 10 gates (Benchmarks/strategies/bench-10-gates.xml),
          file already loaded: CytoReset GatingEngine.evaluate; FlowKit GatingStrategy.gate_sample
  gates   the 10 gates on the pre-transformed file (bench-10-gates-pretransformed.xml), loaded:
            CytoReset  GatingEngine.evaluate
            FlowKit    GatingStrategy.gate_sample
            flowutils  flowutils.gating.points_in_polygon for the polygons (on the parent's
                       events), numpy comparisons for rectangles and the quadrant, numpy logic
                       for the Boolean gates
  e2e     parse + compensation + logicle + gates: CytoReset FCSFile + GatingInput + evaluate;
          FlowKit Sample(path) + parse_gating_xml + gate_sample

Every tool must produce the same population counts (gates) or the same sum of the transformed
values to 1 part in 10⁶ (comp); the script stops otherwise.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STRATS = os.path.join(os.path.dirname(HERE), "strategies")
XML_A = os.path.join(STRATS, "bench-10-gates.xml")
XML_B = os.path.join(STRATS, "bench-10-gates-pretransformed.xml")

COMMON = r"""
import sys, time, resource, warnings
warnings.filterwarnings("ignore")
import numpy as np
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
task, path, xml = sys.argv[1], sys.argv[2], sys.argv[3]
def done(t, n, checksum, counts):
    print(f"{t:.6f} {n} {checksum!r} {base}")
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
"""

FLOWKIT = COMMON + r"""
import flowkit as fk
def counts_of(results):
    return {row.gate_name: int(row.count) for row in results.report.itertuples()}
if task == "comp":
    s = fk.Sample(path)
    m = fk.Matrix(s.metadata["spillover"], [s.pnn_labels[i] for i in s.fluoro_indices])
    xf = fk.transforms.LogicleTransform(param_t=262144, param_w=0.5, param_m=4.5, param_a=0)
    t0 = time.perf_counter()
    s.apply_compensation(m)
    s.apply_transform(xf)
    t = time.perf_counter() - t0
    x = s.get_events(source="xform")[:, s.fluoro_indices]
    done(t, s.event_count, float(np.sum(x, dtype=np.float64)), {})
elif task in ("engine", "gates"):
    s = fk.Sample(path)
    strategy = fk.parse_gating_xml(xml)
    t0 = time.perf_counter()
    r = strategy.gate_sample(s)
    t = time.perf_counter() - t0
    done(t, s.event_count, 0, counts_of(r))
elif task == "e2e":
    t0 = time.perf_counter()
    s = fk.Sample(path)
    strategy = fk.parse_gating_xml(xml)
    r = strategy.gate_sample(s)
    t = time.perf_counter() - t0
    done(t, s.event_count, 0, counts_of(r))
"""

FLOWUTILS = COMMON + r"""
import flowio
from flowutils import compensate, transforms, gating
fd = flowio.FlowData(path)
x = fd.as_array(preprocess=False)  # float64, events x channels (not timed)
names = list(fd.pnn_labels)
col = {n: i for i, n in enumerate(names)}
if task == "comp":
    sp = fd.text["spillover"].split(",")
    k = int(sp[0])
    det = sp[1:k + 1]
    spill = np.array([float(v) for v in sp[k + 1:]]).reshape(k, k)
    idx = [col[d] for d in det]
    t0 = time.perf_counter()
    c = compensate.compensate(x, spill, idx)
    c = transforms.logicle(c, idx, t=262144, m=4.5, w=0.5, a=0)
    t = time.perf_counter() - t0
    done(t, x.shape[0], float(np.sum(c[:, idx], dtype=np.float64)), {})
elif task == "gates":
    def v(name): return x[:, col[name]]
    def polygon(parent, xn, yn, verts):
        m = np.zeros(len(x), dtype=bool)
        sel = np.flatnonzero(parent) if parent is not None else slice(None)
        pts = x[sel][:, [col[xn], col[yn]]]
        m[sel] = gating.points_in_polygon(np.array(verts, dtype=np.float64), pts)
        return m
    t0 = time.perf_counter()
    cells = polygon(None, "FSC-A", "SSC-A", [(30000.5, -1000.5), (262000.5, -1000.5), (262000.5, 262000.5),
                                             (80000.5, 262000.5), (25000.5, 50000.5)])
    singlets = polygon(cells, "FSC-A", "FSC-H", [(20000.5, 12000.5), (262000.5, 190000.5), (262000.5, 262100.5),
                                                 (20000.5, 26000.5)])
    live = singlets & (v("BV510-A") < 0.45013)
    lymph = polygon(live, "PerCP-Cy5.5-A", "SSC-A", [(0.50013, -1000.5), (0.95017, -1000.5), (0.95017, 30000.5),
                                                     (0.55011, 26000.5)])
    cd3, cd19 = v("FITC-A"), v("PE-A")
    tcells = lymph & (cd3 >= 0.45131) & (cd19 < 0.44871)
    cd4p, cd8p = v("BV421-A") >= 0.45011, v("APC-A") >= 0.44989
    cd4t, cd8t = tcells & cd4p & ~cd8p, tcells & ~cd4p & cd8p
    dpt, dnt = tcells & cd4p & cd8p, tcells & ~cd4p & ~cd8p
    bcells = polygon(lymph, "PE-A", "APC-R700-A", [(0.46113, 0.44093), (0.95131, 0.44093), (0.95131, 0.94871),
                                                   (0.58117, 0.94871), (0.46113, 0.70019)])
    nk = lymph & (v("PE-Cy7-A") >= 0.45071) & (cd3 < 0.45131)
    sp = tcells & (cd4t | cd8t)
    ntnb = lymph & ~tcells & ~bcells
    t = time.perf_counter() - t0
    masks = dict(Cells=cells, Singlets=singlets, Live=live, Lymphocytes=lymph, TCells=tcells, CD4T=cd4t,
                 CD8T=cd8t, DPT=dpt, DNT=dnt, BCells=bcells, NK=nk, SinglePositiveT=sp, NonTNonB=ntnb)
    done(t, x.shape[0], 0, {k: int(m.sum()) for k, m in masks.items()})
"""

TOOLS = {
    "comp": ["CytoReset", "FlowKit", "flowutils"],
    "engine": ["CytoReset", "FlowKit"],
    "gates": ["CytoReset", "FlowKit", "flowutils"],
    "e2e": ["CytoReset", "FlowKit"],
}
TITLES = {
    "comp": "compensation + logicle, 12 channels",
    "engine": "compensation + logicle + 10 gates (file loaded)",
    "gates": "10 gates on pre-transformed events (file loaded)",
    "e2e": "end to end: parse + compensation + logicle + 10 gates",
}


def run_child(argv):
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate()
    _, status, usage = os.wait4(p.pid, 0) if p.returncode is None else (0, 0, None)
    return p, out, err


def measure(tool, task, path, gate_once, python):
    xml = XML_B if task == "gates" else XML_A
    if tool == "CytoReset":
        argv = [gate_once, task, path]
    else:
        argv = [python, "-c", FLOWKIT if tool == "FlowKit" else FLOWUTILS, task, path, xml]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tool} {task} {path} failed:\n{err}")
    lines = out.splitlines()
    f = lines[0].split()
    counts = dict(kv.split("=") for kv in (lines[1].split() if len(lines) > 1 else []))
    return {"time": float(f[0]), "events": int(f[1]), "sum": float(f[2]),
            "base_rss": int(f[3]) * 1024 if len(f) > 3 else None,
            "rss": usage.ru_maxrss * 1024, "counts": {k: int(v) for k, v in counts.items()}}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gate-once", required=True)
    ap.add_argument("--python", default=sys.executable, help="interpreter with flowkit and flowutils")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--slow-runs", type=int, default=1, help="runs of FlowKit and flowutils on files of 10⁷ events")
    ap.add_argument("--append", help="append the markdown section to this file")
    ap.add_argument("--label", action="append", default=[], help="file label, e.g. 1e6x16 (repeatable)")
    ap.add_argument("--data", required=True)
    args = ap.parse_args()

    results = []  # (label, task, {tool: best})
    for label in args.label:
        raw = os.path.join(args.data, f"bench-{label}-f32.fcs")
        pre = os.path.join(args.data, f"bench-{label}-pre-f32.fcs")
        for task in ["comp", "gates", "engine", "e2e"]:
            path = pre if task == "gates" else raw
            runs = {t: [] for t in TOOLS[task]}
            big = label.startswith("1e7")
            for i in range(args.runs):
                for tool in TOOLS[task]:
                    if tool != "CytoReset" and big and i >= args.slow_runs:
                        continue
                    m = measure(tool, task, path, args.gate_once, args.python)
                    runs[tool].append(m)
                    print(f"  {label} {task:6s} run {i + 1}/{args.runs} {tool:9s} {m['time']:.3f} s {m['rss'] / 1e6:.0f} MB",
                          file=sys.stderr, flush=True)
            ref = runs["CytoReset"][0]
            for tool, ms in runs.items():
                for m in ms:
                    if m["events"] != ref["events"]:
                        raise SystemExit(f"{tool} {task} {label}: {m['events']} events, CytoReset {ref['events']}")
                    if task == "comp":
                        if abs(m["sum"] - ref["sum"]) > 1e-6 * abs(ref["sum"]):
                            raise SystemExit(f"{tool} {task} {label}: sum {m['sum']!r}, CytoReset {ref['sum']!r}")
                    elif m["counts"] != ref["counts"]:
                        diff = {k: (ref["counts"].get(k), m["counts"].get(k)) for k in set(ref["counts"]) | set(m["counts"])
                                if ref["counts"].get(k) != m["counts"].get(k)}
                        raise SystemExit(f"{tool} {task} {label}: counts differ (CytoReset, {tool}): {diff}")
            best = {t: {"time": min(m["time"] for m in ms), "rss": min(m["rss"] for m in ms), "runs": len(ms),
                        "base_rss": min((m["base_rss"] or 0) for m in ms)} for t, ms in runs.items()}
            results.append((label, task, ref["events"], best, ref["counts"]))

    text = "\n".join(report(results, args)) + "\n"
    print(text)
    if args.append:
        with open(args.append, "a") as f:
            f.write("\n" + text)
        print(f"appended to {args.append}", file=sys.stderr)


def fmt_time(s):
    return f"{s * 1000:.1f} ms" if s < 0.1 else f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def report(results, args):
    import flowkit, flowutils, numpy, platform
    L = ["# Gating benchmarks: CytoReset vs FlowKit vs flowutils", ""]
    L.append("Generated by `Benchmarks/peers/gating_peers.py` (run by `Benchmarks/peers/run-peers.sh`); do not edit "
             "by hand. Same machine as above. Peers: "
             f"FlowKit {flowkit.__version__}, flowutils {flowutils.__version__}, numpy {numpy.__version__}, "
             f"Python {platform.python_version()} (`Benchmarks/.venv-gating`, pinned in "
             "`Benchmarks/peers/requirements-gating.txt`).")
    L.append("")
    L.append("Data: the 16-channel benchmark files (FSC-A, FSC-H, SSC-A, 12 fluorescence channels mixed through a "
             "12-colour `$SPILLOVER`, Time). Strategy: `Benchmarks/strategies/bench-10-gates.xml`, written by "
             "`GatingBench.strategy` with `GatingML.write`: 10 gates — 4 polygons (Cells, Singlets, Lymphocytes, "
             "BCells), 3 rectangles (Live, TCells, NK), 1 quadrant gate (CD4CD8: 4 populations), 2 Boolean (or, and "
             "with complements) — 13 populations; marker dimensions `compensation-ref=\"FCS\"` + logicle "
             "(T 262144, W 0.5, M 4.5, A 0). *Pre-transformed*: `bench-…-pre-f32.fcs` holds the compensated, "
             "logicle-transformed values (Float32) and `bench-10-gates-pretransformed.xml` the same geometry on "
             "plain dimensions.")
    L.append("")
    L.append(f"Best of {args.runs} runs (FlowKit and flowutils on 10⁷ events: {args.slow_runs}), each a fresh process, files in "
             "the page cache. *Time* excludes reading the file except in *end to end*. *Peak RSS* is the whole "
             "process (`getrusage` of the child, including the file load and, for Python, the interpreter with "
             "numpy/FlowKit). *×* = peer time / CytoReset time. Every tool gives the same 13 population counts "
             "(asserted); for *comp* the sums of the 12 transformed columns agree to 1 part in 10⁶.")
    L.append("")
    L.append("| events | task | CytoReset time | CytoReset events/s | CytoReset peak RSS | FlowKit time | FlowKit peak RSS "
             "| FlowKit × | flowutils time | flowutils peak RSS | flowutils × |")
    L.append("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for label, task, n, best, counts in results:
        c = best["CytoReset"]
        row = [f"{n:,}", TITLES[task], fmt_time(c["time"]), f"{n / c['time'] / 1e6:.1f} M", f"{c['rss'] / 1e6:.0f} MB"]
        for tool in ["FlowKit", "flowutils"]:
            if tool in best:
                b = best[tool]
                row += [fmt_time(b["time"]), f"{b['rss'] / 1e6:.0f} MB", f"{b['time'] / c['time']:.1f}×"]
            else:
                row += ["—", "—", "—"]
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    for label, task, n, best, counts in results:
        if task == "gates":
            L.append(f"Population counts, {n:,} events: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())) + ".")
            L.append("")
    return L


if __name__ == "__main__":
    main()
