#!/usr/bin/env python3
"""Writes the project's hand-made FCS fixtures and the manifest in testdata/README.md.

    python3 testdata/make-fixtures.py          # rewrite testdata/fcs/{invalid,quirks}/ + README
    python3 testdata/make-fixtures.py --check  # exit 1 if a committed file differs

Every file is built byte by byte here, independently of CytoReset's writer and of
CytoTestSupport's FCSBuilder, so that the reader is tested against an outside encoding.
Output is deterministic: running the script twice gives identical bytes.

Layout of a generated file (unless a fixture says otherwise):
    HEADER   bytes 0-57 (version, 4 blanks, six 8-character right-aligned offsets)
    TEXT     from byte 58, delimiter '/' unless stated
    DATA     right after TEXT
$BEGINDATA/$ENDDATA are filled in to match (iterating until their own width is stable).
Expected outcomes are asserted in Tests/CytoFCSTests/MalformedInputTests.swift.
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT_START = 58

AUTO = object()  # "compute this offset"


def enc(v):
    return v if isinstance(v, bytes) else str(v).encode("utf-8")


def text_segment(keywords, delim=b"/", escape=True):
    """TEXT bytes: delimiter, then key delim value delim ... (doubled delimiters inside)."""
    out = bytearray(delim)
    for k, v in keywords:
        for part in (enc(k), enc(v)):
            out += part.replace(delim, delim + delim) if escape else part
            out += delim
    return bytes(out)


def header(version, text_start, text_end, data=("0", "0"), analysis=("0", "0"), gap=b"    "):
    h = enc(version) + gap
    for v in (text_start, text_end) + tuple(data) + tuple(analysis):
        f = enc(v)
        h += f if len(f) == 8 else f.rjust(8)
    assert len(h) == 58, len(h)
    return h


def fcs(keywords, data=b"", version="FCS3.1", delim=b"/", header_data=AUTO, text_data=AUTO,
        escape=True, text_end_adjust=0, data_end_adjust=0, analysis=("0", "0"), gap=b"    ",
        after_data=b""):
    """One data set. `keywords` excludes $BEGINDATA/$ENDDATA, which are added when
    `text_data` is AUTO (matching offsets) or a (begin, end) pair of strings; None omits them.
    `header_data` is AUTO, a (start, end) pair of strings, or None for blank fields."""
    def build(begin, end):
        kw = list(keywords)
        if text_data is AUTO:
            kw = [("$BEGINDATA", str(begin)), ("$ENDDATA", str(end + data_end_adjust))] + kw
        elif text_data is not None:
            kw = [("$BEGINDATA", text_data[0]), ("$ENDDATA", text_data[1])] + kw
        return text_segment(kw, delim, escape)

    begin, text = 0, b""
    for _ in range(10):
        text = build(begin, begin + max(len(data), 1) - 1)
        nb = TEXT_START + len(text)
        if nb == begin:
            break
        begin = nb
    start = TEXT_START + len(text)
    end = start + len(data) - 1
    if header_data is AUTO:
        hd = (str(start), str(max(end + data_end_adjust, start))) if data else ("0", "0")
    elif header_data is None:
        hd = (" " * 8, " " * 8)
    else:
        hd = header_data
    h = header(version, str(TEXT_START), str(TEXT_START + len(text) - 1 + text_end_adjust), hd, analysis, gap)
    return h + text + data + after_data


def params(n, bits, rng, names=None, extra=None):
    out = []
    for i in range(1, n + 1):
        out += [(f"$P{i}N", (names or [f"CH{j}" for j in range(1, n + 1)])[i - 1]),
                (f"$P{i}B", str(bits)), (f"$P{i}E", "0,0"), (f"$P{i}R", str(rng))]
        if extra:
            out += [(f"$P{i}{k}", v) for k, v in extra]
    return out


def required(datatype, par, tot, byteord="1,2,3,4", mode="L", nextdata="0"):
    kw = [("$BYTEORD", byteord), ("$DATATYPE", datatype), ("$MODE", mode), ("$NEXTDATA", nextdata),
          ("$PAR", str(par)), ("$TOT", str(tot))]
    return kw


def f32(rows, big=False):
    return b"".join(struct.pack((">" if big else "<") + "f" * len(r), *r) for r in rows)


def ints(rows, width, order):
    """`order` is the $BYTEORD list: order[i] is the significance rank (1 = least) of stored byte i."""
    out = bytearray()
    for r in rows:
        for v in r:
            le = v.to_bytes(width, "little")
            out += bytes(le[o - 1] for o in order)
    return bytes(out)


SMALL = [[1.5, 2.0], [3.25, 4.0], [5.0, 6.5]]  # 3 events x 2 parameters, float32 little-endian


def small_float(**kw_overrides):
    kw = required("F", 2, 3) + params(2, 32, 1024)
    d = dict(kw)
    d.update(kw_overrides)
    kw = [(k, d[k]) for k, _ in kw if d[k] is not None] + [(k, v) for k, v in kw_overrides.items()
                                                           if k not in dict(kw) and v is not None]
    return kw


# ---------------------------------------------------------------------------------------------
# invalid/: one file per FCSError.Kind that reading can raise. name -> (bytes, what, outcome)

def invalid():
    f = {}
    good = fcs(small_float(), f32(SMALL))

    f["truncated-header.fcs"] = (good[:40], "40 bytes: shorter than the 58-byte HEADER",
                                 "`truncated`, HEADER, byte 0")
    cut = good[:TEXT_START + 30]
    f["truncated-text.fcs"] = (cut, "cut 30 bytes into TEXT; the HEADER's TEXT end lies past the end",
                               "`truncated`, TEXT, byte 58")
    f["truncated-data.fcs"] = (good[:-5], "the last 5 DATA bytes are missing ($TOT × 8 bytes do not fit)",
                               "`truncated`, DATA, byte at DATA start")
    f["not-fcs.fcs"] = (b"GIF89a" + bytes(range(52)) + b"\x00" * 40, "a GIF signature where `FCSn.n` belongs",
                        "`notFCS`, HEADER, byte 0")
    f["unsupported-version.fcs"] = (b"FCS4.0" + good[6:], "version tag `FCS4.0`",
                                    "`unsupportedVersion`, HEADER, byte 0")
    bad = bytearray(good)
    bad[10:18] = b"   5a8  "
    f["malformed-header.fcs"] = (bytes(bad), "TEXT start field is `   5a8  `",
                                 "`malformedHeader`, HEADER, byte 10")
    kw = small_float()
    txt = text_segment(kw) + b"$COM"  # a keyword with no value and no closing delimiter
    data = f32(SMALL)  # present, but never reached
    f["malformed-text.fcs"] = (header("FCS3.1", "58", str(57 + len(txt)), ("0", "0")) + txt + data,
                               "TEXT ends with a keyword that has no value (`$COM`), an odd token count",
                               "`malformedText`, TEXT, byte of `$COM`")
    f["missing-keyword.fcs"] = (fcs(small_float(**{"$DATATYPE": None}), f32(SMALL)), "no `$DATATYPE`",
                                "`missingKeyword`, TEXT, keyword `$DATATYPE`")
    f["missing-pnb.fcs"] = (fcs(small_float(**{"$P2B": None}), f32(SMALL)), "no `$P2B` (bits of parameter 2)",
                            "`missingKeyword`, TEXT, keyword `$P2B`")
    f["invalid-keyword.fcs"] = (fcs(small_float(**{"$PAR": "two"}), f32(SMALL)), "`$PAR` is `two`",
                                "`invalidKeyword`, TEXT, keyword `$PAR`")
    f["invalid-tot.fcs"] = (fcs(small_float(**{"$TOT": "-3"}), f32(SMALL)), "`$TOT` is `-3`",
                            "`invalidKeyword`, TEXT, keyword `$TOT`")
    f["unsupported-datatype.fcs"] = (fcs(small_float(**{"$DATATYPE": "X"}), f32(SMALL)), "`$DATATYPE X`",
                                     "`unsupportedDataType`, TEXT, keyword `$DATATYPE`")
    kw = required("I", 2, 3, "1,2,3") + params(2, 20, 1048576)
    f["unsupported-bits.fcs"] = (fcs(kw, b"\x01\x00\x00" * 6),
                                 "`$DATATYPE I` with `$PnB 20`: not whole bytes, and wider than a 16-bit word",
                                 "`unsupportedDataType`, TEXT, keyword `$P1B`")
    f["unsupported-byteorder.fcs"] = (fcs(small_float(**{"$BYTEORD": "1,2,2,4"}), f32(SMALL)),
                                      "`$BYTEORD 1,2,2,4` is not a permutation",
                                      "`unsupportedByteOrder`, TEXT, keyword `$BYTEORD`")
    f["unsupported-mode.fcs"] = (fcs(small_float(**{"$MODE": "C"}), f32(SMALL)),
                                 "`$MODE C` (correlated histogram)", "`unsupportedMode`, TEXT, keyword `$MODE`")
    f["inconsistent-offsets-missing.fcs"] = (fcs(small_float(), f32(SMALL), header_data=("0", "0"), text_data=None),
                                             "HEADER DATA offsets 0 and no `$BEGINDATA`/`$ENDDATA`, `$TOT` 3",
                                             "`inconsistentOffsets`, DATA, keyword `$BEGINDATA`")
    f["inconsistent-offsets-inside-text.fcs"] = (
        fcs(small_float(), f32(SMALL), header_data=("60", "83"), text_data=("60", "83")),
        "HEADER and TEXT both put DATA at bytes 60–83, inside TEXT",
        "`inconsistentOffsets`, DATA, byte 60")
    f["data-size-overflow.fcs"] = (fcs(small_float(**{"$TOT": "9223372036854775807"}), f32(SMALL)),
                                   "`$TOT` 2⁶³−1 events × 8 bytes overflows", "`dataSizeMismatch`, DATA, keyword `$TOT`")
    kw = required("A", 2, 2) + params(2, 4, 1024)
    f["ascii-not-a-number.fcs"] = (fcs(kw, b"  12  34  5x  78"),
                                   "fixed-width ASCII DATA (`$PnB 4`) with the value `  5x`",
                                   "reads; `events()` throws `dataSizeMismatch`, DATA, byte of the value")
    # Found by review while fuzzing: offsets and counts whose arithmetic overflowed (a trap, not an error).
    f["tot-near-int-max.fcs"] = (fcs(small_float(**{"$TOT": str((2**63 - 1) // 8)}), f32(SMALL)),
                                 "`$TOT` (2⁶³−1)/8: × 8 bytes fits in Int, + DATA start does not",
                                 "`truncated`, DATA (was an overflow trap)")
    f["begindata-huge-second-set.fcs"] = (
        _chain(fcs(small_float(), f32(SMALL), header_data=("0", "0"),
                   text_data=("9223372036854775000", "9223372036854775807"))),
        "second data set's `$BEGINDATA`/`$ENDDATA` near 2⁶³, added to its base offset",
        "reads data set 0; data set 1: `truncated`, DATA (was an overflow trap)")
    kw = required("A", 4, 2**62) + [(k, "*" if k.endswith("B") else v) for k, v in params(4, 0, 1024)]
    f["ascii-delimited-tot-huge.fcs"] = (fcs(kw, b"1 2 3 4\n5 6 7 8\n"),
                                         "delimited ASCII with `$TOT` 2⁶² × `$PAR` 4 values in 16 bytes",
                                         "`dataSizeMismatch`, DATA, keyword `$TOT` (was an overflow trap in `events()`)")
    kw = required("F", 0, 10**15)
    f["par-zero-tot-huge.fcs"] = (fcs(kw, b"\0" * 8), "`$PAR` 0 with `$TOT` 10¹⁵: events without bytes",
                                  "`invalidKeyword`, TEXT, keyword `$PAR`")
    kw = required("A", 2, 2) + [("$P1N", "A"), ("$P1B", "4"), ("$P1R", "1024"),
                                ("$P2N", "B"), ("$P2B", "32"), ("$P2R", "1024"), ("$P2DATATYPE", "F")]
    f["ascii-mixed-pndatatype.fcs"] = (fcs(kw, b"  12\x00\x00\x80?  34\x00\x00\x00@"),
                                       "`$DATATYPE A` with `$P2DATATYPE F` (`$P2B 32`): a float among ASCII values",
                                       "`unsupportedDataType`, TEXT, keyword `$P2DATATYPE` (was a heap-buffer-overflow "
                                       "read in `events()`: 32 bits read as 32 characters)")
    # Sub-byte $PnB that is not stored in 16-bit words.
    kw = required("I", 2, 4, "1,2") + params(2, 10, 1024)
    f["int10-bit-packed.fcs"] = (fcs(kw, pack_bits(INT10_ROWS, 10), version="FCS2.0", text_data=None),
                                 "FCS 2.0, `$PnB 10`, 4 events × 2 values packed bit to bit: 10 DATA bytes, "
                                 "not the 16 of 16-bit words",
                                 "`unsupportedDataType`, DATA, keyword `$P1B`, byte at DATA start")
    f["int10-length-neither.fcs"] = (fcs(kw, ints(INT10_WORDS, 2, [1, 2])[:13], version="FCS2.0", text_data=None),
                                     "FCS 2.0, `$PnB 10`, 4 events × 2 values in 13 DATA bytes: neither 16-bit "
                                     "words (16) nor packed bits (10)",
                                     "`unsupportedDataType`, DATA, keyword `$P1B`, byte at DATA start")
    # Multi-data-set files with one bad data set: the others read.
    f["three-sets-middle-data-truncated.fcs"] = (
        chain(small_set, lambda nd: small_set(nd, **{"$TOT": "1000"}), seven_eight_set),
        "three data sets; the middle one's `$TOT` 1000 needs 8000 DATA bytes, more than the rest of the file",
        "reads data sets 0 and 2; data set 1: `truncated`, DATA, byte at its DATA start")
    f["three-sets-second-text-malformed.fcs"] = (
        chain(small_set, malformed_text_set, seven_eight_set),
        "three data sets; the second's TEXT ends with a keyword without value (`$COM`), so its "
        "`$NEXTDATA` cannot be trusted",
        "reads data set 0; data set 1: `malformedText`, TEXT, byte of `$COM`; the chain ends there")
    f["two-sets-first-data-truncated.fcs"] = (
        chain(lambda nd: small_set(nd, **{"$TOT": "1000"}), seven_eight_set),
        "two data sets; the first one's `$TOT` 1000 needs more DATA than the file holds",
        "`truncated`, DATA (the first data set is unreadable: the file is)")
    return f


# 10-bit values (what the instrument measured) and the 16-bit words stored: flag bits above bit 10.
INT10_ROWS = [[5, 1023], [0, 512], [1000, 7], [1, 1022]]
INT10_WORDS = [[0x0400 | 5, 0xFC00 | 1023], [0x8000, 0x0800 | 512], [0xF000 | 1000, 7], [0x7C00 | 1, 0x0400 | 1022]]
INT12_ROWS = [[4095, 0], [2048, 1], [17, 4000]]
INT12_WORDS = [[0xF000 | 4095, 0x1000], [0x8000 | 2048, 0x4000 | 1], [17, 0x3000 | 4000]]
# Mixed: parameter 1 is 16 bits ($PnR 65536: every bit is value), parameter 2 is 10 bits.
MIXED_ROWS = [[0xFFFF, 5], [0x8001, 1023], [1024, 0]]
MIXED_WORDS = [[0xFFFF, 0xFC00 | 5], [0x8001, 0x0400 | 1023], [1024, 0xFFFF & ~1023]]


def pack_bits(rows, bits):
    """Values packed without padding, most significant bit first (what 16-bit words are not)."""
    acc, n = 0, 0
    for r in rows:
        for v in r:
            acc, n = (acc << bits) | v, n + bits
    pad = (-n) % 8
    return (acc << pad).to_bytes((n + pad) // 8, "big")


def small_set(nextdata, **overrides):
    return fcs(small_float(**{"$NEXTDATA": nextdata, **overrides}), f32(SMALL))


def seven_eight_set(nextdata):
    return fcs(small_float(**{"$NEXTDATA": nextdata}), f32([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]]))


def malformed_text_set(nextdata):
    txt = text_segment(small_float(**{"$NEXTDATA": nextdata})) + b"$COM"
    return header("FCS3.1", "58", str(57 + len(txt)), ("0", "0")) + txt + f32(SMALL)


def chain(*builders):
    """Data sets linked by $NEXTDATA: each builder takes its 8-digit `$NEXTDATA` and returns bytes."""
    parts = []
    for i, build in enumerate(builders):
        probe = build("00000000")
        part = build("00000000" if i == len(builders) - 1 else str(len(probe)).rjust(8, "0"))
        assert len(part) == len(probe)
        parts.append(part)
    return b"".join(parts)


def _chain(second, first=None):
    """`first` (default: the small float file) followed by `second`, linked by $NEXTDATA."""
    probe = fcs(small_float(**{"$NEXTDATA": "00000000"}), f32(SMALL))
    n = len(probe)
    a = fcs(small_float(**{"$NEXTDATA": str(n).rjust(8, "0")}), f32(SMALL))
    assert len(a) == n
    return a + second


# ---------------------------------------------------------------------------------------------
# quirks/: damaged or unusual files that must read, with a diagnostic.

def quirks():
    f = {}
    # Empty $P1S written as two adjacent delimiters (pre-3.1 writers such as CellQuest).
    kw = required("F", 2, 3) + params(2, 32, 1024)
    kw = kw[:6] + [("$P1S", "")] + kw[6:]
    f["empty-value-doubled-delimiter.fcs"] = (
        fcs(kw, f32(SMALL), version="FCS3.0", escape=False),
        "`$P1S` is empty, written `/$P1S//$P1N/…` (two delimiters)",
        "reads; `fcs.text.emptyValues`; `$P1S` = \"\"")
    # Latin-1 TEXT (0xB5 = µ, 0xE4 = ä).
    kw = required("F", 2, 3) + params(2, 32, 1024) + [("$INST", "Universit\xe4tsklinikum".encode("latin-1")),
                                                       ("$P1S", "CD19 \xb5m".encode("latin-1"))]
    f["latin1-text.fcs"] = (fcs(kw, f32(SMALL), version="FCS3.0"),
                            "`$INST` and `$P1S` hold ISO-8859-1 bytes (ä, µ)",
                            "reads; `fcs.text.latin1`; `$INST` = \"Universitätsklinikum\"")
    kw = required("F", 2, 3) + params(2, 32, 1024)
    kw = [(" " + k if k in ("$P1N", "$TOT") else k, v) for k, v in kw]
    f["leading-blanks-keywords.fcs"] = (fcs(kw, f32(SMALL)), "keywords written ` $TOT` and ` $P1N`",
                                        "reads; `fcs.text.keywordBlanks`; `$TOT` 3, `$P1N` CH1")
    f["enddata-off-by-one.fcs"] = (fcs(small_float(), f32(SMALL), data_end_adjust=1),
                                   "HEADER and `$ENDDATA` both one byte past the last DATA byte (= file size)",
                                   "reads; `fcs.offset.dataEndOffByOne`")
    f["header-data-offsets-blank.fcs"] = (fcs(small_float(), f32(SMALL), header_data=None),
                                          "HEADER DATA fields are blanks; only `$BEGINDATA`/`$ENDDATA` locate DATA",
                                          "reads without a diagnostic (the standard allows it)")
    f["header-text-data-disagree.fcs"] = (
        _disagree(),
        "HEADER DATA start 4 bytes after `$BEGINDATA`; `$TOT` fits both",
        "reads; `fcs.offset.discrepancy`; TEXT offsets used (DATA directly after TEXT)")
    f["nextdata-loop.fcs"] = (_loop(), "two data sets; the second's `$NEXTDATA` points back to the first",
                              "reads 2 data sets; `fcs.nextdata.invalid` on data set 1")
    rows24 = [[0x000001, 0x123456], [0xABCDEF, 0x7FFFFF], [0xFFFFFF, 0x000100]]
    kw = required("I", 2, 3, "3,2,1") + params(2, 24, 16777216)
    f["int24-big-endian.fcs"] = (fcs(kw, ints(rows24, 3, [3, 2, 1])),
                                 "`$DATATYPE I`, `$PnB 24`, `$BYTEORD 3,2,1` (3-byte big-endian integers)",
                                 "reads; values exact, no diagnostic")
    rows32 = [[0x01020304, 0x00000000], [0xA0B0C0D0, 0x7FFFFFFF], [0x00010002, 0xFFFFFFFF]]
    kw = required("I", 2, 3, "3,4,1,2") + params(2, 32, 4294967296)
    f["fcs2-byteorder-3412.fcs"] = (fcs(kw, ints(rows32, 4, [3, 4, 1, 2]), version="FCS2.0", text_data=None),
                                    "FCS 2.0, 32-bit integers, `$BYTEORD 3,4,1,2`",
                                    "reads; values exact (byte order recorded as permuted)")
    kw = required("A", 3, 4) + [(k, "*" if k.endswith("B") else v) for k, v in params(3, 0, 1024)]
    f["ascii-delimited.fcs"] = (fcs(kw, b"1 2 3\r\n4,5,6\n7\t8\t9\n10  11 12.5\n"),
                                "`$DATATYPE A`, `$PnB *`: values separated by blanks, commas, tabs, line breaks",
                                "reads; 4 × 3 values")
    kw = required("I", 2, 3, "1,2") + params(2, 16, 1024)
    rows = [[0x0400 | 5, 0xFC00 | 1023], [7, 8], [0xF000 | 1000, 0x0800]]
    f["int16-flag-bits.fcs"] = (fcs(kw, ints(rows, 2, [1, 2]), version="FCS2.0", text_data=None),
                                "16-bit integers with flag bits above `$PnR 1024`",
                                "reads; values masked to 10 bits")
    # Sub-byte $PnB stored in 16-bit words (Beckman Coulter analysers): flag bits above $PnB.
    for name, bits, rng, words, order, what in [
            ("int10-words-le.fcs", 10, 1024, INT10_WORDS, [1, 2], "little-endian"),
            ("int10-words-be.fcs", 10, 1024, INT10_WORDS, [2, 1], "big-endian"),
            ("int12-words-le.fcs", 12, 4096, INT12_WORDS, [1, 2], "little-endian"),
            ("int12-words-be.fcs", 12, 4096, INT12_WORDS, [2, 1], "big-endian")]:
        kw = required("I", 2, len(words), ",".join(map(str, order))) + params(2, bits, rng)
        f[name] = (fcs(kw, ints(words, 2, order), version="FCS2.0", text_data=None),
                   f"FCS 2.0, `$PnB {bits}` stored in {what} 16-bit words with flag bits above bit {bits}",
                   f"reads; `fcs.data.subByteWords`; values masked to {bits} bits")
    kw = required("I", 2, 3, "2,1") + [("$P1N", "FSC"), ("$P1B", "16"), ("$P1R", "65536"),
                                       ("$P2N", "FL1"), ("$P2B", "10"), ("$P2R", "1024")]
    f["mixed16-10-words-be.fcs"] = (fcs(kw, ints(MIXED_WORDS, 2, [2, 1]), version="FCS2.0", text_data=None),
                                    "FCS 2.0, `$P1B 16` and `$P2B 10` in big-endian 16-bit words",
                                    "reads; `fcs.data.subByteWords`; parameter 1 all 16 bits, parameter 2 masked to 10")
    kw = required("I", 2, 4, "1,2") + params(2, 10, 1024)
    f["int10-words-enddata-off-by-one.fcs"] = (
        fcs(kw, ints(INT10_WORDS, 2, [1, 2]), version="FCS3.0", data_end_adjust=1),
        "FCS 3.0, `$PnB 10` in 16-bit words; HEADER and `$ENDDATA` one byte past the last DATA byte",
        "reads; `fcs.data.subByteWords` and `fcs.offset.dataEndOffByOne`")
    f["text-end-past-eof.fcs"] = (_text_end_past_eof(), "HEADER TEXT end is one past the last byte of the file",
                                  "reads; `fcs.offset.textEndOffByOne`")
    kw = required("F", 2, 3) + params(2, 32, 1024)
    kw = [(k, v) for k, v in kw if k != "$TOT"]
    f["missing-tot.fcs"] = (fcs(kw, f32(SMALL)), "no `$TOT`; 24 DATA bytes",
                            "reads 3 events; `fcs.keyword.missingTot`")
    # Found by review while fuzzing: these trapped on overflow or an out-of-range index.
    f["stext-end-huge.fcs"] = (fcs(small_float(**{"$BEGINSTEXT": "100", "$ENDSTEXT": "9223372036854775807"}),
                                   f32(SMALL)),
                               "`$ENDSTEXT` 2⁶³−1", "reads; `fcs.stext.outOfFile` (was an overflow trap)")
    f["analysis-end-huge.fcs"] = (fcs(small_float(**{"$BEGINANALYSIS": "1", "$ENDANALYSIS": "9223372036854775807"}),
                                      f32(SMALL)),
                                  "`$ENDANALYSIS` 2⁶³−1", "reads; `fcs.analysis.outOfFile` (was an overflow trap)")
    f["nextdata-huge.fcs"] = (_chain(fcs(small_float(**{"$NEXTDATA": "9223372036854775807"}), f32(SMALL))),
                              "second data set's `$NEXTDATA` 2⁶³−1, added to its base offset",
                              "reads 2 data sets; `fcs.nextdata.invalid` (was an overflow trap)")
    kw = required("F", 2, 3) + params(2, 32, 1024, names=["FL1", "FL2"])
    kw += [("$DFC0TO2", "5.0"), ("$DFC-1TO1", "3.0"), ("$DFC1TO2", "12.5")]
    f["dfc-index-zero.fcs"] = (fcs(kw, f32(SMALL)),
                               "Beckman Coulter `$DFC0TO2` and `$DFC-1TO1` (channel numbers start at 1)",
                               "reads; those keywords are ignored, `$DFC1TO2` gives a 2×2 spillover "
                               "(was an index-out-of-range trap)")
    kw = small_float() + [("$BEGINDATETIME", " "), ("$DATE", "18-NOV-2026")]
    f["begindatetime-blank.fcs"] = (fcs(kw, f32(SMALL)), "`$BEGINDATETIME` is a single blank",
                                    "reads; acquisition date from `$DATE` (was an index-out-of-range trap)")
    f["nextdata-into-own-text.fcs"] = (_nextdata_into_text(),
                                       "`$NEXTDATA` points at a HEADER hidden in a `$COM` value; that HEADER's "
                                       "TEXT lies inside the first data set's TEXT",
                                       "reads 1 data set; `fcs.nextdata.invalid` (a chain of such HEADERs made "
                                       "reading quadratic in the file size)")
    return f


def _nextdata_into_text():
    hidden = header("FCS3.1", "58", "120", ("0", "0"))

    def build(nextdata):
        kw = required("F", 2, 3, nextdata=nextdata) + [("$COM", hidden + b" end of comment")] + params(2, 32, 1024)
        return fcs(kw, f32(SMALL))
    probe = build("00000000")
    at = probe.index(b"FCS3.1", 1)
    out = build(str(at).rjust(8, "0"))
    assert out.index(b"FCS3.1", 1) == at and len(out) == len(probe)
    return out


# ---------------------------------------------------------------------------------------------
# fuzz-regressions/: inputs behind fuzzer findings. An entry whose bytes are None is the
# fuzzer's own input, committed as found (it was mutated from a project-made seed); the others
# are hand-made reproductions of inputs mutated from third-party files in ../shared, which are
# not copied into the project.

def fuzz_regressions():
    f = {}
    kw = required("A", 2, 4) + params(2, 4, 1024)
    f["ascii-value-error-names-file.fcs"] = (
        fcs(kw, b"  1225 1  34  56  78  90 100 110", version="FCS3.0"),
        "fixed-width ASCII field `25 1` (a blank inside a value), as in the fuzzer's mutation of "
        "`ascii-4_events.fcs`",
        "reads; `events()` throws `dataSizeMismatch` naming the file, DATA, the field's byte "
        "(the error had no file path: fixed in `events()`)")
    return f


def _disagree():
    data = f32(SMALL)
    base = fcs(small_float(), data)
    # Re-point only the HEADER DATA fields 4 bytes later (4 padding bytes after DATA keep it inside).
    h = bytearray(base[:58])
    start = int(base[26:34])
    h[26:34] = str(start + 4).rjust(8).encode()
    h[34:42] = str(start + 4 + len(data) - 1).rjust(8).encode()
    return bytes(h) + base[58:] + b"\0\0\0\0"


def _loop():
    a = fcs(small_float(**{"$NEXTDATA": "00000000"}), f32(SMALL))
    # First data set, then a second whose $NEXTDATA is minus its own offset (back to byte 0).
    first_len = len(a)
    pad = (-first_len) % 8
    a = fcs(small_float(**{"$NEXTDATA": str(first_len + pad).rjust(8, "0")}), f32(SMALL)) + b" " * pad
    assert len(a) == first_len + pad
    b = fcs(small_float(**{"$NEXTDATA": str(-len(a))}), f32([[7.0, 8.0]] * 3))
    return a + b


def _text_end_past_eof():
    kw = required("F", 2, 0) + params(2, 32, 1024)
    f = bytearray(fcs(kw, b"", header_data=("0", "0"), text_data=("0", "0")))
    end = len(f)  # one past the last byte
    f[18:26] = str(end).rjust(8).encode()
    return bytes(f)


# ---------------------------------------------------------------------------------------------

README_HEAD = """# Project test data (hand-made)

