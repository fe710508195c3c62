// The review view (#/review/PATIENT/VISIT[/VERSION]): every gate of a stored version drawn
// on its parent population, draggable, with live recounts (POST …/recount, at most one in
// flight, the latest state sent when it returns), plots redrawn for the populations a change
// recomputed (POST …/plots), back-gating by clicking a population, and the counts table.
"use strict";
import { getJSON, postJSON } from "/js/api.js";
import { byId, clearError, el, fmtCount, fmtPercent, fmtValue, showError, visitPath } from "/js/dom.js";
import { buildFigure, drawData, plotRequest } from "/js/figures.js";
import { drawGate, wireOverlay } from "/js/overlay.js";
import { renderHistory, renderReviewInfo } from "/js/forms.js";

const clone = (x) => JSON.parse(JSON.stringify(x));

export class ReviewPage {
  constructor(patient, visit, version) {
    this.patient = patient;
    this.visit = visit;
    this.requestedVersion = version;
    this.root = byId("review");
    this.closed = false;
    this.loading = true;
    this.failed = false;
    this.changes = { cuts: {}, gates: {} };
    this.highlight = null;
    this.figures = [];
    this.pending = new Set();
    this.recountBusy = false;
    this.plotsBusy = false;
    this.countedState = JSON.stringify(this.changes);
  }

  url(suffix = "") { return visitPath(this.patient, this.visit) + suffix; }

  close() { this.closed = true; }

  async load() {
    this.updateState();
    this.root.removeAttribute("data-highlight");
    byId("review-title").textContent = this.patient + " · " + this.visit;
    for (const id of ["plots", "history", "version-info", "changes-summary", "apply-visits"]) byId(id).replaceChildren();
    byId("counts").querySelector("tbody").replaceChildren();
    const q = this.requestedVersion ? "?version=" + encodeURIComponent(this.requestedVersion) : "";
    try {
      const [doc, visitDoc] = await Promise.all([getJSON(this.url("/review" + q)), getJSON(this.url(q))]);
      if (this.closed) return;
      this.setUp(doc, visitDoc);
    } catch (err) {
      if (this.closed) return;
      this.loading = false;
      this.failed = true;
      this.updateState();
      showError("Cannot review " + this.patient + " " + this.visit + ": " + err.message);
      byId("version-info").textContent = err.code === "file_unavailable"
        ? "The visit's FCS file is needed to review its gates; start the server with --fcs-dir pointing at it." : "";
      return;
    }
    this.loadHistory();
  }

  async loadHistory() {
    this.historyPending = true;
    this.updateState();
    try {
      const h = await getJSON(this.url("/history"));
      if (!this.closed) renderHistory(this, h);
    } catch (err) {
      if (!this.closed) showError("Could not load the history: " + err.message);
    }
    this.historyPending = false;
    this.updateState();
  }

  setUp(doc, visitDoc) {
    this.doc = doc;
    this.version = doc.version;
    this.visitDoc = visitDoc;
    this.dims = new Map(doc.dimensions.map((d) => [d.key, d]));
    this.scales = (visitDoc.gating && visitDoc.gating.scales) || [];
    this.base = new Map(doc.gates.map((g) => [g.id, g]));
    this.cuts = new Map(doc.cuts.map((c) => [c.name, c]));
    this.stored = new Map(doc.populations.map((p) => [p.id, p]));
    this.counts = new Map(doc.populations.map((p) => [p.id, p]));
    this.display = new Map(doc.gates.map((g) => [g.id, clone(g)]));
    renderReviewInfo(this);
    this.buildCounts();
    const plots = byId("plots");
    for (const g of doc.gates) {
      const fig = buildFigure(g, this);
      this.figures.push(fig);
      plots.append(fig.figure);
      if (!fig.drawable) continue;
      fig.edit = (change) => this.edit(fig, change);
      fig.select = (population) => this.select(population);
      fig.selectVertex = (k) => { fig.selectedVertex = k; this.drawGate(fig); };
      wireOverlay(fig);
      this.drawGate(fig);
      this.pending.add(fig);
    }
    this.updateCounts(new Set());
    this.updateSummaries();
    this.loading = false;
    this.flushPlots();
  }

