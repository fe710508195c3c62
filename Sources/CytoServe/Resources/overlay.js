// A gate drawn over its plot in the figure's SVG overlay, with draggable handles:
// polygon vertices (drag; double-click an edge adds a vertex; Alt/Shift-click or the ×
// button removes one, never below 3), rectangle and range sides (min0/max0…), quadrant
// centres and 1-D cut lines (moving a cut moves every gate that uses it).
"use strict";
import { setAttrs, svg } from "/js/dom.js";
import { BOX } from "/js/plot.js";

/**
 * Creates or updates the element keyed `key` in `group`, so that an element being dragged
 * stays the same node while the gate is redrawn.
 */
function keyed(group, used, key, tag, attrs) {
  let e = null;
  for (const c of group.children) if (c.getAttribute("data-key") === key) { e = c; break; }
  if (!e || e.tagName !== tag) {
    if (e) e.remove();
    e = svg(tag, { "data-key": key });
    group.append(e);
  }
  setAttrs(e, attrs);
  used.add(e);
  return e;
}

function prune(group, used) {
  for (const c of Array.from(group.children)) if (!used.has(c)) c.remove();
}

/**
 * Draws `gate` (geometry in display units) into the figure's gate layer.
 *
 * - fig: { layer: {shapes, edges, handles, labels}, frame, dimIdx: [i, j?], selectedVertex }
 * - info: { cutAt(gate, side, end) → cut name or null, percent(population) → text }
 */
export function drawGate(fig, gate, info) {
  const { frame } = fig;
  const used = new Set();
  const L = fig.layer;
  const id = gate.id;
  const [i, j] = fig.dimIdx;
  // Handles stay inside the plot (a vertex outside it is shown on the border; dragging moves it in).
  const r = gate.vertices && gate.vertices.length > 16 ? 3.5 : 5.5;
  const handle = (key, x, y, extra = {}) => keyed(L.handles, used, "h-" + key, "circle", {
    class: "handle", "data-gate": id, "data-handle": key, r, ...extra,
    cx: Math.min(Math.max(x, frame.left), frame.right), cy: Math.min(Math.max(y, frame.top), frame.bottom) });
  const xs = (v, open) => (v === null || v === undefined ? open : frame.px(frame.clampX(v)));
  const ys = (v, open) => (v === null || v === undefined ? open : frame.py(frame.clampY(v)));
  const movable = gate.editable;

  if (gate.kind === "polygon" && gate.vertices) {
    const pts = gate.vertices.map((v) => [frame.px(v[0]), frame.py(v[1])]);
    keyed(L.shapes, used, "shape", "polygon", { class: "gate-shape", "data-gate": id, "data-population": gate.populations[0],
                                                  points: pts.map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" ") });
    if (movable) {
      pts.forEach((p, k) => {
        const q = pts[(k + 1) % pts.length];
        keyed(L.edges, used, "e" + k, "line", { class: "edge", "data-gate": id, "data-edge": k, x1: p[0], y1: p[1], x2: q[0], y2: q[1] });
        handle("v" + k, p[0], p[1], { "data-vertex": k });
      });
      const s = fig.selectedVertex;
      if (s !== null && s !== undefined && s < pts.length && pts.length > 3) {
        const [x, y] = pts[s];
        const g = keyed(L.handles, used, "remove", "g", { class: "remove-vertex", "data-gate": id, "data-vertex": s,
                                                           transform: "translate(" + (x + 11) + "," + (y - 11) + ")" });
        if (!g.firstChild) {
          const t = svg("text", { x: 0, y: 4, "text-anchor": "middle" });
          t.textContent = "×";
          const title = svg("title");
          title.textContent = "Remove this vertex";
          g.append(svg("circle", { r: 7 }), t, title);
        }
      }
    }
  } else if (gate.kind === "rectangle" && gate.sides && j === undefined) {
    // A range on one dimension, over the histogram.
    const s = gate.sides[i];
    const x0 = xs(s.min, frame.left), x1 = xs(s.max, frame.right);
    keyed(L.shapes, used, "shape", "rect", { class: "gate-shape range", "data-gate": id, "data-population": gate.populations[0],
                                               x: Math.min(x0, x1), y: frame.top, width: Math.abs(x1 - x0), height: frame.bottom - frame.top });
    for (const end of ["min", "max"]) {
      if (s[end] === null || s[end] === undefined) continue;
      const x = xs(s[end]);
      keyed(L.shapes, used, "line-" + end, "line", { class: "gate-line", "data-gate": id, x1: x, x2: x, y1: frame.top, y2: frame.bottom });
      if (!movable) continue;
      const cut = info.cutAt(gate, i, end);
      if (cut) handle("cut-" + end, x, frame.top + 14, { "data-handle": "cut", "data-cut": cut, "data-end": end, "data-side": i });
      else handle(end + i, x, frame.top + 14, { "data-end": end, "data-side": i });
    }
  } else if (gate.kind === "rectangle" && gate.sides) {
    const sx = gate.sides[i], sy = gate.sides[j];
    const x0 = xs(sx.min, frame.left), x1 = xs(sx.max, frame.right);
    const y0 = ys(sy.min, frame.bottom), y1 = ys(sy.max, frame.top);
    keyed(L.shapes, used, "shape", "rect", { class: "gate-shape", "data-gate": id, "data-population": gate.populations[0],
                                               x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) });
    if (movable) {
      const my = (y0 + y1) / 2, mx = (x0 + x1) / 2;
      if (sx.min !== undefined && sx.min !== null) handle("min" + i, x0, my, { "data-end": "min", "data-side": i });
      if (sx.max !== undefined && sx.max !== null) handle("max" + i, x1, my, { "data-end": "max", "data-side": i });
      if (sy.min !== undefined && sy.min !== null) handle("min" + j, mx, y0, { "data-end": "min", "data-side": j });
      if (sy.max !== undefined && sy.max !== null) handle("max" + j, mx, y1, { "data-end": "max", "data-side": j });
    }
  } else if (gate.kind === "quadrant" && gate.centre) {
    const cx = frame.px(frame.clampX(gate.centre[0])), cy = frame.py(frame.clampY(gate.centre[1]));
    keyed(L.shapes, used, "shape", "path", { class: "gate-shape quadrant", "data-gate": id,
      d: "M" + cx + " " + frame.top + "V" + frame.bottom + "M" + frame.left + " " + cy + "H" + frame.right });
    for (const q of gate.quadrants || []) {
      const left = q.x === "below", low = q.y === "below";
      const x = left ? frame.left : cx, y = low ? cy : frame.top;
      keyed(L.shapes, used, "hit-" + q.id, "rect", { class: "quadrant-hit", "data-gate": id, "data-population": q.id,
        x, y, width: Math.max(0, left ? cx - frame.left : frame.right - cx), height: Math.max(0, low ? frame.bottom - cy : cy - frame.top) });
      const label = keyed(L.labels, used, "label-" + q.id, "text", { class: "quadrant-label", "data-population": q.id,
        x: left ? frame.left + 4 : frame.right - 4, y: low ? frame.bottom - 5 : frame.top + 12, "text-anchor": left ? "start" : "end" });
      label.textContent = q.id + " " + info.percent(q.id);
    }
    if (movable) handle("centre", cx, cy);
  }
  for (const g of [L.shapes, L.edges, L.handles, L.labels]) prune(g, used);
}