Everything under `fcs/invalid/` and `fcs/quirks/` was **made by this project**, byte by byte, by
[`make-fixtures.py`](make-fixtures.py) (no third-party data; no instrument produced these
files). They are tiny, committed, and reproducible:

    python3 testdata/make-fixtures.py           # regenerate files and this README
    python3 testdata/make-fixtures.py --check   # verify the committed files are current

`Tests/CytoFCSTests/MalformedInputTests.swift` asserts the outcome of every file: for
`invalid/` the exact `FCSError.Kind`, that the error names the file path, the segment and a byte
offset (for a file of several data sets whose bad one is not the first, that the file reads and
lists it in `unreadableDataSets` with that error); for `quirks/` that the file reads, with the
diagnostic code and the decoded values.
`fcs/fuzz-regressions/` holds the inputs behind fuzzer findings (`fuzz/run.sh`, see
`fuzz/README.md`), each listed below with the fix it needed: the fuzzer's own input when it was
mutated from a project-made seed, otherwise a hand-made reproduction (inputs mutated from the
third-party files in `../shared` are not copied here).
Two `FCSError` kinds have no file here: `unreadable` needs a path that cannot be opened (the
test uses a missing file and a directory), and `invalidDataSetChain` is never thrown by reading:
a `$NEXTDATA` that loops or points outside the file keeps the data sets read so far and records
`fcs.nextdata.invalid` (`quirks/nextdata-loop.fcs`, `quirks/nextdata-huge.fcs`).
Files marked "was an overflow trap" crashed the reader before the fix recorded in git.

