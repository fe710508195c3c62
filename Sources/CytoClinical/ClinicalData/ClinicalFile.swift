/// Which kind of clinical CSV a file is.
public enum ClinicalFileKind: String, Sendable, CaseIterable {
  /// Lab values (`analyte` column).
  case labs
  /// Events (`kind` column).
  case events

  /// The kind a header names: `analyte` means labs, `kind` events; both or neither is
  /// ambiguous (nil). Only the first record is looked at.
  public static func infer(fromCSV text: String) -> ClinicalFileKind? {
    guard let header = (try? ClinicalCSV.parse(text))?.first?.fields.map({ $0.trimmingSpaces.lowercased() }) else { return nil }
    switch (header.contains("analyte"), header.contains("kind")) {
    case (true, false): return .labs
    case (false, true): return .events
    default: return nil
    }
  }
}

/// The rows of one clinical CSV file, labs or events.
public enum ClinicalFileContent: Sendable, Equatable {
  /// Lab values.
  case labs(LabImport)
  /// Events.
  case events(EventImport)

  /// The file's kind.
  public var kind: ClinicalFileKind {
    switch self {
    case .labs: .labs
    case .events: .events
    }
  }

  /// Reads `text` as `kind`, or as the kind its header names when `kind` is nil
  /// (``ClinicalFileKind/infer(fromCSV:)``).
  /// - Throws: ``ClinicalImportFailure``: an ambiguous header (both or neither of `analyte` and
  ///   `kind`), or every error the reader found.
  public static func read(_ text: String, file: String, kind: ClinicalFileKind?, firstInfusionDate: (String) -> String?)
    throws(ClinicalImportFailure) -> ClinicalFileContent
  {
    var kind = kind
    if kind == nil {
      let records: [ClinicalCSVRecord]
      do { records = try ClinicalCSV.parse(text) } catch {
        throw ClinicalImportFailure([ClinicalIssue(.error, .csvSyntax, file: file, line: error.line, column: error.column, message: error.message)])
      }
      if let header = records.first, let issue = ClinicalTable.separatorIssue(header, file: file) { throw ClinicalImportFailure([issue]) }
      kind = ClinicalFileKind.infer(fromCSV: text)
      guard kind != nil else {
        throw ClinicalImportFailure([ClinicalIssue(.error, .ambiguousKind, file: file, line: 1,
          message: "cannot tell labs from events: a lab CSV has an 'analyte' column, an events CSV a 'kind' column, and this header has both or neither (give --kind)")])
      }
    }
    switch kind! {
    case .labs: return .labs(try LabCSVReader.read(text, file: file, firstInfusionDate: firstInfusionDate))
    case .events: return .events(try EventCSVReader.read(text, file: file, firstInfusionDate: firstInfusionDate))
    }
  }
}
