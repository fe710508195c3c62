import CytoReport

/// The page at `/`: the review page (issue #14). Its scripts are ES modules embedded in the
/// binary (`Resources/*.js`, served at `/app.js` and `/js/NAME.js`) and its stylesheet
/// `/app.css`; nothing is fetched from another origin (the Content-Security-Policy forbids
/// it, and inline scripts and styles too).
///
/// Views, chosen by the address's hash (docs/serve-api.md): the cohort (`#/`), a patient
/// (`#/patients/ID`) and a visit's review (`#/review/PATIENT/VISIT[/VERSION]`).
///
/// The only data in the HTML itself is the store's file name and, for browsers without
/// JavaScript, a `<noscript>` list of the patients and visits, every string through
/// `htmlEscaped`. The scripts write data with `textContent` and attributes only, never
/// `innerHTML`.
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
      <script type="module" src="/app.js"></script>
      </head>
      <body>
      <header class="top"><h1><a href="#/">CytoReset review</a></h1><span class="store">Store: <code>\(htmlEscaped(doc.store))</code></span></header>
      <p id="error" role="alert" hidden></p>
      <main>
      <section id="cohort-view" hidden><h2>Patients and visits</h2><p id="cohort-status">Loading…</p>
      <table id="patients" class="visits"></table></section>
      <section id="patient-view" hidden><p class="crumbs"><a href="#/">← Cohort</a></p><h2 id="patient-title"></h2>
      <dl id="patient-facts" class="facts"></dl>
      <p><a id="patient-report" class="report-link" href="/">Time-series report: B cells, CAR T cells, subsets, T cells</a></p>
      <table id="patient-visits" class="visits"></table></section>
      \(reviewSection)
      <noscript><p>The review page needs JavaScript. The store's patients and visits (review status):</p><ul>
      \(fallback)</ul></noscript>
      </main>
      </body>
      </html>

      """
  }

  /// The review view: plots, counts, the save form, "apply to later visits" and the history.
  static let reviewSection = """
    <section id="review" data-state="loading" hidden>
    <p class="crumbs"><a href="#/">← Cohort</a> · <a id="review-patient" href="#/">Patient</a></p>
    <h2 id="review-title"></h2><div id="version-info"></div><div id="review-file"></div>
    <div class="review-layout">
    <div id="plots"></div>
    <aside class="side">
    <h3>Populations</h3>
    <p class="hint">Live counts of the page's gates. Click a population (or a gate) to highlight its events on every ancestor's plot.</p>
    <table id="counts"><thead><tr><th>Population</th><th>Count</th><th>% of parent</th><th>Stored</th></tr></thead><tbody></tbody></table>
    <p id="changes-summary"></p><button id="reset-changes" type="button">Undo all changes</button>
    <h3>Save the review</h3>
    <label class="field">Reviewer <input id="reviewer" type="text" maxlength="2000" autocomplete="name" required></label>
    <label class="field">Reason <textarea id="reason" rows="3" maxlength="2000" required></textarea></label>
    <div class="buttons"><button id="save-draft" type="button">Save draft</button><button id="approve" type="button">Approve</button></div>
    <output id="save-result"></output>
    <h3>Apply to later visits</h3>
    <div id="apply-visits"></div><p id="apply-note"></p>
    <button id="apply-later" type="button">Apply to later visits</button>
    <output id="apply-result"></output>
    <h3>History</h3>
    <ol id="history" class="history"></ol>
    </aside>
    </div>
    <p class="help">Drag a gate's handles: polygon vertices (double-click an edge to add one; Alt- or Shift-click a vertex, or its × button, to remove it), rectangle sides, quadrant centres, and cut lines (a cut moves every gate that uses it). Counts follow every move; "Save draft" stores the page's gates as a new version, "Approve" makes it the version the series use.</p>
    </section>
    """

  /// The stylesheet (`Resources/app.css`).
  static let css = String(decoding: PackageResources.app_css, as: UTF8.self)

  /// The entry module (`Resources/app.js`).
  static let javascript = String(decoding: PackageResources.app_js, as: UTF8.self)

  /// The other modules, served at `/js/NAME` (`Resources/NAME`).
  static let modules: [(name: String, source: String)] = [
    ("api.js", PackageResources.api_js), ("dom.js", PackageResources.dom_js), ("cohort.js", PackageResources.cohort_js),
    ("review.js", PackageResources.review_js), ("figures.js", PackageResources.figures_js), ("plot.js", PackageResources.plot_js),
    ("overlay.js", PackageResources.overlay_js), ("forms.js", PackageResources.forms_js),
  ].map { ($0.0, String(decoding: $0.1, as: UTF8.self)) }
}
