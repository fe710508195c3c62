#!/usr/bin/env python3
"""Writes a large FCS 3.1 file whose DATA is the DATA of a smaller one repeated K times.

    python3 Benchmarks/make-repeated.py data/bench-1e7x16-f32.fcs 10 data/bench-1e8x16-f32.fcs

Used for the 10^8-event row of the scaling table (6.4 GB): generating 10^8 events would need
the whole matrix in memory, repeating DATA needs none, and the result is checkable — every
population count is exactly K times the source file's. $TOT, $BEGINDATA and $ENDDATA are
rewritten (HEADER DATA offsets 0, as FCS 3.1 requires past 99,999,999 bytes); everything else
of TEXT is kept. Written to a temporary sibling and renamed, so a killed run leaves no half file.
"""
import os
import sys


def main(src: str, k: int, dst: str) -> None:
    with open(src, "rb") as f:
        head = f.read(58)
        assert head[:6] in (b"FCS3.0", b"FCS3.1", b"FCS3.2"), "not an FCS 3.x file"
        ts, te = int(head[10:18]), int(head[18:26])
        f.seek(ts)
        text = f.read(te - ts + 1)
    delim = text[:1]
    parts = text[1:-1].split(delim) if text.endswith(delim) else text[1:].split(delim)
    kw = dict(zip(parts[0::2], parts[1::2]))
    order = parts[0::2]
    begin, end = int(kw[b"$BEGINDATA"]), int(kw[b"$ENDDATA"])
    size = end - begin + 1
    kw[b"$TOT"] = str(int(kw[b"$TOT"]) * k).encode()
    # TEXT starts at 58; DATA right after it. Iterate until the offsets' digit counts settle.
    start = 0
    for _ in range(5):
        kw[b"$BEGINDATA"] = str(start).encode()
        kw[b"$ENDDATA"] = str(start + size * k - 1).encode()
        body = delim + delim.join(x for key in order for x in (key, kw[key])) + delim
        new_start = 58 + len(body)
        if new_start == start:
            break
        start = new_start
    header = head[:6] + b"    " + b"%8d%8d%8d%8d%8d%8d" % (58, 58 + len(body) - 1, 0, 0, 0, 0)
    tmp = dst + ".partial"
    with open(src, "rb") as f, open(tmp, "wb") as out:
        out.write(header)
        out.write(body)
        for _ in range(k):
            f.seek(begin)
            left = size
            while left:
                chunk = f.read(min(left, 64 << 20))
                out.write(chunk)
                left -= len(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, dst)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
