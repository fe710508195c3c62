import CytoReport

/// The page at `/`: a cohort list (patients, visits, review status) filled by `app.js` from
/// `GET /api/patients`. Everything is served from the binary; nothing is fetched from another
/// origin (the Content-Security-Policy forbids it). The interactive gate review is a later
/// slice of issue #14, and the page says so.
///
/// The only data in the HTML itself is the store's file name and, for browsers without
/// JavaScript, a `<noscript>` list of the patients and visits, every string through
/// `htmlEscaped`. The script writes data with `textContent` only, never `innerHTML`.
enum IndexPage {
  /// The Content-Security-Policy of the page: scripts, styles and fetches from this server only.
  static let contentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

  static func html(_ doc: PatientsDocument) -> String {
    var fallback = ""
    for p in doc.patients {
      fallback += "<li>" + htmlEscaped(p.id) + ": "
      fallback += p.visits.map { htmlEscaped($0.visit) + " (" + htmlEscaped($0.review.rawValue) + ")" }.joined(separator: ", ")
      fallback += "</li>\n"
    }
    return """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>CytoReset review — \(htmlEscaped(doc.store))</title>
      <link rel="stylesheet" href="/app.css">
      <script src="/app.js" defer></script>
      </head>
      <body>
      <header><h1>CytoReset review</h1><p class="store">Store: <code>\(htmlEscaped(doc.store))</code></p></header>
      <p class="notice">First slice of the review server: the cohort, its visits and their stored analyses, read-only.
      Gate review (moving gates with live counts, approving with a reason) comes in a later version.</p>
      <main>
      <section id="cohort"><h2>Patients and visits</h2><p id="status">Loading…</p><table id="patients" hidden>
      <thead><tr><th>Patient</th><th>Visit</th><th>Day</th><th>Infusion</th><th>File</th><th>Analyses</th><th>Review</th></tr></thead>
      <tbody></tbody></table></section>
      <section id="visit" hidden><h2 id="visit-title"></h2><p id="visit-file"></p>
      <table id="populations"><thead><tr><th>Population</th><th>Parent</th><th>Count</th><th>% of parent</th></tr></thead><tbody></tbody></table>
      <h3>Versions</h3><ol id="history"></ol></section>
      <noscript><ul>
      \(fallback)</ul></noscript>
      </main>
      </body>
      </html>

      """
  }

  static let css = """
    body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
    h1 { font-size: 1.4em; margin: 0; }
    .notice { background: #fff7d6; border: 1px solid #e5d38a; padding: .5em .8em; max-width: 60em; }
    table { border-collapse: collapse; margin: .5em 0 1.5em; }
    th, td { border-bottom: 1px solid #ddd; padding: .25em .7em; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    button.link { background: none; border: none; color: #0645ad; cursor: pointer; padding: 0; font: inherit; text-decoration: underline; }
    .review-pending { color: #8a6d00; } .review-changed { color: #b35c00; } .review-approved { color: #1a7f37; }
    .missing { color: #b00020; }

    """

  /// The script. Strings from the API only ever reach the page through `textContent`.
  static let javascript = """
    "use strict";
    function el(tag, text, cls) {
      const e = document.createElement(tag);
      if (text !== undefined && text !== null) e.textContent = String(text);
      if (cls) e.className = cls;
      return e;
    }
    async function getJSON(url) {
      const r = await fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      const body = await r.json();
      if (!r.ok) throw new Error(body.message || ("HTTP " + r.status));
      return body;
    }
    function visitURL(patient, visit) {
      return "/api/patients/" + encodeURIComponent(patient) + "/visits/" + encodeURIComponent(visit);
    }
    function fmt(x) { return (x === null || x === undefined) ? "" : (typeof x === "number" ? x.toLocaleString("en", { maximumFractionDigits: 2 }) : String(x)); }
    async function showVisit(patient, visit) {
      const section = document.getElementById("visit");
      section.hidden = false;
      document.getElementById("visit-title").textContent = patient + " · " + visit;
      const fileLine = document.getElementById("visit-file");
      const body = section.querySelector("#populations tbody");
      body.replaceChildren();
      const history = document.getElementById("history");
      history.replaceChildren();
      try {
        const v = await getJSON(visitURL(patient, visit));
        const a = v.file.availability;
        fileLine.textContent = "File " + v.file.name + " (SHA-256 " + v.file.sha256.slice(0, 12) + "…): " +
          (a.available ? "available" : a.status + (a.detail ? " — " + a.detail : ""));
        fileLine.className = a.available ? "" : "missing";
        for (const p of v.populations) {
          const tr = document.createElement("tr");
          tr.append(el("td", p.label + " (" + p.id + ")"), el("td", p.parent || ""), el("td", fmt(p.count), "num"),
                    el("td", p.percentOfParent !== null && p.percentOfParent !== undefined ? fmt(p.percentOfParent) :
                             (p.percentOfParentLessThan !== undefined && p.percentOfParentLessThan !== null ? "< " + fmt(p.percentOfParentLessThan) : ""), "num"));
          body.append(tr);
        }
        const h = await getJSON(visitURL(patient, visit) + "/history");
        for (const x of h.versions) {
          history.append(el("li", "version " + x.version + " · " + x.analysisTime + " · gating " + x.gatingHash.slice(0, 12) +
                                  (x.note ? " · " + x.note : "") + (x.current ? " · current" : "")));
        }
      } catch (err) {
        fileLine.textContent = "Could not load the visit: " + err.message;
        fileLine.className = "missing";
      }
    }
    async function main() {
      const status = document.getElementById("status");
      try {
        const doc = await getJSON("/api/patients");
        const table = document.getElementById("patients");
        const body = table.querySelector("tbody");
        for (const p of doc.patients) {
          for (const v of p.visits) {
            const tr = document.createElement("tr");
            const open = el("button", v.visit, "link");
            open.type = "button";
            open.addEventListener("click", () => showVisit(p.id, v.visit));
            const visitCell = el("td");
            visitCell.append(open);
            tr.append(el("td", p.id), visitCell, el("td", fmt(v.day), "num"), el("td", fmt(v.infusion), "num"), el("td", v.fileName),
                      el("td", v.analyses.join(", ")), el("td", v.review, "review-" + v.review));
            body.append(tr);
          }
        }
        status.textContent = doc.patients.length + " patient(s) in " + doc.store;
        table.hidden = false;
      } catch (err) {
        status.textContent = "Could not load the patients: " + err.message;
      }
    }
    main();

    """
}