  // MARK: Names and scales

  populationName(id) {
    const p = this.stored && this.stored.get(id);
    return p && p.name ? p.name : id;
  }

  scaleKind(dim) {
    if (!dim.scale) return "linear";
    const s = this.scales.find((x) => "scale_" + x.id === dim.scale) || this.scales.find((x) => x.marker === dim.marker);
    const kind = s ? s.kind : dim.scale.replace(/^scale_/, "");
    return kind === "fasinh" ? "arcsinh" : kind;
  }

  fmt(v) { return fmtValue(v); }

  /** The cut a 1-D gate's side end sits at (its name), or null. */
  cutAt(gate, side, end) {
    const value = gate.sides[side][end];
    const marker = (this.dims.get(gate.dimensions[side]) || {}).marker;
    for (const c of this.cuts.values()) {
      if (!c.gates.includes(gate.id) || c.marker !== marker) continue;
      const now = this.changes.cuts[c.name] !== undefined ? this.changes.cuts[c.name] : c.value;
      if (now === value) return c.name;
    }
    return null;
  }

  // MARK: Editing

  /** Every gate's geometry from the stored version and the page's changes, as the server computes it. */
  recomputeDisplay() {
    for (const [id, g] of this.base) {
      const d = clone(g);
      const given = this.changes.gates[id];
      if (given) {
        Object.assign(d, clone(given));
      } else {
        for (const [name, value] of Object.entries(this.changes.cuts)) {
          const c = this.cuts.get(name);
          if (!c || !c.gates.includes(id)) continue;
          d.dimensions.forEach((k, s) => {
            if ((this.dims.get(k) || {}).marker !== c.marker) return;
            if (d.sides && d.sides[s]) {
              if (d.sides[s].min === c.value) d.sides[s].min = value;
              if (d.sides[s].max === c.value) d.sides[s].max = value;
            }
            if (d.centre && s < 2 && d.centre[s] === c.value) d.centre[s] = value;
          });
        }
      }
      this.display.set(id, d);
    }
  }

  edit(fig, change) {
    if (this.loading || this.failed) return;
    const id = fig.gate, g = this.display.get(id);
    const span = (k) => { const r = this.dims.get(g.dimensions[k]).range; return (r[1] - r[0]) * 1e-4; };
    switch (change.type) {
      case "end": this.scheduleRecount(); return;
      case "vertex": {
        const v = clone(g.vertices);
        v[change.index] = [change.x, change.y];
        this.changes.gates[id] = { vertices: v };
        break;
      }
      case "addVertex": {
        const v = clone(g.vertices);
        v.splice(change.after + 1, 0, [change.x, change.y]);
        this.changes.gates[id] = { vertices: v };
        fig.selectedVertex = change.after + 1;
        break;
      }
      case "removeVertex": {
        if (g.vertices.length <= 3) { showError("A polygon keeps at least 3 vertices."); return; }
        const v = clone(g.vertices);
        v.splice(change.index, 1);
        this.changes.gates[id] = { vertices: v };
        fig.selectedVertex = null;
        break;
      }
      case "side": {
        const sides = clone(g.sides), s = sides[change.side];
        let value = change.value;
        if (change.end === "min" && s.max !== undefined && s.max !== null) value = Math.min(value, s.max - span(change.side));
        if (change.end === "max" && s.min !== undefined && s.min !== null) value = Math.max(value, s.min + span(change.side));
        s[change.end] = value;
        this.changes.gates[id] = { sides };
        break;
      }
      case "centre": this.changes.gates[id] = { centre: [change.x, change.y] }; break;
      case "cut": this.changes.cuts[change.name] = change.value; break;
      default: return;
    }
    clearError();
    this.recomputeDisplay();
    this.redrawGates();
    this.updateSummaries();
    this.scheduleRecount();
  }

