import ArgumentParser
import CytoClinical
import CytoStore
import Foundation

/// `cytoreset clinical rules`: prints or sets the store's clinical rules.
struct ClinicalRulesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rules",
    abstract: "Print or set the store's clinical rules (lab ALC window, IgG threshold, IVIG window).",
    discussion: reflow("""
      Without options, prints the rules the store uses (the defaults when it sets none):
      alcWindowDays (a lab ALC at most this many days from a flow visit gives a visit without
      a count method of its own its dual-platform count; default 1), hypogammaglobulinaemiaIgGBelow
      (g/L; default 4 = 400 mg/dL, Hill et al. 2019) and ivigConfoundingDays (default 28).

      With options, checks the new rules (window 0–14 days, IgG > 0 and ≤ 30 g/L, IVIG window
      0–365 days) and stores them in /clinical@rules_json in one atomic commit. When the ALC
      window changes, every visit's lab-derived count is re-derived in the same commit (a new
      analysis version for each visit whose count changes, one line each). Out-of-range rules
      are refused and the store is not changed. Text output: one "name<TAB>value<TAB>unit" line
      per rule; JSON: schema cytoreset.clinical-rules/1 (docs/cli-json.md).

      EXAMPLES
        cytoreset clinical rules --store cohort.h5
        cytoreset clinical rules --store cohort.h5 --alc-window-days 0
        cytoreset clinical rules --store cohort.h5 --igg-below 7 --ivig-days 84 --format json
      """))

  enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

  @Option(help: "The HDF5 store.")
  var store: String

  @Option(help: "Days either side of a flow visit in which a lab ALC gives its dual-platform count (0–14).")
  var alcWindowDays: Double?

  @Option(help: "IgG below this many g/L is hypogammaglobulinaemia (> 0, ≤ 30).")
  var iggBelow: Double?

  @Option(help: "Days after an IVIG dose in which an IgG is flagged as confounded (0–365).")
  var ivigDays: Double?

  @Option(help: "Output format: text or json.")
  var format: Format = .text

  func run() throws {
    // The reader is closed before a commit renames a new store over this one.
    var rules = try { () throws -> ClinicalContextRules in
      let reader = try openStore(store)
      return try readStore { () throws(StoreError) in try reader.clinicalRules() }
    }()
    var changes: [LabCountChange] = []
    if alcWindowDays != nil || iggBelow != nil || ivigDays != nil {
      rules.alcWindowDays = alcWindowDays ?? rules.alcWindowDays
      rules.hypogammaglobulinaemiaIgGBelow = iggBelow ?? rules.hypogammaglobulinaemiaIgGBelow
      rules.ivigConfoundingDays = ivigDays ?? rules.ivigConfoundingDays
      do {
        try rules.validate()
      } catch {
        let option = ["alcWindowDays": "--alc-window-days", "hypogammaglobulinaemiaIgGBelow": "--igg-below", "ivigConfoundingDays": "--ivig-days"]
        printError("cytoreset: \(store): \(option[error.key] ?? error.key) \(error.detail); the store was not changed")
        throw ExitCode(1)
      }
      do {
        let outcome = try CohortStore.setClinicalRules(rules, in: store, cytoresetVersion: CytoResetVersion.current)
        changes = outcome.labCounts
        if !outcome.changedStore { printError("\(store): the rules are already these; nothing changed") }
      } catch {
        printError("cytoreset: \(error)")
        throw ExitCode(1)
      }
    }
    var out = StandardOutput()
    switch format {
    case .text:
      out.write("alcWindowDays\t\(rules.alcWindowDays.clinicalText)\tdays\n")
      out.write("hypogammaglobulinaemiaIgGBelow\t\(rules.hypogammaglobulinaemiaIgGBelow.clinicalText)\tg/L\n")
      out.write("ivigConfoundingDays\t\(rules.ivigConfoundingDays.clinicalText)\tdays\n")
      for c in changes { out.write(c.description + "\n") }
    case .json:
      struct Document: Encodable {
        var schema = "cytoreset.clinical-rules/1"
        var store: String
        var rules: ClinicalContextRules
        var labCounts: [String]
      }
      let e = JSONEncoder()
      e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      out.write(String(decoding: try e.encode(Document(store: store, rules: rules, labCounts: changes.map(\.description))), as: UTF8.self) + "\n")
    }
    out.flush()
  }
}
