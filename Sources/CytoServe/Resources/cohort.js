// The cohort view (#/) and the patient view (#/patients/ID): visits with their day, file
// availability and review status, each linked to its review; the patient's time-series
// report is the server-rendered page /patients/ID/report.
"use strict";
import { eachLimited, getJSON } from "/js/api.js";
import { byId, el, fmtCount, patientHash, reportPath, reviewHash, showError, visitPath } from "/js/dom.js";

/** One table row per visit: `tr[data-patient][data-visit]`. */
function visitRow(p, v, { withPatient }) {
  const tr = el("tr", { attrs: { "data-patient": p.id, "data-visit": v.visit } });
  if (withPatient) {
    const cell = el("td", { class: "patient" });
    cell.append(el("a", { class: "patient-link", text: p.id, attrs: { href: patientHash(p.id) } }), " ",
                el("a", { class: "report-link small", text: "report", attrs: { href: reportPath(p.id) } }));
    tr.append(cell);
  }
  const versions = v.analyses.length > 1 ? v.analyses.length + " versions, series use " + v.currentAnalysis : "1 version";
  tr.append(
    el("td", { class: "visit", text: v.visit }),
    el("td", { class: "num day", text: v.day }),
    el("td", { class: "num", text: v.infusion }),
    el("td", { class: "date", text: v.collectionDate || "—" }),
    el("td", { class: "file" }, el("span", { class: "file-name", text: v.fileName }), " ",
       el("span", { class: "file-status checking", text: "checking…" })),
    el("td", { class: "versions", text: versions }),
    el("td", { class: "review-status review-" + v.review, text: v.review }),
    el("td", {}, el("a", { class: "review-link", text: "Review", attrs: { href: reviewHash(p.id, v.visit) } })));
  return tr;
}

function header(withPatient) {
  const names = ["Visit", "Day", "Infusion", "Collected", "FCS file", "Analyses", "Review", ""];
  return el("thead", {}, el("tr", {}, ...(withPatient ? ["Patient", ...names] : names).map((n) => el("th", { text: n }))));
}

/** Fills every row's `.file-status` from the visit document (three requests at a time). */
function checkFiles(rows, isCurrent) {
  eachLimited(rows, 3, async ({ tr, patient, visit }) => {
    const cell = tr.querySelector(".file-status");
    try {
      const doc = await getJSON(visitPath(patient, visit));
      if (!isCurrent()) return;
      const a = doc.file.availability;
      cell.textContent = a.available ? "available" : a.status;
      cell.className = "file-status " + (a.available ? "available" : "unavailable");
      if (!a.available && a.detail) cell.title = a.detail;
    } catch (err) {
      if (!isCurrent()) return;
      cell.textContent = "unknown";
      cell.className = "file-status unavailable";
      cell.title = err.message;
    }
  });
}

let generation = 0;

/** The cohort view. */
export async function showCohort() {
  const my = ++generation;
  const section = byId("cohort-view");
  const table = byId("patients");
  const status = byId("cohort-status");
  status.textContent = "Loading…";
  table.replaceChildren();
  try {
    const doc = await getJSON("/api/patients");
    if (my !== generation) return;
    const body = el("tbody");
    const rows = [];
    for (const p of doc.patients) {
      for (const v of p.visits) {
        const tr = visitRow(p, v, { withPatient: true });
        rows.push({ tr, patient: p.id, visit: v.visit });
        body.append(tr);
      }
    }
    table.append(header(true), body);
    const visits = rows.length;
    status.textContent = doc.patients.length + " patient(s), " + fmtCount(visits) + " visit(s) in " + doc.store + ".";
    checkFiles(rows, () => my === generation && !section.hidden);
  } catch (err) {
    status.textContent = "";
    showError("Could not load the patients: " + err.message);
  }
}

/** The patient view: attributes, visits and the link to the time-series report. */
export async function showPatient(id) {
  const my = ++generation;
  const section = byId("patient-view");
  byId("patient-title").textContent = "Patient " + id;
  const facts = byId("patient-facts");
  const table = byId("patient-visits");
  facts.replaceChildren();
  table.replaceChildren();
  const link = byId("patient-report");
  link.setAttribute("href", reportPath(id));
  try {
    const doc = await getJSON("/api/patients");
    if (my !== generation) return;
    const p = doc.patients.find((x) => x.id === id);
    if (!p) { showError("No patient " + id + " in the store."); return; }
    const fact = (k, v) => { if (v !== undefined && v !== null && v !== "") facts.append(el("dt", { text: k }), el("dd", { text: v })); };
    fact("Diagnosis", p.diagnosis);
    fact("Product", p.product);
    fact("Infusion", (p.infusionDates || []).join(", "));
    fact("Age / sex", [p.age, p.sex].filter((x) => x !== undefined && x !== null).join(" / "));
    fact("Visits", p.visits.length);
    const body = el("tbody");
    const rows = p.visits.map((v) => {
      const tr = visitRow(p, v, { withPatient: false });
      body.append(tr);
      return { tr, patient: p.id, visit: v.visit };
    });
    table.append(header(false), body);
    checkFiles(rows, () => my === generation && !section.hidden);
  } catch (err) {
    showError("Could not load patient " + id + ": " + err.message);
  }
}
