// The review's version line, its history, the save/approve form and "apply to later visits".
"use strict";
import { postJSON } from "/js/api.js";
import { byId, clearError, el, fmtValue, reviewHash, showError } from "/js/dom.js";

/** A stored shape in words: `polygon (12 vertices)`, `rectangle CD19 ≥ 0.40`, `quadrant at (0.42, 0.44)`. */
function shapeText(shape) {
  if (!shape) return "—";
  if (shape.polygon) return "polygon (" + shape.polygon.vertices.length + " vertices)";
  if (shape.rectangle) {
    return "rectangle " + shape.rectangle.sides.map((s) => {
      const m = s.dimension.marker;
      return [s.min !== undefined ? m + " ≥ " + fmtValue(s.min) : null, s.max !== undefined ? m + " < " + fmtValue(s.max) : null]
        .filter(Boolean).join(", ");
    }).join(", ");
  }
  if (shape.quadrant) return "quadrant at (" + fmtValue(shape.quadrant.xAt) + ", " + fmtValue(shape.quadrant.yAt) + ")";
  return Object.keys(shape)[0] || "—";
}

/** One stored change (`ReviewChange`) in words. */
export function changeText(c) {
  if (c.cut) return "cut " + c.cut.name + ": " + fmtValue(c.cut.before) + " → " + fmtValue(c.cut.after);
  if (c.gate) return "gate " + c.gate.id + ": " + shapeText(c.gate.before) + " → " + shapeText(c.gate.after);
  return JSON.stringify(c);
}

const STATUS_WORDS = { draft: "draft", proposed: "proposed", approved: "approved" };

/** The line naming the version under review and what it is. */
export function renderReviewInfo(page) {
  const d = page.doc, r = d.versionReview;
  const out = byId("version-info");
  out.replaceChildren();
  const kind = r ? STATUS_WORDS[r.status] || r.status : "automated analysis";
  out.append(el("span", { class: "version-number", text: "Version " + d.version }),
             " of " + d.latestVersion + (d.version === d.latestVersion ? " (latest)" : "") + " · ",
             el("span", { class: "version-kind kind-" + (r ? r.status : "automated"), text: kind }),
             d.version === d.currentAnalysis ? " · used by the series" : " · the series use version " + d.currentAnalysis,
             " · visit review: ", el("span", { class: "visit-review review-" + d.review, text: d.review }),
             " · " + d.events.toLocaleString("en") + " events");
  if (r) {
    out.append(el("div", { class: "version-review",
      text: "by " + r.reviewer + ", " + r.time + (r.appliedFrom ? ", applied from " + r.appliedFrom.visit + " version " + r.appliedFrom.version : "") +
            ": " + r.reason }));
  }
  const file = page.visitDoc.file;
  byId("review-file").textContent = "FCS file " + file.name + " (" + (file.availability.available ? "available" : file.availability.status) + ")";
  // Apply to later visits: every later visit, ticked.
  const list = byId("apply-visits");
  list.replaceChildren();
  for (const v of d.laterVisits) {
    const box = el("input", { attrs: { type: "checkbox", value: v, checked: true, name: "apply-visit" } });
    list.append(el("label", { class: "apply-visit" }, box, " " + v));
  }
  renderApply(page, null);
}

/**
 * The version whose changes "apply to later visits" carries: the version shown when its review
 * changed gates or cuts, else the nearest reviewed version it was made from that did (approving
 * a draft unchanged approves the draft's changes).
 */
function applySource(page, versions) {
  const byNumber = new Map(versions.map((v) => [v.version, v]));
  const seen = new Set();
  for (let v = byNumber.get(page.version); v && v.review && !seen.has(v.version); v = byNumber.get(v.review.replaces)) {
    seen.add(v.version);
    if (v.review.changes.length > 0) return v;
  }
  return null;
}

/** Enables "Apply to later visits" when there is a reviewed change to carry (`versions`: the history, null before it loads). */
function renderApply(page, versions) {
  const d = page.doc;
  const source = versions ? applySource(page, versions) : null;
  page.applyVersion = source ? source.version : null;
  byId("apply-later").disabled = !source || d.laterVisits.length === 0;
  byId("apply-note").textContent = d.laterVisits.length === 0 ? "No later visits."
    : source ? "Carries the saved changes of version " + source.version + " (" + source.review.changes.map(changeText).join("; ") +
               ") to the chosen visits, each as a proposed version for its own review."
    : versions ? "Save or approve a change first: only a reviewed version's saved changes can be applied." : "";
}