/** The overlay point of a pointer event, in the overlay's own pixels. */
function point(svgRoot, e) {
  const r = svgRoot.getBoundingClientRect();
  return [(e.clientX - r.left) * BOX.width / r.width, (e.clientY - r.top) * BOX.height / r.height];
}

/**
 * Wires the pointer interactions of one figure. `fig.edit(change)` receives, in display
 * units: {type: "vertex", index, x, y} | {type: "side", side, end, value} |
 * {type: "centre", x, y} | {type: "cut", name, value} | {type: "addVertex", after, x, y} |
 * {type: "removeVertex", index} | {type: "end"}; `fig.select(population)` a clicked one.
 */
export function wireOverlay(fig) {
  const root = fig.overlay;
  let drag = null;
  root.addEventListener("pointerdown", (e) => {
    const h = e.target.closest("circle.handle");
    const remove = e.target.closest("g.remove-vertex");
    if (remove) {
      e.preventDefault();
      fig.edit({ type: "removeVertex", index: Number(remove.getAttribute("data-vertex")) });
      return;
    }
    if (!h) return;
    e.preventDefault();
    const key = h.getAttribute("data-handle");
    if (key.startsWith("v") && (e.altKey || e.shiftKey)) {
      fig.edit({ type: "removeVertex", index: Number(h.getAttribute("data-vertex")) });
      return;
    }
    if (key.startsWith("v")) fig.selectVertex(Number(h.getAttribute("data-vertex")));
    drag = { key, cut: h.getAttribute("data-cut"), end: h.getAttribute("data-end"), side: Number(h.getAttribute("data-side")),
             vertex: Number(h.getAttribute("data-vertex")), pointer: e.pointerId };
    root.setPointerCapture(e.pointerId);
    root.classList.add("dragging");
  });
  root.addEventListener("pointermove", (e) => {
    if (!drag || e.pointerId !== drag.pointer) return;
    const [px, py] = point(root, e);
    const f = fig.frame, x = f.clampX(f.x(px)), y = f.clampY(f.y(py));
    if (drag.key === "cut") fig.edit({ type: "cut", name: drag.cut, value: x });
    else if (drag.key === "centre") fig.edit({ type: "centre", x, y });
    else if (drag.key.startsWith("v")) fig.edit({ type: "vertex", index: drag.vertex, x, y });
    else fig.edit({ type: "side", side: drag.side, end: drag.end, value: drag.side === fig.dimIdx[0] ? x : y });
  });
  const finish = (e) => {
    if (!drag || e.pointerId !== drag.pointer) return;
    drag = null;
    root.classList.remove("dragging");
    if (root.hasPointerCapture(e.pointerId)) root.releasePointerCapture(e.pointerId);
    fig.edit({ type: "end" });
  };
  root.addEventListener("pointerup", finish);
  root.addEventListener("pointercancel", finish);
  root.addEventListener("dblclick", (e) => {
    const edge = e.target.closest("line.edge");
    if (!edge) return;
    e.preventDefault();
    const [px, py] = point(root, e);
    fig.edit({ type: "addVertex", after: Number(edge.getAttribute("data-edge")), x: fig.frame.x(px), y: fig.frame.y(py) });
  });
  root.addEventListener("click", (e) => {
    if (e.target.closest("circle.handle, g.remove-vertex, line.edge")) return;
    const shape = e.target.closest("[data-population]");
    if (shape) fig.select(shape.getAttribute("data-population"));
  });
}