`fcs/generated/` holds files written by CytoReset itself (see `Sources/CytoTestSupport/DemoFiles.swift`).

Real instrument files live in `../shared/testdata` and are never copied here.
"""


def table(title, files):
    rows = [f"\n## `fcs/{title}/`\n", "| file | what it exercises | expected outcome |", "| --- | --- | --- |"]
    for name, (_, what, outcome) in sorted(files.items()):
        rows.append(f"| `{name}` | {what} | {outcome} |")
    return "\n".join(rows) + "\n"


def main():
    check = "--check" in sys.argv
    groups = {"invalid": invalid(), "quirks": quirks(), "fuzz-regressions": fuzz_regressions()}
    stale = []
    for group, files in groups.items():
        d = os.path.join(HERE, "fcs", group)
        os.makedirs(d, exist_ok=True)
        for name, (data, _, _) in files.items():
            if data is None:  # committed as found by the fuzzer
                continue
            p = os.path.join(d, name)
            old = open(p, "rb").read() if os.path.exists(p) else None
            if old != data:
                stale.append(p)
                if not check:
                    with open(p, "wb") as fh:
                        fh.write(data)
    readme = README_HEAD + "".join(table(g, fs) for g, fs in groups.items())
    p = os.path.join(HERE, "README.md")
    old = open(p, encoding="utf-8").read() if os.path.exists(p) else None
    if old != readme:
        stale.append(p)
        if not check:
            with open(p, "w", encoding="utf-8") as fh:
                fh.write(readme)
    if check and stale:
        print("out of date:\n  " + "\n  ".join(stale))
        sys.exit(1)
    if not check:
        print(f"{sum(len(v) for v in groups.values())} fixtures; {len(stale)} file(s) written")


if __name__ == "__main__":
    main()
