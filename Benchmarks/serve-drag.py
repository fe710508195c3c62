#!/usr/bin/env python3
"""Gate-drag latency through the review server (issue #14): what the page waits for.

For each file size: simulates a reset-panel tube with `cytoreset simulate` (cached under
Benchmarks/data/review), ingests it into a fresh store, starts `cytoreset serve --port 0`,
exchanges the printed token for the session cookie, opens the visit (`GET …/review`, timed:
the file is read, hashed and its gated columns cached), then times DRAGS recount requests per
drag kind, each a new position of the same handle, as the page sends them while a handle moves:

  cut        the CD19 cut (moves the B-cell gate and everything below it)
  quadrant   the CD27/IgD quadrant centre
  polygon    one vertex of the lymphocyte polygon (everything below the lymphocytes)
  plot       one 128x128 density grid of the lymphocytes' parent with a highlight (a redraw)

Latency is the client's wall time per request (HTTP on loopback, JSON both ways, the recount).
The server is stopped by pid. Standard library only.

  CYTORESET=.build/release/cytoreset Benchmarks/serve-drag.py [EVENTS ...]   (default 100000 1000000)
  DRAGS=200 (default)
"""
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("CYTORESET", os.path.join(os.path.dirname(HERE), ".build/release/cytoreset"))
DRAGS = int(os.environ.get("DRAGS", "200"))


def run(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"cytoreset {' '.join(args)} failed: {p.stderr}")


def percentile(xs, q):
    s = sorted(xs)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


class Server:
    def __init__(self, store, fcs_dir):
        self.proc = subprocess.Popen([BIN, "serve", "--store", store, "--fcs-dir", fcs_dir, "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        m = re.match(r"http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]+)", line)
        if not m:
            self.stop()
            sys.exit(f"serve printed {line!r}")
        self.port, token = int(m.group(1)), m.group(2)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port)
        self.conn.request("GET", f"/?token={token}")
        r = self.conn.getresponse()
        r.read()
        cookie = r.getheader("Set-Cookie").split(";")[0]
        self.headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{self.port}", "Content-Type": "application/json",
                        "Host": f"127.0.0.1:{self.port}"}

    def call(self, method, path, body=None):
        self.conn.request(method, path, body=None if body is None else json.dumps(body), headers=self.headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status >= 300:
            sys.exit(f"{method} {path} → {r.status}: {data[:300]!r}")
        return json.loads(data)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def bench(events):
    data = os.path.join(HERE, "data", "review")
    os.makedirs(data, exist_ok=True)
    name = f"reset-{events}.fcs"
    path = os.path.join(data, name)
    if not os.path.exists(path):
        run("simulate", "-o", path, "--events", str(events), "--blood-ul", str(events // 5000 + 50))
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "s.h5")
        run("ingest", path, "--store", store, "--patient", "B1", "--day", "-7")
        server = Server(store, data)
        try:
            base = "/api/patients/B1/visits/day-007"
            t0 = time.perf_counter()
            doc = server.call("GET", base + "/review")
            open_s = time.perf_counter() - t0
            gates = {g["id"]: g for g in doc["gates"]}
            cd19 = next(c["value"] for c in doc["cuts"] if c["name"] == "CD19")
            quad = gates["CD27IgD"]["centre"]
            lym = gates["Lymphocytes"]["vertices"]
            results = {}

            def timed(kind, bodies, endpoint="recount"):
                times = []
                for b in bodies:
                    t = time.perf_counter()
                    server.call("POST", f"{base}/{endpoint}", b)
                    times.append((time.perf_counter() - t) * 1000)
                results[kind] = times

            def wave(k):  # a handle moving back and forth
                return ((k % 40) - 20) / 20

            timed("cut", [{"version": 1, "changes": {"cuts": {"CD19": cd19 + 0.05 * wave(k)}}} for k in range(DRAGS)])
            timed("quadrant", [{"version": 1, "changes": {"gates": {"CD27IgD": {"centre": [quad[0] + 0.04 * wave(k), quad[1] - 0.03 * wave(k)]}}}}
                               for k in range(DRAGS)])
            cx = sum(v[0] for v in lym) / len(lym)
            cy = sum(v[1] for v in lym) / len(lym)

            def moved(k):
                v = [list(p) for p in lym]
                f = 0.15 * (wave(k) + 1) / 2
                v[0] = [v[0][0] + (cx - v[0][0]) * f, v[0][1] + (cy - v[0][1]) * f]
                return v
            timed("polygon", [{"version": 1, "changes": {"gates": {"Lymphocytes": {"vertices": moved(k)}}}} for k in range(DRAGS)])
            g = gates["Lymphocytes"]
            plot = {"x": g["dimensions"][0], "y": g["dimensions"][1], "bins": 128, "highlight": "BCells"}
            if g.get("parent"):
                plot["population"] = g["parent"]
            timed("plot", [{"version": 1, "plots": [plot]} for _ in range(max(20, DRAGS // 4))], endpoint="plots")
        finally:
            server.stop()
    print(f"{events} events: open {open_s:.2f} s (read, hash, cache the gated columns)")
    print(f"  {'drag':<9} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, t in results.items():
        print(f"  {kind:<9} {len(t):>4} {statistics.median(t):>8.1f} {percentile(t, 0.95):>8.1f} {max(t):>8.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [100000, 1000000]
    with open("/proc/loadavg") as f:
        print(f"load {f.read().split()[:3]}, {os.cpu_count()} CPUs, {BIN}")
    for n in sizes:
        bench(n)
