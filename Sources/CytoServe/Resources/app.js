// The review page's entry module: hash routing between the cohort view (#/), a patient
// (#/patients/ID) and a visit's review (#/review/PATIENT/VISIT[/VERSION]); segments are
// percent-encoded (day+014 is day%2B014). docs/serve-api.md describes the page.
"use strict";
import { showCohort, showPatient } from "/js/cohort.js";
import { byId, clearError, patientHash, reviewHash, showError } from "/js/dom.js";
import { wireForms } from "/js/forms.js";
import { closeReview, currentReview, showReview } from "/js/review.js";

const VIEWS = ["cohort-view", "patient-view", "review"];
let shownVisit = null;

/** Shows one view; the others are emptied, so the page holds one set of rows and plots at a time. */
function show(id) {
  for (const v of VIEWS) byId(v).hidden = v !== id;
  if (id !== "cohort-view") byId("patients").replaceChildren();
  if (id !== "patient-view") byId("patient-visits").replaceChildren();
  if (id !== "review") {
    closeReview();
    for (const r of ["plots", "history", "apply-visits"]) byId(r).replaceChildren();
    byId("counts").querySelector("tbody").replaceChildren();
    shownVisit = null;
  }
}

/** The hash's segments, percent-decoded (null when one is malformed). */
function segments() {
  try {
    return location.hash.replace(/^#\/?/, "").split("/").filter((s) => s !== "").map(decodeURIComponent);
  } catch (_) {
    return null;
  }
}

function route() {
  clearError();
  const parts = segments();
  if (parts === null) {
    showError("This address is not a page of the review server.");
    return;
  }
  if (parts[0] === "patients" && parts.length === 2) {
    show("patient-view");
    showPatient(parts[1]);
  } else if (parts[0] === "review" && (parts.length === 3 || parts.length === 4)) {
    const [, patient, visit, version] = parts;
    if (version !== undefined && !/^[0-9]+$/.test(version)) { showError("Not a version number: " + version); return; }
    const key = patient + "\n" + visit;
    if (key !== shownVisit) {
      // Another visit: the last save or apply results belonged to the previous one.
      byId("save-result").replaceChildren();
      byId("apply-result").replaceChildren();
      shownVisit = key;
    }
    const back = byId("review-patient");
    back.textContent = "Patient " + patient;
    back.setAttribute("href", patientHash(patient));
    show("review");
    showReview(patient, visit, version === undefined ? null : Number(version));
  } else {
    show("cohort-view");
    showCohort();
  }
}

/** Opens a visit's review (a version, or the newest), also when the address is already it. */
function reopen(patient, visit, version) {
  const hash = reviewHash(patient, visit, version);
  if (location.hash === hash) route(); else location.hash = hash;
}

wireForms(currentReview, reopen);
window.addEventListener("hashchange", route);
route();
