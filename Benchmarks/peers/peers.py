#!/usr/bin/env python3
"""CytoReset vs flowio vs fcsparser on the same FCS files.

Every measurement is a fresh child process that loads its reader, then times one parse of
one file and prints the seconds; the parent reads the child's peak RSS from os.wait4
(getrusage of that child alone). The best (smallest) time and peak RSS of --runs runs
are reported. Runs are interleaved (CytoReset, flowio, fcsparser, CytoReset, ...) so that
load from other processes on the machine hits all readers alike.

What each reader does (the work a user would do to get the events into memory):
  CytoReset  FCSFile(contentsOf:) + dataSets[0].events(.raw, as: Float.self)
             -> column-major Float32 matrix (Benchmarks/Sources/parse-once)
  flowio     flowio.FlowData(path).as_array(preprocess=False)
             -> event-major float64 numpy array (flowio always widens to float64)
  fcsparser  fcsparser.parse(path, reformat_meta=False)
             -> pandas DataFrame, float32 columns

Each child also prints a checksum (the float64 sum of all values) so that the parent can
check that the three readers decoded the same numbers.

Usage: peers.py --parse-once PATH [--runs N] [--out docs/benchmarks.md] FILE...
"""
import argparse
import os
import platform
import re
import subprocess
import sys
import time

CHILD_PY = {
    "flowio": r"""
import sys, time, resource
import numpy as np, flowio
path = sys.argv[1]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
fd = flowio.FlowData(path)
a = fd.as_array(preprocess=False)
t = time.perf_counter() - t0
print(f"{t:.6f} {a.shape[0]} {a.shape[1]} {float(np.sum(a, dtype=np.float64))!r} {base}")
""",
    "fcsparser": r"""
import sys, time, resource
import numpy as np, fcsparser
path = sys.argv[1]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
meta, df = fcsparser.parse(path, reformat_meta=False)
t = time.perf_counter() - t0
print(f"{t:.6f} {df.shape[0]} {df.shape[1]} {float(np.sum(df.to_numpy(), dtype=np.float64))!r} {base}")
""",
}

READERS = ["CytoReset", "flowio", "fcsparser"]


