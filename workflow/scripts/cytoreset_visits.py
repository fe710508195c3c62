"""The visits of a CytoReset workflow, read from the same manifest CSV `cytoreset ingest --manifest`
reads, with the same rules, so that the workflow's store equals a serial ingest of the manifests.

Columns: file, patient, day (or date/collection_date with the patient's infusion date in the
config), and optionally infusion, beads_per_test, blood_ul, alc, note. File paths are relative to
the manifest's folder. Errors name the manifest and its line.
"""

import csv
import datetime
import hashlib
import math
import os
import re
import shlex
from dataclasses import dataclass, field


class ManifestError(Exception):
    """A manifest or config value the workflow cannot use; the message names file and line."""


def shell_quote(value):
    return shlex.quote(str(value))


def report_name(patient):
    """The file name `cytoreset report --all` gives a patient's report (Report.fileName), minus .html."""
    return "".join(c if (c.isalpha() or c.isnumeric() or c in "-_") else "_" for c in patient)


def _number_text(value):
    """A number as `cytoreset` parses it back to the same Double (repr is round-trip exact)."""
    return str(int(value)) if value.is_integer() else repr(value)


@dataclass
class Visit:
    key: str
    path: str
    patient: str
    infusion: int
    day: float
    source: str  # manifest:line, for messages
    method: list = field(default_factory=list)
    note: str = None
    collection_date: str = None

    def analyze_args(self, config):
        """The `cytoreset analyze` arguments for this visit, shell-quoted, without the output."""
        args = [self.path, "--patient", self.patient, "--day", _number_text(self.day),
                "--infusion", str(self.infusion)]
        args += self.method
        if self.note:
            args += ["--note", self.note]
        if self.collection_date:
            args += ["--collection-date", self.collection_date]
        attrs = patient_attributes(config, self.patient)
        for name in ("diagnosis", "product", "age", "sex"):
            if attrs.get(name) not in (None, ""):
                args += ["--" + name, str(attrs[name])]
        for d in attrs.get("infusion_dates") or []:
            args += ["--infusion-date", str(d)]
        args += _panel_args(config)
        args += [str(a) for a in (config.get("analyze", {}).get("extra_args") or [])]
        return " ".join(shell_quote(a) for a in args)


def patient_attributes(config, patient):
    """The config's `patient_defaults` with the patient's own `patients:` entry over them."""
    attrs = dict(config.get("patient_defaults") or {})
    attrs.update((config.get("patients") or {}).get(patient) or {})
    return attrs


def _panel_args(config):
    ws = config.get("workspace") or {}
    if ws.get("file"):
        out = ["--workspace", ws["file"], "--roles", ws["roles"]]
        if ws.get("group"):
            out += ["--group", ws["group"]]
        if ws.get("geometry"):
            out += ["--geometry", ws["geometry"]]
        return out
    return ["--panel", str(config.get("panel") or "reset")]


def _visit_key(patient, infusion, day):
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", patient)
    if slug != patient or slug.startswith("."):
        slug = slug.lstrip(".") + "~" + hashlib.sha256(patient.encode()).hexdigest()[:8]
    d = f"{int(day):+04d}" if day.is_integer() else _number_text(day)
    return f"{slug}_i{infusion}_d{d}"


def _default_method(config):
    counts = config.get("counts") or {}
    if counts.get("beads_per_test") is not None and counts.get("blood_ul") is not None:
        return ["--beads-per-test", _number_text(float(counts["beads_per_test"])),
                "--blood-ul", _number_text(float(counts["blood_ul"]))]
    if counts.get("alc") is not None:
        return ["--alc", _number_text(float(counts["alc"]))]
    return []


def _read_manifest(manifest, config, visits):
    try:
        with open(manifest, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ManifestError(f"{manifest}: cannot read the manifest: {e}")
    if not rows:
        raise ManifestError(f"{manifest}: empty manifest")
    header = [h.strip().lower() for h in rows[0]]
    if "file" not in header:
        raise ManifestError(f"{manifest}: the header has no 'file' column")
    base = os.path.dirname(manifest)
    added = 0
    for n, row in enumerate(rows[1:], start=2):
        if all(not c.strip() for c in row):
            continue
        where = f"{manifest}:{n}"

        def get(name):
            if name not in header:
                return None
            i = header.index(name)
            v = row[i].strip() if i < len(row) else ""
            return v or None

        def number(name):
            s = get(name)
            if s is None:
                return None
            try:
                v = float(s)
            except ValueError:
                v = math.nan
            if not math.isfinite(v):
                raise ManifestError(f"{where}: {name} '{s}' is not a number")
            return v

        file = get("file")
        if file is None:
            raise ManifestError(f"{where}: no file")
        patient = get("patient") or config.get("patient")
        if not patient:
            raise ManifestError(f"{where}: no patient (column or config 'patient')")
        if patient in (".", "..") or "/" in patient or "\0" in patient:
            raise ManifestError(f"{where}: invalid patient id '{patient}'")
        inf = number("infusion")
        infusion = int(inf) if inf is not None else 1
        date = get("collection_date") or get("date")
        day = number("day")
        if day is None and date is not None:
            dates = patient_attributes(config, patient).get("infusion_dates") or []
            if not 1 <= infusion <= len(dates):
                raise ManifestError(f"{where}: a date without a day needs infusion date {infusion} of "
                                    f"{patient} (patients: {patient}: infusion_dates in the config)")
            try:
                drawn = datetime.date.fromisoformat(date)
                given = datetime.date.fromisoformat(str(dates[infusion - 1]))
            except ValueError:
                raise ManifestError(f"{where}: date '{date}' or infusion date is not YYYY-MM-DD")
            day = float((drawn - given).days)
        if day is None:
            raise ManifestError(f"{where}: no day (or date)")
        method = _default_method(config)
        beads, blood = number("beads_per_test"), number("blood_ul")
        alc = number("alc")
        if beads is not None and blood is not None:
            method = ["--beads-per-test", _number_text(beads), "--blood-ul", _number_text(blood)]
        elif alc is not None:
            method = ["--alc", _number_text(alc)]
        path = file if os.path.isabs(file) or not base else os.path.join(base, file)
        key = _visit_key(patient, infusion, day)
        if key in visits:
            raise ManifestError(f"{where}: {patient} infusion {infusion} day {_number_text(day)} is "
                                f"already listed at {visits[key].source}")
        visits[key] = Visit(key=key, path=path, patient=patient, infusion=infusion, day=day,
                            source=where, method=method, note=get("note") or config.get("note"),
                            collection_date=date)
        added += 1
    if added == 0:
        raise ManifestError(f"{manifest}: no visits")


def load_visits(config):
    """Every visit of the config's manifests, by a file-name-safe key (patient, infusion, day)."""
    manifests = config.get("manifests") or []
    if isinstance(manifests, str):
        manifests = [manifests]
    if not manifests:
        raise ManifestError("config: 'manifests' lists no visits manifest")
    visits = {}
    for m in manifests:
        _read_manifest(str(m), config, visits)
    return visits
