import CytoClinical
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

extension AnalysisRecord {
  /// Reads and verifies the record at `path` (``decode(_:file:readerVersion:)``).
  /// - Throws: ``AnalysisRecordError`` naming `path`.
  public static func read(contentsOf path: String, readerVersion: String) throws(AnalysisRecordError) -> AnalysisRecord {
    try decode(try RecordFile.bytes(path), file: path, readerVersion: readerVersion)
  }

  /// Decodes a record and checks that it can be trusted, in this order:
  ///
  /// 1. complete, strict JSON (``AnalysisRecordError/malformedJSON(file:error:)`` with the byte
  ///    offset, line, column and JSON path);
  /// 2. `schema` is `cytoreset.analysis-record/1` (``AnalysisRecordError/notARecord(file:schema:)``,
  ///    ``AnalysisRecordError/unsupportedSchema(file:found:supported:)`` for another major);
  /// 3. the digest matches the canonical encoding of the rest
  ///    (``AnalysisRecordError/digestMismatch(file:recorded:computed:)``);
  /// 4. written by a compatible cytoreset (``isCompatible(recorded:reader:)``,
  ///    ``AnalysisRecordError/incompatibleSoftware(file:recorded:reader:)``);
  /// 5. every member has its type (``AnalysisRecordError/invalidField(file:path:detail:)``);
  /// 6. members that must agree do (``AnalysisRecordError/inconsistent(file:path:detail:)``),
  ///    the gating hash recomputed from the panel and the recorded gating among them.
  ///
  /// - Parameters:
  ///   - file: the record's path, for error messages.
  ///   - readerVersion: this cytoreset's version.
  public static func decode(_ bytes: [UInt8], file: String, readerVersion: String) throws(AnalysisRecordError) -> AnalysisRecord {
    let tree = try parseRecord(bytes, file: file)
    try checkDigestAndSoftware(tree, file: file, readerVersion: readerVersion)
    let record: AnalysisRecord
    do { record = try tree.decode(AnalysisRecord.self) } catch let e as DecodingError {
      let (path, detail) = describe(e)
      throw .invalidField(file: file, path: path, detail: detail)
    } catch {
      throw .invalidField(file: file, path: "", detail: "\(error)")
    }
    try record.verify(file: file)
    return record
  }

  /// Steps 3–4 of ``decode(_:file:readerVersion:)``, shared with failure records
  /// (``AnalysisFailure``): the digest over the canonical encoding of every other member, then
  /// the software that wrote the file.
  static func checkDigestAndSoftware(_ tree: CanonicalJSON, file: String, readerVersion: String) throws(AnalysisRecordError) {
    guard case .object(var members) = tree else { throw .notARecord(file: file, schema: nil) }
    guard let d = members.removeValue(forKey: "digest") else {
      throw .invalidField(file: file, path: "digest", detail: "missing: a record without its digest cannot be trusted")
    }
    guard d["algorithm"]?.stringValue == "sha256", let recorded = d["value"]?.stringValue else {
      throw .invalidField(file: file, path: "digest", detail: "must be {\"algorithm\": \"sha256\", \"value\": \"<hex>\"}")
    }
    let computed = SHA256.hash(CanonicalJSON.object(members).canonicalBytes()).hex
    guard recorded == computed else { throw .digestMismatch(file: file, recorded: recorded, computed: computed) }
    guard tree["software"]?["name"]?.stringValue == "cytoreset", let version = tree["software"]?["version"]?.stringValue else {
      throw .invalidField(file: file, path: "software", detail: "must be {\"name\": \"cytoreset\", \"version\": \"<x.y.z>\"}")
    }
    guard isCompatible(recorded: version, reader: readerVersion) else {
      throw .incompatibleSoftware(file: file, recorded: version, reader: readerVersion)
    }
  }

  /// The visit of the record at `path`, after steps 1–2 of ``decode(_:file:readerVersion:)``:
  /// enough to put records in storing order before each is read in full.
  public static func readVisit(contentsOf path: String) throws(AnalysisRecordError) -> Visit {
    let tree = try parseRecord(try RecordFile.bytes(path), file: path)
    guard let v = tree["visit"] else { throw .invalidField(file: path, path: "visit", detail: "missing") }
    do { return try v.decode(Visit.self) } catch let e as DecodingError {
      let (sub, detail) = describe(e)
      throw .invalidField(file: path, path: sub.isEmpty ? "visit" : "visit." + sub, detail: detail)
    } catch {
      throw .invalidField(file: path, path: "visit", detail: "\(error)")
    }
  }