def run_child(argv):
    """Runs argv, returns (stdout fields, peak RSS in bytes) of that process alone."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"{argv[0]} {argv[-1]} failed ({p.returncode}):\n{err}")
    return out.split(), usage.ru_maxrss * 1024  # ru_maxrss is KiB on Linux


def measure(reader, path, parse_once):
    if reader == "CytoReset":
        fields, rss = run_child([parse_once, "--sum", path])
        base = None
    else:
        fields, rss = run_child([sys.executable, "-c", CHILD_PY[reader], path])
        base = int(fields[4]) * 1024
    return {"time": float(fields[0]), "events": int(fields[1]), "channels": int(fields[2]),
            "sum": float(fields[3]), "rss": rss, "base_rss": base}


def machine():
    cpu = "unknown"
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and cpu == "unknown":
                    cpu = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    fl = line.split(":", 1)[1].split()
                    flags = " ".join(x for x in ("avx2", "fma", "avx512f", "avx512bw") if x in fl)
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1)) * 1024
    except (OSError, AttributeError):
        pass
    try:
        swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0].strip()
    except (OSError, IndexError):
        swift = "unknown"
    thp = ""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            thp = f.read().strip()
    except OSError:
        pass
    import numpy, pandas, flowio, fcsparser  # noqa: E401 (versions for the record)
    return {
        "cpu": f"{cpu} ({flags})" if flags else cpu,
        "cores": os.cpu_count(),
        "ram": f"{mem / 2**30:.1f} GiB",
        "kernel": f"{platform.system()} {platform.release()}, transparent huge pages: {thp}",
        "swift": swift,
        "python": f"Python {platform.python_version()}, numpy {numpy.__version__}, pandas {pandas.__version__}, "
                  f"flowio {flowio.__version__}, fcsparser {getattr(fcsparser, '__version__', '0.2.8')}",
        "load": os.getloadavg(),
    }


def fmt_time(s):
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def fmt_mb(b):
    return f"{b / 1e6:.0f} MB"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parse-once", required=True, help="the release parse-once executable")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", help="write the markdown report here")
    ap.add_argument("--command", default="Benchmarks/peers/run-peers.sh", help="command shown in the report")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    results = {}
    for path in args.files:
        size = os.path.getsize(path)
        runs = {r: [] for r in READERS}
        for i in range(args.runs):
            for r in READERS:
                m = measure(r, path, args.parse_once)
                runs[r].append(m)
                print(f"  {os.path.basename(path)} run {i + 1}/{args.runs} {r:9s} {m['time']:.3f} s "
                      f"{m['rss'] / 1e6:.0f} MB", file=sys.stderr, flush=True)
        ref = runs["CytoReset"][0]
        for r in READERS:
            for m in runs[r]:
                if (m["events"], m["channels"]) != (ref["events"], ref["channels"]):
                    raise SystemExit(f"{r} read {m['events']}x{m['channels']} from {path}, "
                                     f"CytoReset {ref['events']}x{ref['channels']}")
                if abs(m["sum"] - ref["sum"]) > 1e-6 * max(1.0, abs(ref["sum"])):
                    raise SystemExit(f"{r} checksum {m['sum']!r} differs from CytoReset's {ref['sum']!r} on {path}")
        best = {r: {"time": min(m["time"] for m in runs[r]), "rss": min(m["rss"] for m in runs[r]),
                    "base_rss": min((m["base_rss"] or 0) for m in runs[r])} for r in READERS}
        results[path] = {"size": size, "events": ref["events"], "channels": ref["channels"], "best": best,
                         "data_bytes": ref["events"] * ref["channels"] * 4}

    info = machine()
    lines = report(results, info, args)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
        print(f"wrote {args.out}", file=sys.stderr)


def report(results, info, args):
    L = []
    L.append("# Parse benchmarks: CytoReset vs flowio vs fcsparser")
    L.append("")
    L.append("Generated by `Benchmarks/peers/peers.py`; do not edit by hand. To reproduce, from the repository root:")
    L.append("")
    L.append("```sh")
    L.append(args.command)
    L.append("```")
    L.append("")
    L.append("It builds `bench-data` and `parse-once` in release mode with `-Xswiftc -target-cpu -Xswiftc haswell`, "
             "writes the benchmark files into `Benchmarks/data/` with CytoReset's own `FCSWriter` (seeded, "
             "so every machine gets the same bytes), installs the pinned peers from "
             "`Benchmarks/peers/requirements.txt` into `Benchmarks/.venv-peers`, and measures. "
             f"`RUNS=N` sets the runs per reader and file (here {args.runs}).")
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append(f"- CPU: {info['cpu']}, {info['cores']} cores")
    L.append(f"- RAM: {info['ram']}")
    L.append(f"- OS: {info['kernel']}")
    L.append(f"- {info['swift']}")
    L.append(f"- {info['python']}")
    la = info["load"]
    L.append(f"- load average when the report was written: {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}")
    L.append("")
    L.append("## Results")
    L.append("")
    L.append(f"Best of {args.runs} runs per reader and file; each run is a fresh process and the file is in the page "
             "cache (warm). *Time* is the parse alone, measured inside the process after the reader is loaded. "
             "*GB/s* is DATA bytes (events × channels × 4) per second, 1 GB = 10⁹ bytes. *Peak RSS* is the "
             "whole process (`getrusage` of the child); the Python readers' figure includes the interpreter with "
             "numpy and pandas loaded (baseline below). *×* is the peer's time divided by CytoReset's.")
    L.append("")
    L.append("| file | size | events × channels | CytoReset time | CytoReset events/s | CytoReset GB/s | "
             "CytoReset peak RSS | flowio time | flowio peak RSS | fcsparser time | fcsparser peak RSS | "
             "flowio × | fcsparser × |")
    L.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for path, r in results.items():
        b = r["best"]
        c, f, p = b["CytoReset"], b["flowio"], b["fcsparser"]
        L.append(
            f"| `{os.path.basename(path)}` | {fmt_mb(r['size'])} | {r['events']:,} × {r['channels']} | "
            f"{fmt_time(c['time'])} | {r['events'] / c['time'] / 1e6:.0f} M | {r['data_bytes'] / c['time'] / 1e9:.2f} | "
            f"{fmt_mb(c['rss'])} | {fmt_time(f['time'])} | {fmt_mb(f['rss'])} | "
            f"{fmt_time(p['time'])} | {fmt_mb(p['rss'])} | "
            f"{f['time'] / c['time']:.1f}× | {p['time'] / c['time']:.1f}× |")
    L.append("")
    first = next(iter(results.values()))["best"]
    L.append("Peer throughput for the same files (events/s, GB/s of DATA):")
    L.append("")
    L.append("| file | flowio events/s | flowio GB/s | fcsparser events/s | fcsparser GB/s |")
    L.append("|---|--:|--:|--:|--:|")
    for path, r in results.items():
        b = r["best"]
        L.append(f"| `{os.path.basename(path)}` | {r['events'] / b['flowio']['time'] / 1e6:.1f} M | "
                 f"{r['data_bytes'] / b['flowio']['time'] / 1e9:.2f} | "
                 f"{r['events'] / b['fcsparser']['time'] / 1e6:.1f} M | "
                 f"{r['data_bytes'] / b['fcsparser']['time'] / 1e9:.2f} |")
    L.append("")
    L.append(f"Baseline RSS before parsing (interpreter and imports): flowio {fmt_mb(first['flowio']['base_rss'])}, "
             f"fcsparser {fmt_mb(first['fcsparser']['base_rss'])}. CytoReset's peak holds the memory-mapped file "
             "(the pages touched count as RSS) plus the Float32 matrix; flowio's holds the raw array plus the "
             "float64 copy it returns.")
    L.append("")
    L.append("All three readers are checked to return the same event and channel counts and the same sum of "
             "all values (to 1 part in 10⁶) on every run.")
    L.append("")
    L.append("## Notes")
    L.append("")
    L.append("- Timings on a shared VM vary by ±30–50 % from run to run; compare the ratios, which are measured "
             "interleaved under the same conditions.")
    L.append("- On the large files CytoReset's time is bound by memory traffic, not by decoding: the kernel "
             "zero-fills the fresh result matrix (about half of the time on this VM, even with transparent huge "
             "pages) and the transpose reads the mapped DATA once and writes the matrix once, about what a plain "
             "`memcpy` of DATA into a fresh buffer costs.")
    L.append("- The ordo-one/benchmark suite (`Benchmarks/run-benchmarks.sh`, target `FCSParse`) measures the same "
             "parse in-process with wall clock, throughput, CPU time, malloc count, peak RSS and custom "
             "events/s and MB/s metrics.")
    L.append("")
    return L


if __name__ == "__main__":
    main()