  resetChanges() {
    if (this.loading || this.failed) return;
    this.changes = { cuts: {}, gates: {} };
    this.recomputeDisplay();
    this.redrawGates();
    this.updateSummaries();
    this.scheduleRecount();
  }

  drawGate(fig) {
    const g = this.display.get(fig.gate);
    if (!g || !fig.drawable) return;
    drawGate(fig, g, { cutAt: (gate, side, end) => this.cutAt(gate, side, end), percent: (id) => this.percentText(id) });
  }

  redrawGates() { for (const f of this.figures) this.drawGate(f); }

  percentText(id) {
    const p = this.counts.get(id);
    return p && typeof p.percentOfParent === "number" ? fmtPercent(p.percentOfParent) + "%" : "";
  }

  // MARK: Recount and plots

  scheduleRecount() {
    if (!this.recountBusy && JSON.stringify(this.changes) !== this.countedState) this.runRecount();
    this.updateState();
  }

  async runRecount() {
    this.recountBusy = true;
    const sent = JSON.stringify(this.changes);
    this.updateState();
    try {
      const r = await postJSON(this.url("/recount"), { version: this.version, changes: JSON.parse(sent) });
      if (this.closed) return;
      this.countedState = sent;
      for (const p of r.populations) this.counts.set(p.id, p);
      if (sent === JSON.stringify(this.changes)) {
        // Nothing newer waits: the server's gates (a moved cut moved every gate that uses it).
        for (const g of r.gates) this.display.set(g.id, g);
      }
      this.redrawGates();
      this.updateCounts(new Set(r.recomputed));
      const changed = new Set(r.recomputed);
      for (const f of this.figures) {
        if (f.drawable && ((f.population && changed.has(f.population)) || (this.appliesTo(f) && changed.has(this.highlight)))) this.pending.add(f);
      }
    } catch (err) {
      if (this.closed) return;
      this.countedState = sent;
      showError("Recount refused: " + err.message);
    }
    this.recountBusy = false;
    if (JSON.stringify(this.changes) !== this.countedState) this.runRecount();
    this.flushPlots();
    this.updateState();
  }

  /** Whether the highlighted population is drawn on this figure (its population is an ancestor). */
  appliesTo(fig) {
    const h = this.highlight;
    if (!h || !fig.drawable) return false;
    if (!fig.population) return true;
    for (let p = this.stored.get(h); p && p.parent; p = this.stored.get(p.parent)) if (p.parent === fig.population) return true;
    return false;
  }

  async flushPlots() {
    if (this.plotsBusy || this.pending.size === 0 || this.closed) { this.updateState(); return; }
    this.plotsBusy = true;
    const figs = Array.from(this.pending).slice(0, 64);
    for (const f of figs) this.pending.delete(f);
    this.updateState();
    try {
      const body = { version: this.version, changes: this.changes,
                     plots: figs.map((f) => plotRequest(f, this.appliesTo(f) ? this.highlight : null)) };
      const r = await postJSON(this.url("/plots"), body);
      if (this.closed) return;
      r.plots.forEach((p, k) => {
        const f = figs[k];
        if (drawData(f, p, this.display.get(f.gate))) {
          this.drawGate(f);
          this.pending.add(f);
        }
      });
    } catch (err) {
      if (this.closed) return;
      showError("Plots failed: " + err.message);
    }
    this.plotsBusy = false;
    this.flushPlots();
  }

  updateState() {
    if (this.closed) return;
    const busy = this.recountBusy || this.plotsBusy || this.pending.size > 0 || this.historyPending ||
      JSON.stringify(this.changes) !== this.countedState;
    this.root.setAttribute("data-state", this.loading ? "loading" : this.failed ? "error" : busy ? "busy" : "ready");
  }

