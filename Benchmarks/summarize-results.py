#!/usr/bin/env python3
"""One summary table (markdown) from `run-benchmarks.sh ... --format markdown` output.

    Benchmarks/run-benchmarks.sh all --format markdown --no-progress > run.md
    Benchmarks/summarize-results.py run.md > table.md
    Benchmarks/summarize-results.py --by-suite run.md    # one heading and table per suite

One row per benchmark with the medians (p50) of wall clock, CPU time, events/s, GB/s of DATA
(the suites record MB/s, custom metrics being integers), mallocs, peak resident memory and its
rise during the run, and the number of samples. Values are as precise as the tool printed them
(it scales each metric to K/M/G or ns/μs/ms/s and rounds to an integer); CPU time comes in
10 ms ticks.
"""
import re
import sys

TIME = {"ns": 1e-6, "μs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}
COUNT = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "#": 1.0}


def parse(lines):
    suite, name, rows = None, None, []
    results = []
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("## ") and not line.startswith("## Baseline"):
            suite = line[3:].strip()
        elif line.startswith("### "):
            name = line[4:].strip()
            rows = {}
            results.append((suite, name, rows))
        elif line.startswith("|") and name is not None and not line.startswith("|:"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0] == "Metric" or len(cells) < 9:
                continue
            label = cells[0].rstrip(" *").strip()
            m = re.match(r"^(.*?)\s*\(([^()]*)\)$", label)
            unit = None
            if m and (m.group(2) in TIME or m.group(2) in COUNT):
                label, unit = m.group(1).strip(), m.group(2)
            try:
                p50, samples = float(cells[3]), int(cells[8])
            except ValueError:
                continue
            if unit in TIME:
                value = p50 * TIME[unit]  # milliseconds
            elif unit in COUNT:
                value = p50 * COUNT[unit]
            else:
                value = p50
            rows[label] = value
            rows["samples"] = samples
    return results


def fmt_ms(ms):
    if ms is None:
        return ""
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 10:
        return f"{ms:.0f} ms"
    if ms >= 1:
        return f"{ms:.1f} ms"
    return f"{ms * 1000:.0f} µs"


def fmt_cpu(ms):
    # CPU time is counted in 10 ms ticks on Linux: 0 means less than one tick.
    return "< 10 ms" if ms == 0 else fmt_ms(ms)


def fmt_count(v, unit=""):
    if v is None:
        return ""
    for scale, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(v) >= scale:
            x = v / scale
            return (f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}") + suffix + unit
    return f"{v:.0f}{' ' + unit if unit else ''}"


def fmt_bytes(v):
    if v is None:
        return ""
    if v >= 1e9:
        return f"{v / 1e9:.2f} GB"
    if v >= 1e6:
        return f"{v / 1e6:.0f} MB"
    if v >= 1e3:
        return f"{v / 1e3:.0f} kB"
    return f"{v:.0f} B"


HEADER = "| wall p50 | CPU p50 | events/s | GB/s (DATA) | mallocs | peak RSS | RSS Δ | n |"
ALIGN = "|--:|--:|--:|--:|--:|--:|--:|--:|"


def cells(name, r):
    mbps = r.get("MB/s (DATA)")
    gbps = "" if mbps is None else f"{mbps / 1000:.2f}" if mbps < 100_000 else f"{mbps / 1000:.0f}"
    if "store kB" in r:
        name += f" (store {fmt_bytes(r['store kB'] * 1000)})"
    return (
        f"{name} | {fmt_ms(r.get('Time (wall clock)'))} | {fmt_cpu(r.get('Time (total CPU)'))} "
        f"| {fmt_count(r.get('events/s'))} | {gbps} | {fmt_count(r.get('Malloc (total)'))} "
        f"| {fmt_bytes(r.get('Memory (resident peak)'))} | {fmt_bytes(r.get('Memory Δ (resident peak)'))} | {r.get('samples', '')} |"
    )


def main():
    args = sys.argv[1:]
    by_suite = "--by-suite" in args
    args = [a for a in args if a != "--by-suite"]
    lines = open(args[0], encoding="utf-8") if args else sys.stdin
    results = parse(lines)
    if not by_suite:
        print("| suite | benchmark " + HEADER)
        print("|---|---" + ALIGN)
        for suite, name, r in results:
            print(f"| {suite} | " + cells(name, r))
        return
    current = None
    for suite, name, r in results:
        if suite != current:
            if current is not None:
                print()
            print(f"### {suite}\n")
            print("| benchmark " + HEADER)
            print("|---" + ALIGN)
            current = suite
        print("| " + cells(name, r))


if __name__ == "__main__":
    main()