  /// Steps 1–2: the JSON tree of a record of a schema this build reads.
  static func parseRecord(_ bytes: [UInt8], file: String) throws(AnalysisRecordError) -> CanonicalJSON {
    let (kind, tree) = try MergeRecord.parse(bytes, file: file)
    guard kind == .analysis else { throw .notARecord(file: file, schema: tree["schema"]?.stringValue) }
    return tree
  }

  /// Step 6: members that must agree.
  func verify(file: String) throws(AnalysisRecordError) {
    func invalid(_ path: String, _ detail: String) -> AnalysisRecordError { .invalidField(file: file, path: path, detail: detail) }
    func inconsistent(_ path: String, _ detail: String) -> AnalysisRecordError { .inconsistent(file: file, path: path, detail: detail) }
    let hex = Set("0123456789abcdef")
    guard fcs.sha256.count == 64, fcs.sha256.allSatisfy({ hex.contains($0) }) else { throw invalid("fcs.sha256", "must be 64 lower-case hex digits") }
    guard !fcs.name.isEmpty, !fcs.name.contains("/") else { throw invalid("fcs.name", "must be a file name without a directory") }
    guard fcs.sizeBytes >= 0 else { throw invalid("fcs.sizeBytes", "must not be negative") }
    guard StoreSchema.isValidPatientID(visit.patient) else { throw invalid("visit.patient", "must be non-empty, without '/'") }
    guard visit.day.isFinite else { throw invalid("visit.day", "must be a finite number of days") }
    guard analysis.schema == "cytoreset.analysis/2" else { throw invalid("analysis.schema", "must be 'cytoreset.analysis/2', found '\(analysis.schema)'") }
    let expected = VisitInfo(patient: visit.patient, day: visit.day, infusion: visit.infusion)
    guard analysis.visit == expected else {
      throw inconsistent("analysis.visit", "the analysis is of patient \(analysis.visit.patient ?? "none"), infusion \(analysis.visit.infusion), day \(analysis.visit.day?.compactText ?? "none"); the record's visit is \(visit.patient), infusion \(visit.infusion), day \(visit.day.compactText)")
    }
    guard analysis.dataSet == fcs.dataSet else { throw inconsistent("fcs.dataSet", "\(fcs.dataSet), but the analysis read data set \(analysis.dataSet)") }
    guard (analysis.file as NSString).lastPathComponent == fcs.name else {
      throw inconsistent("fcs.name", "'\(fcs.name)', but the analysis is of '\(analysis.file)'")
    }
    guard analysis.review == nil else { throw inconsistent("analysis.review", "reviewed analyses are stored by `cytoreset serve`, not merged from records") }
    guard panel.name == analysis.panel, panel.version == analysis.panelVersion else {
      throw inconsistent("panel", "'\(panel.name)' \(panel.version), but the analysis used '\(analysis.panel)' \(analysis.panelVersion)")
    }
    let panelHash = SHA256.hash(text: panel.json).hex
    guard panelHash == panel.sha256 else { throw inconsistent("panel.sha256", "\(panel.sha256.prefix(16))…, but panel.json hashes to \(panelHash.prefix(16))…") }
    let gating = VisitProvenance.recomputedGatingHash(analysis, panelJSON: panel.json)
    guard gating == gatingHash else {
      throw inconsistent("gatingHash", "\(gatingHash.prefix(16))…, but the panel, markers, cuts and gates recorded hash to \(gating.prefix(16))…")
    }
  }

  /// A decoding error as a JSON path (`analysis.populations[3].count`) and what is wrong there.
  static func describe(_ e: DecodingError) -> (path: String, detail: String) {
    func text(_ keys: [any CodingKey]) -> String {
      var s = ""
      for k in keys {
        if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
      }
      return s
    }
    switch e {
    case .keyNotFound(let key, let c): return (text(c.codingPath + [key]), "missing")
    case .typeMismatch(let type, let c): return (text(c.codingPath), "not a \(type): \(c.debugDescription)")
    case .valueNotFound(let type, let c): return (text(c.codingPath), "null where a \(type) is needed")
    case .dataCorrupted(let c): return (text(c.codingPath), c.debugDescription)
    @unknown default: return ("", "\(e)")
    }
  }
}

/// Reading a record file.
enum RecordFile {
  /// The bytes of `path`.
  static func bytes(_ path: String) throws(AnalysisRecordError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .unreadable(file: path, message: errnoText()) }
    defer { close(fd) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n == 0 { return out }
      if n < 0 {
        if errno == EINTR { continue }
        throw .unreadable(file: path, message: errnoText())
      }
      out += buffer[0..<n]
    }
  }
}
