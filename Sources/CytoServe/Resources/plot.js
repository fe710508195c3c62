// Plots of the review view: a frame mapping display units to pixels, axes drawn in the SVG
// overlay, density grids (log colour scale) and histograms drawn on a canvas from the
// server's bins (POST …/plots), with a highlighted population for back-gating.
"use strict";
import { svg } from "/js/dom.js";

/** Plot geometry in CSS pixels; app.css positions the canvas with the same numbers. */
export const LAYOUT = { width: 240, height: 240, left: 54, right: 12, top: 10, bottom: 46 };
export const BOX = { width: LAYOUT.left + LAYOUT.width + LAYOUT.right, height: LAYOUT.top + LAYOUT.height + LAYOUT.bottom };

/** Maps display units to overlay pixels and back. `yRange` of a histogram is its counts. */
export function makeFrame(xRange, yRange) {
  const [x0, x1] = xRange, [y0, y1] = yRange;
  const L = LAYOUT;
  return {
    xRange, yRange,
    px: (x) => L.left + (x - x0) / (x1 - x0) * L.width,
    py: (y) => L.top + L.height - (y - y0) / (y1 - y0) * L.height,
    x: (px) => x0 + (px - L.left) / L.width * (x1 - x0),
    y: (py) => y0 + (L.top + L.height - py) / L.height * (y1 - y0),
    clampX: (x) => Math.min(Math.max(x, x0), x1),
    clampY: (y) => Math.min(Math.max(y, y0), y1),
    left: L.left, right: L.left + L.width, top: L.top, bottom: L.top + L.height,
  };
}

/** About `n` round tick values in [lo, hi]. */
export function niceTicks(lo, hi, n = 5) {
  const span = hi - lo;
  if (!(span > 0) || !isFinite(span)) return [lo];
  const raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= n + 1) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** A tick label: `50k` for large linear values, up to 2 decimals otherwise. */
export function tickLabel(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return +(v / 1e6).toFixed(2) + "M";
  if (a >= 1e4) return +(v / 1e3).toFixed(1) + "k";
  if (a >= 100) return String(Math.round(v));
  return String(+v.toFixed(2));
}

/** Draws both axes with ticks and their labels into `g` (an SVG group). */
export function drawAxes(g, frame, xLabel, yLabel) {
  g.replaceChildren();
  const { left, right, top, bottom } = frame;
  g.append(svg("rect", { class: "plot-border", x: left, y: top, width: right - left, height: bottom - top }));
  for (const v of niceTicks(frame.xRange[0], frame.xRange[1])) {
    const x = frame.px(v);
    g.append(svg("line", { class: "tick", x1: x, x2: x, y1: bottom, y2: bottom + 4 }));
    const t = svg("text", { class: "tick-label", x, y: bottom + 15, "text-anchor": "middle" });
    t.textContent = tickLabel(v);
    g.append(t);
  }
  for (const v of niceTicks(frame.yRange[0], frame.yRange[1])) {
    const y = frame.py(v);
    g.append(svg("line", { class: "tick", x1: left - 4, x2: left, y1: y, y2: y }));
    const t = svg("text", { class: "tick-label", x: left - 6, y: y + 3, "text-anchor": "end" });
    t.textContent = tickLabel(v);
    g.append(t);
  }
  const xl = svg("text", { class: "axis-label x-label", x: (left + right) / 2, y: bottom + 34, "text-anchor": "middle" });
  xl.textContent = xLabel;
  const yl = svg("text", { class: "axis-label y-label", x: 0, y: 0, "text-anchor": "middle",
                            transform: "translate(13," + (top + bottom) / 2 + ") rotate(-90)" });
  yl.textContent = yLabel;
  g.append(xl, yl);
}

// Viridis, sampled: the density colour scale (low → high).
const VIRIDIS = [[68, 1, 84], [65, 68, 135], [42, 120, 142], [34, 168, 132], [122, 209, 81], [253, 231, 37]];

function ramp(stops, t) {
  const s = Math.min(Math.max(t, 0), 1) * (stops.length - 1), i = Math.min(Math.floor(s), stops.length - 2), f = s - i;
  return stops[i].map((c, k) => Math.round(c + (stops[i + 1][k] - c) * f));
}

/** log(1 + c) / log(1 + max): the colour position of a bin. */
function logScale(max) {
  const d = Math.log1p(max);
  return (c) => (d > 0 ? Math.log1p(c) / d : 0);
}

/**
 * Draws a density grid: one canvas pixel per bin (CSS scales it up, pixelated), colour on a
 * log scale. With highlight counts the population is grey and the highlighted events orange.
 */
export function drawDensity(canvas, plot) {
  const nx = plot.xBins, ny = plot.yBins;
  canvas.width = nx;
  canvas.height = ny;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(nx, ny);
  const counts = plot.counts, hi = plot.highlightCounts;
  const t = logScale(Math.max(0, ...counts));
  const th = hi ? logScale(Math.max(0, ...hi)) : null;
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const k = iy * nx + ix, c = counts[k];
      const p = ((ny - 1 - iy) * nx + ix) * 4;
      if (c === 0) { image.data[p + 3] = 0; continue; }
      let rgb;
      if (hi && hi[k] > 0) rgb = ramp([[255, 176, 120], [214, 40, 0]], th(hi[k]));
      else if (hi) { const g = Math.round(226 - 120 * t(c)); rgb = [g, g, g]; }
      else rgb = ramp(VIRIDIS, 0.12 + 0.88 * t(c));
      image.data[p] = rgb[0]; image.data[p + 1] = rgb[1]; image.data[p + 2] = rgb[2]; image.data[p + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}

/** The y range of a histogram: 0 to a little above its highest bin. */
export function histogramRange(plot) {
  return [0, Math.max(1, ...plot.counts) * 1.08];
}

/** Draws a histogram as bars; highlighted events as orange bars in front. */
export function drawHistogram(canvas, plot, frame) {
  const scale = 2;
  canvas.width = LAYOUT.width * scale;
  canvas.height = LAYOUT.height * scale;
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const n = plot.xBins, w = canvas.width / n, top = frame.yRange[1];
  const bars = (counts, colour) => {
    ctx.fillStyle = colour;
    for (let i = 0; i < n; i++) {
      if (!counts[i]) continue;
      const h = counts[i] / top * canvas.height;
      ctx.fillRect(i * w, canvas.height - h, Math.max(w - 0.5, 1), h);
    }
  };
  bars(plot.counts, plot.highlightCounts ? "#b9c0c8" : "#4a6fa5");
  if (plot.highlightCounts) bars(plot.highlightCounts, "#d62800");
}