  // MARK: Back-gating

  select(population) {
    const before = this.highlight;
    const wasShown = new Set(this.figures.filter((f) => this.appliesTo(f)));
    this.highlight = before === population ? null : population;
    if (this.highlight) this.root.setAttribute("data-highlight", this.highlight); else this.root.removeAttribute("data-highlight");
    for (const tr of byId("counts").querySelectorAll("tr[data-population]")) {
      tr.classList.toggle("highlighted", tr.getAttribute("data-population") === this.highlight);
    }
    for (const f of this.figures) {
      if (!f.drawable) continue;
      f.figure.classList.toggle("selected-gate", !!this.highlight && this.display.get(f.gate).populations.includes(this.highlight));
      if (wasShown.has(f) || this.appliesTo(f)) this.pending.add(f);
    }
    this.flushPlots();
  }

  // MARK: Counts

  buildCounts() {
    const body = byId("counts").querySelector("tbody");
    const depth = (id) => { let n = 0; for (let p = this.stored.get(id); p && p.parent; p = this.stored.get(p.parent)) n++; return n; };
    for (const p of this.doc.populations) {
      const tr = el("tr", { attrs: { "data-population": p.id }, title: "Click to highlight these events on every ancestor's plot" });
      const name = el("td", { class: "name depth-" + Math.min(depth(p.id), 8) }, el("span", { class: "population-id", text: p.id }));
      if (p.name && p.name !== p.id) name.append(el("span", { class: "label", text: p.name }));
      tr.append(name, el("td", { class: "num count" }), el("td", { class: "num percent" }), el("td", { class: "num stored", text: fmtCount(p.count) }));
      tr.addEventListener("click", () => this.select(p.id));
      body.append(tr);
    }
    this.updateCounts(new Set());
  }

  updateCounts(recomputed) {
    for (const tr of byId("counts").querySelectorAll("tr[data-population]")) {
      const id = tr.getAttribute("data-population"), p = this.counts.get(id), s = this.stored.get(id);
      if (!p) continue;
      tr.querySelector("td.count").textContent = fmtCount(p.count);
      tr.querySelector("td.percent").textContent = fmtPercent(p.percentOfParent);
      tr.classList.toggle("changed", !!s && s.count !== p.count);
      tr.classList.toggle("recomputed", recomputed.has(id));
    }
    for (const f of this.figures) {
      const g = this.display.get(f.gate);
      if (!g) continue;
      f.summary.textContent = g.populations.map((id) => {
        const p = this.counts.get(id);
        return p ? (g.populations.length > 1 ? id + " " : "") + fmtCount(p.count) + " (" + fmtPercent(p.percentOfParent) + "%)" : id;
      }).join(" · ");
    }
  }

  updateSummaries() {
    const cuts = Object.keys(this.changes.cuts).length, gates = Object.keys(this.changes.gates).length;
    const out = byId("changes-summary");
    out.textContent = cuts + gates === 0 ? "No changes to version " + this.version + "."
      : [cuts ? cuts + " cut" + (cuts > 1 ? "s" : "") : null, gates ? gates + " gate" + (gates > 1 ? "s" : "") : null]
        .filter(Boolean).join(" and ") + " changed, not saved: " +
        Object.entries(this.changes.cuts).map(([n, v]) => n + " " + fmtValue(this.cuts.get(n).value) + " → " + fmtValue(v))
          .concat(Object.keys(this.changes.gates)).join("; ");
    out.classList.toggle("unsaved", cuts + gates > 0);
  }
}

let current = null;

/** The page under review (for the forms). */
export function currentReview() { return current; }

/** Opens a visit's review, replacing any other. */
export function showReview(patient, visit, version) {
  if (current) current.close();
  current = new ReviewPage(patient, visit, version);
  return current.load();
}

export function closeReview() {
  if (current) current.close();
  current = null;
}
