// DOM helpers. Data from the API only ever reaches the page through textContent and
// attribute values set with setAttribute; nothing is parsed as markup.
"use strict";

// The SVG namespace, as the HTML parser assigns it to an <svg> element (the scripts hold no URLs).
const SVG_NS = new DOMParser().parseFromString("<svg></svg>", "text/html").querySelector("svg").namespaceURI;

/** An HTML element: el("td", {class: "count", text: 12, attrs: {"data-x": "1"}}, child…). */
export function el(tag, options = {}, ...children) {
  const e = document.createElement(tag);
  configure(e, options);
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** An SVG element with attributes. */
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function configure(e, { class: cls, text, attrs, title } = {}) {
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (title) e.title = String(title);
  if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : String(v));
}

/** Sets several attributes of an element (null removes one). */
export function setAttrs(e, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) e.removeAttribute(k); else e.setAttribute(k, String(v));
  }
}

export function byId(id) { return document.getElementById(id); }

/** A count with thousands separators. */
export function fmtCount(n) { return (n === null || n === undefined) ? "—" : Number(n).toLocaleString("en"); }

/** A percentage with two decimals, or "—". */
export function fmtPercent(p) {
  if (p === null || p === undefined || typeof p !== "number" || !isFinite(p)) return "—";
  return p.toFixed(2);
}

/** A display-unit value: 3 significant decimals for small numbers, thousands for large ones. */
export function fmtValue(v) {
  if (typeof v !== "number" || !isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en");
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(3);
}

/** Shows `message` in the visible #error line (empty: hides it). */
export function showError(message) {
  const e = byId("error");
  e.textContent = message || "";
  e.hidden = !message;
}

export function clearError() { showError(""); }

/** The URL path of a visit in the API. */
export function visitPath(patient, visit) {
  return "/api/patients/" + encodeURIComponent(patient) + "/visits/" + encodeURIComponent(visit);
}

/** The hash route of a visit's review (`#/review/P01/day%2B014[/3]`). */
export function reviewHash(patient, visit, version) {
  return "#/review/" + encodeURIComponent(patient) + "/" + encodeURIComponent(visit) + (version ? "/" + version : "");
}

export function patientHash(patient) { return "#/patients/" + encodeURIComponent(patient); }

export function reportPath(patient) { return "/patients/" + encodeURIComponent(patient) + "/report"; }
