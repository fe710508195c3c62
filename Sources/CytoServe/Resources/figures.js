// One figure per gate: the gate's parent population on the gate's dimensions (a density
// plot, or a histogram for a one-dimensional gate), axes labelled with marker, channel and
// scale in display units, and the SVG overlay the gate and its handles are drawn in.
"use strict";
import { el, svg } from "/js/dom.js";
import { BOX, LAYOUT, drawAxes, drawDensity, drawHistogram, histogramRange, makeFrame } from "/js/plot.js";

let clipCount = 0;

/** "CD19 · PE-A, compensated · logicle" */
export function axisLabel(dim, scaleKind) {
  const parts = [];
  if (dim.marker && dim.marker !== dim.channel) parts.push(dim.marker);
  parts.push(dim.channel + (dim.compensated ? ", compensated" : ""));
  parts.push(scaleKind || "linear");
  return parts.join(" · ");
}

/**
 * The dimensions a gate is drawn on, as indices into its `dimensions`: both of a 2-D gate,
 * the only one of a 1-D gate, the last two of a rectangle on more dimensions (its first
 * sides are then listed in the caption).
 */
export function shownDimensions(gate) {
  const n = gate.dimensions.length;
  if (n === 0) return [];
  if (n === 1) return [0];
  return n === 2 ? [0, 1] : [n - 2, n - 1];
}

/**
 * Builds the figure of `gate`. `page` gives dims (key → dimension), scaleKind(dim),
 * populationName(id) and fmt(value).
 */
export function buildFigure(gate, page) {
  const idx = shownDimensions(gate);
  const figure = el("figure", { class: "plot", attrs: { "data-gate": gate.id } });
  const title = el("figcaption", {});
  title.append(el("strong", { text: gate.name || gate.id }), " ", el("span", { class: "gate-id", text: gate.id }));
  const of = el("div", { class: "plot-of", text: "of " + (gate.parent ? page.populationName(gate.parent) : "all events") });
  const summary = el("div", { class: "plot-counts" });
  title.append(of, summary);
  const extra = gate.dimensions.length > 2 && gate.sides
    ? gate.dimensions.slice(0, gate.dimensions.length - 2).map((k, s) => {
      const d = page.dims.get(k), side = gate.sides[s];
      const range = [side.min !== undefined ? "≥ " + page.fmt(side.min) : null, side.max !== undefined ? "< " + page.fmt(side.max) : null];
      return (d ? d.marker || d.channel : k) + " " + range.filter(Boolean).join(" and ");
    }).join("; ")
    : null;
  if (extra) title.append(el("div", { class: "plot-also", text: "also " + extra }));
  const box = el("div", { class: "plot-box" });
  const canvas = el("canvas", { class: "plot-canvas", attrs: { width: 1, height: 1 } });
  const overlay = svg("svg", { class: "overlay", width: BOX.width, height: BOX.height, "data-gate": gate.id });
  const axes = svg("g", { class: "axes" });
  // Shapes are clipped to the plot area (a gate may reach beyond the plotted range).
  const clip = "plot-clip-" + (++clipCount);
  overlay.append(svg("clipPath", { id: clip }, svg("rect", { x: LAYOUT.left, y: LAYOUT.top, width: LAYOUT.width, height: LAYOUT.height })));
  const layer = { shapes: svg("g", { class: "shapes", "clip-path": "url(#" + clip + ")" }), edges: svg("g", { class: "edges", "clip-path": "url(#" + clip + ")" }),
                  handles: svg("g", { class: "handles" }), labels: svg("g", { class: "labels" }) };
  overlay.append(axes, layer.shapes, layer.labels, layer.edges, layer.handles);
  box.append(canvas, overlay);
  figure.append(box, title);
  if (!gate.editable) title.append(el("div", { class: "plot-note", text: "this gate cannot be moved here" }));

  const dims = idx.map((k) => page.dims.get(gate.dimensions[k]));
  const fig = {
    gate: gate.id, population: gate.parent || null, figure, canvas, overlay, axes, layer, summary, dimIdx: idx,
    xKey: idx.length ? gate.dimensions[idx[0]] : null, yKey: idx.length > 1 ? gate.dimensions[idx[1]] : null,
    oneD: idx.length === 1, selectedVertex: null, data: null,
    labels: dims.map((d) => (d ? axisLabel(d, page.scaleKind(d)) : "?")),
    frame: null,
  };
  if (!idx.length || dims.some((d) => !d)) {
    title.append(el("div", { class: "plot-note", text: "no dimensions to draw" }));
    fig.drawable = false;
    return fig;
  }
  fig.drawable = true;
  fig.frame = makeFrame(dims[0].range, fig.oneD ? [0, 1] : dims[1].range);
  drawAxes(axes, fig.frame, fig.labels[0], fig.oneD ? "events" : fig.labels[1]);
  return fig;
}

