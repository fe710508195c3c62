import ArgumentParser
import CytoCore
import CytoFCS
import Foundation

/// `cytoreset anonymize`: remove identifying keywords, keep the data bit-exact.
struct Anonymize: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Remove or replace keywords that can identify a patient; DATA is copied byte for byte.",
    discussion: reflow("""
      Removed by default: \(FCSAnonymizer.defaultKeywords.joined(separator: ", ")).
      With --dates remove also: \(FCSAnonymizer.dateKeywords.joined(separator: ", ")).
      The report lists each keyword changed, never its old value.

      EXAMPLES
        cytoreset anonymize visit3.fcs -o visit3-anon.fcs
        cytoreset anonymize visit3.fcs -o anon.fcs --dates remove --keyword "TUBE NAME" --set '$SMNO=P007-V3'
        cytoreset anonymize visit3.fcs -o anon.fcs --action redact --json
      """))

  enum Dates: String, ExpressibleByArgument, CaseIterable { case keep, remove }

  @Argument(help: "The FCS file to anonymize.")
  var input: String

  @Option(name: .shortAndLong, help: "Where to write the anonymized file (must differ from the input).")
  var output: String

  @Option(help: "Acquisition dates and times: keep or remove.")
  var dates: Dates = .keep

  @Option(name: .customLong("keyword"), help: "A further keyword to treat as identifying (repeatable).")
  var extraKeywords: [String] = []

  @Option(name: .customLong("set"), help: "Set KEY=VALUE after removal, e.g. a pseudonym (repeatable).")
  var replacements: [String] = []

  @Option(help: "What to do with identifying keywords: remove, or redact (value ANONYMIZED).")
  var action: FCSAnonymizer.Action = .remove

  @Flag(help: "Print the report as JSON.")
  var json = false

  func validate() throws {
    if URL(fileURLWithPath: input).standardizedFileURL == URL(fileURLWithPath: output).standardizedFileURL {
      throw ValidationError("-o must name a new file, not the input")
    }
    for r in replacements where !r.contains("=") { throw ValidationError("--set takes KEY=VALUE, got '\(r)'") }
  }

  func run() throws {
    let sets = replacements.map { r -> (keyword: String, value: String) in
      let i = r.firstIndex(of: "=")!
      return (String(r[..<i]), String(r[r.index(after: i)...]))
    }
    let policy = FCSAnonymizer.Policy(keywords: FCSAnonymizer.defaultKeywords + extraKeywords,
                                      removeDates: dates == .remove, action: action, replacements: sets)
    try forEachInput([input]) { path in
      let file = try FCSFile(contentsOf: path)
      let changes = try FCSAnonymizer(policy: policy).anonymize(file, to: output)
      if json {
        let j = JSONValue.object([
          ("schema", .string("cytoreset.anonymize/1")), ("input", .string(path)), ("output", .string(output)),
          ("changes", .array(changes.map { .object([("dataSet", .int($0.dataSet)), ("keyword", .string($0.keyword)),
                                                    ("action", .string($0.action))]) })),
        ])
        print(j.serialized())
      } else {
        print("\(output): \(changes.isEmpty ? "no identifying keywords found" : "\(changes.count) keyword change(s)")")
        for c in changes { print("  data set \(c.dataSet): \(c.action) \(c.keyword)") }
      }
    }
  }
}

extension FCSAnonymizer.Action: ExpressibleByArgument {}