/** The history: every version, who, when, why and what changed. */
export function renderHistory(page, h) {
  const list = byId("history");
  list.replaceChildren();
  for (const v of h.versions.slice().reverse()) {
    const r = v.review;
    const li = el("li", { attrs: { "data-version": v.version }, class: v.version === page.version ? "viewing" : "" });
    const head = el("div", { class: "history-head" });
    head.append(el("a", { class: "version-link", text: "version " + v.version, attrs: { href: reviewHash(page.patient, page.visit, v.version) } }),
                " · ", el("span", { class: "version-kind kind-" + (r ? r.status : "automated"), text: r ? r.status : "automated analysis" }));
    if (v.current) head.append(" · ", el("span", { class: "current-tag", text: "used by the series" }));
    if (v.version === page.version) head.append(" · ", el("span", { class: "viewing-tag", text: "shown" }));
    li.append(head);
    const who = r ? r.reviewer + ", " + r.time + (r.replaces ? ", from version " + r.replaces : "") +
                    (r.appliedFrom ? ", applied from " + r.appliedFrom.visit + " version " + r.appliedFrom.version : "")
                  : "analysed " + v.analysisTime + " by CytoReset " + v.cytoresetVersion;
    li.append(el("div", { class: "history-who", text: who }));
    const why = r ? r.reason : v.note;
    if (why) li.append(el("div", { class: "history-why", text: why }));
    if (r && r.changes.length) {
      const ul = el("ul", { class: "history-changes" });
      for (const c of r.changes) ul.append(el("li", { text: changeText(c) }));
      li.append(ul);
    } else if (r) {
      li.append(el("div", { class: "history-changes", text: "no gate changed" }));
    }
    list.append(li);
  }
  renderApply(page, h.versions);
}

/** Reviewer and reason, or null after telling the user what is missing. */
function signature(out) {
  const reviewer = byId("reviewer"), reason = byId("reason");
  const who = reviewer.value.trim(), why = reason.value.trim();
  reviewer.setAttribute("aria-invalid", who ? "false" : "true");
  reason.setAttribute("aria-invalid", why ? "false" : "true");
  if (who && why) return { reviewer: who, reason: why };
  const missing = [who ? null : "your name", why ? null : "a reason"].filter(Boolean).join(" and ");
  showError("Enter " + missing + " first.");
  out.replaceChildren(el("span", { class: "failed", text: "Not sent: enter " + missing + "." }));
  return null;
}

function busy(on) {
  for (const id of ["save-draft", "approve"]) byId(id).disabled = on;
}

/** Save draft / Approve, Apply to later visits, Reset; `getPage()` is the review shown. */
export function wireForms(getPage, reopen) {
  async function save(decision) {
    const page = getPage(), out = byId("save-result");
    if (!page || page.loading || page.failed) return;
    const who = signature(out);
    if (!who) return;
    busy(true);
    out.replaceChildren(el("span", { text: "Saving…" }));
    try {
      const r = await postJSON(page.url("/reviews"), { version: page.version, latestVersion: page.doc.latestVersion, changes: page.changes,
                                                         reviewer: who.reviewer, reason: who.reason, decision });
      clearError();
      out.replaceChildren(el("span", { class: "saved", attrs: { "data-version": r.version },
        text: (r.review.status === "approved" ? "Approved" : "Saved draft") + " as version " + r.version +
              "; the series use version " + r.currentAnalysis + "; the visit is " + r.state + "." }));
      reopen(page.patient, page.visit, r.version);
    } catch (err) {
      if (err.status === 409 && err.code === "conflict") {
        showError("Not saved: someone saved this visit meanwhile.");
        const reload = el("button", { text: "Reload the newest version", attrs: { type: "button", id: "reload" } });
        reload.addEventListener("click", () => reopen(page.patient, page.visit, null));
        out.replaceChildren(el("span", { class: "conflict", text: "Someone saved a newer version of this visit while you reviewed it (" +
          err.message + "). Reload to review the newest version; your changes here are not saved. " }), reload);
      } else {
        showError("Not saved: " + err.message);
        out.replaceChildren(el("span", { class: "failed", text: "Not saved: " + err.message }));
      }
    } finally {
      busy(false);
    }
  }
  byId("save-draft").addEventListener("click", () => save("save"));
  byId("approve").addEventListener("click", () => save("approve"));
  byId("reset-changes").addEventListener("click", () => { const p = getPage(); if (p) p.resetChanges(); });

  byId("apply-later").addEventListener("click", async () => {
    const page = getPage(), out = byId("apply-result");
    if (!page || page.loading || page.failed) return;
    const who = signature(out);
    if (!who) return;
    const boxes = Array.from(document.querySelectorAll("#apply-visits input[type=checkbox]"));
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    if (chosen.length === 0) { showError("Choose at least one later visit."); return; }
    if (!page.applyVersion) return;
    const body = { version: page.applyVersion, reviewer: who.reviewer, reason: who.reason };
    if (chosen.length !== boxes.length) body.visits = chosen;
    byId("apply-later").disabled = true;
    out.replaceChildren(el("span", { text: "Applying…" }));
    try {
      const r = await postJSON(page.url("/apply"), body);
      clearError();
      const ul = el("ul", { class: "apply-results" });
      for (const x of r.results) {
        const li = el("li", { attrs: { "data-visit": x.visit, "data-status": x.status } });
        li.append(el("strong", { text: x.visit }), ": " + x.status);
        if (x.version) {
          li.append(" as ", el("a", { text: "version " + x.version, attrs: { href: reviewHash(page.patient, x.visit, x.version) } }));
        }
        if (x.applied && x.applied.length) li.append(el("div", { text: "applied: " + x.applied.map(changeText).join("; ") }));
        if (x.notApplied && x.notApplied.length) li.append(el("div", { text: "not applied: " + x.notApplied.join("; ") }));
        if (x.message) li.append(el("div", { text: x.message }));
        ul.append(li);
      }
      out.replaceChildren(ul);
    } catch (err) {
      showError("Not applied: " + err.message);
      out.replaceChildren(el("span", { class: "failed", text: "Not applied: " + err.message }));
    } finally {
      byId("apply-later").disabled = !page.applyVersion;
    }
  });
}