/** The plot request of a figure (the server's bins of its parent population, in its ranges). */
export function plotRequest(fig, highlight) {
  const p = { x: fig.xKey, bins: 128 };
  if (fig.yKey) p.y = fig.yKey;
  if (fig.population) p.population = fig.population;
  if (highlight) p.highlight = highlight;
  if (fig.zoomed) {
    p.xRange = fig.frame.xRange;
    if (fig.yKey) p.yRange = fig.frame.yRange;
  }
  return p;
}

/** The interval of bins holding all but `tail` of the mass on each side, as values. */
function massRange(marginal, range, tail = 0.002) {
  const total = marginal.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let lo = 0, hi = marginal.length - 1, acc = 0;
  while (lo < hi && acc + marginal[lo] <= total * tail) acc += marginal[lo++];
  acc = 0;
  while (hi > lo && acc + marginal[hi] <= total * tail) acc += marginal[hi--];
  const w = (range[1] - range[0]) / marginal.length;
  return [range[0] + lo * w, range[0] + (hi + 1) * w];
}

/** The gate's own coordinates on the shown dimensions (k: 0 for x, 1 for y). */
function gateValues(gate, idx, k) {
  const out = [];
  if (gate.vertices && idx.length === 2) for (const v of gate.vertices) out.push(v[k]);
  if (gate.sides && idx[k] !== undefined) {
    const s = gate.sides[idx[k]];
    for (const v of [s.min, s.max]) if (typeof v === "number") out.push(v);
  }
  if (gate.centre && idx.length === 2) out.push(gate.centre[k]);
  return out;
}

/** A narrower range holding the data and the gate, or null when the default range is close. */
function zoomed(range, data, gateValues) {
  if (!data) return null;
  let lo = Math.min(data[0], ...gateValues), hi = Math.max(data[1], ...gateValues);
  // Room beyond the data and the gate, so an open-ended side shows what lies past it.
  const pad = Math.max((hi - lo) * 0.08, (range[1] - range[0]) * 0.1);
  lo = Math.max(range[0], lo - pad);
  hi = Math.min(range[1], hi + pad);
  return hi > lo && (hi - lo) < 0.7 * (range[1] - range[0]) ? [lo, hi] : null;
}

/**
 * After a figure's first bins: narrows its ranges to where its population and its gate are
 * (the default range is the scale's whole range). Returns whether the figure needs new bins.
 */
function zoomOnce(fig, plot, gate) {
  if (fig.zoomChecked) return false;
  fig.zoomChecked = true;
  const nx = plot.xBins, ny = plot.yBins || 1;
  const mx = new Array(nx).fill(0), my = new Array(ny).fill(0);
  plot.counts.forEach((c, k) => { mx[k % nx] += c; my[Math.floor(k / nx)] += c; });
  const zx = zoomed(fig.frame.xRange, massRange(mx, plot.xRange), gateValues(gate, fig.dimIdx, 0));
  const zy = fig.oneD ? null : zoomed(fig.frame.yRange, massRange(my, plot.yRange), gateValues(gate, fig.dimIdx, 1));
  if (!zx && !zy) return false;
  fig.zoomed = true;
  fig.frame = makeFrame(zx || fig.frame.xRange, fig.oneD ? fig.frame.yRange : zy || fig.frame.yRange);
  drawAxes(fig.axes, fig.frame, fig.labels[0], fig.oneD ? "events" : fig.labels[1]);
  return true;
}

/**
 * Draws the server's bins; a histogram's count axis follows its data. Returns true when the
 * figure zoomed in instead (then it needs its bins again, and its gate redrawn).
 */
export function drawData(fig, plot, gate) {
  if (zoomOnce(fig, plot, gate)) return true;
  fig.data = plot;
  if (fig.oneD) {
    fig.frame = makeFrame(fig.frame.xRange, histogramRange(plot));
    drawAxes(fig.axes, fig.frame, fig.labels[0], "events");
    drawHistogram(fig.canvas, plot, fig.frame);
  } else {
    drawDensity(fig.canvas, plot);
  }
  fig.figure.classList.toggle("highlighted-plot", !!plot.highlight);
  return false;
}
