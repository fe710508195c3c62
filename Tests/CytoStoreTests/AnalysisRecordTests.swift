import CytoClinical
import CytoStore
import CytoTestSupport
import Foundation
import Testing

extension SimulatedPatient {
  /// Visit `i` as `ingest` submits it: the reset panel's JSON and the gating hash computed from it.
  func recordable(_ i: Int, patient attributes: PatientAttributes = PatientAttributes(diagnosis: "SLE")) throws -> VisitSubmission {
    let panelJSON = String(decoding: try PanelDefinition.reset.jsonData(), as: UTF8.self)
    var s = submission(i, patient: attributes)
    s.provenance.panelJSON = panelJSON
    s.provenance.gatingHash = VisitProvenance.gatingHash(s.analysis, panelJSON: panelJSON)
    s.provenance.cytoresetVersion = "0.1.0"
    s.provenance.collectionDate = "2026-03-0\(i + 1)"
    s.provenance.analystNote = "visit \(i)"
    return s
  }
}


/// Analysis records: round trip, digest, every refusal.
@Suite struct AnalysisRecordTests {
  let dir = ScratchDirectory()
  let patient: SimulatedPatient

  init() throws { patient = try SimulatedPatient("R01", seed: 21, events: 3_000, days: [14], in: dir) }

  func record() throws -> (AnalysisRecord, [UInt8]) {
    let r = try AnalysisRecord(submission: try patient.recordable(0), fileSizeBytes: 12_345)
    return (r, try r.encoded())
  }

  static func decode(_ bytes: [UInt8], reader: String = "0.1.0") throws(AnalysisRecordError) -> AnalysisRecord {
    try AnalysisRecord.decode(bytes, file: "r.json", readerVersion: reader)
  }

  /// Encoded and decoded, the record gives back exactly the submission `ingest` would store;
  /// reformatting the JSON (compact, members re-ordered) keeps it valid.
  @Test func roundTrip() throws {
    let s = try patient.recordable(0)
    let (record, bytes) = try record()
    let back = try Self.decode(bytes)
    #expect(back.digest?.algorithm == "sha256" && back.digest?.value.count == 64)
    var undigested = back
    undigested.digest = nil
    #expect(undigested == record)
    let t = back.submission()
    #expect(t.analysis == s.analysis && t.provenance == s.provenance && t.patient == s.patient && t.thresholds == s.thresholds)
    #expect(back.fcs.sizeBytes == 12_345 && back.visit.patient == "R01" && back.visit.day == 14 && back.visit.note == "visit 0")
    #expect(try Self.decode(try CanonicalJSON.parse(bytes).canonicalBytes()) == back)
    // Written with sorted keys and indents, ending in a newline.
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.hasPrefix("{\n") && text.hasSuffix("}\n"))
    #expect(try AnalysisRecord.decode(bytes, file: "r.json", readerVersion: "0.1.9") == back, "same release line")
  }

  /// The refusal for each kind of damage or edit, naming the file and where.
  @Test func refusals() throws {
    let (_, bytes) = try record()
    let text = String(decoding: bytes, as: UTF8.self)
    func refusal(_ b: [UInt8], reader: String = "0.1.0") -> AnalysisRecordError? {
      do {
        _ = try Self.decode(b, reader: reader)
        return nil
      } catch { return error }
    }
    // An edited count, digest untouched.
    let count = try #require(text.range(of: #""count" : \d+"#, options: .regularExpression))
    let edited = text.replacingCharacters(in: count, with: "\"count\" : 999999")
    guard case .digestMismatch("r.json", _, _)? = refusal(Array(edited.utf8)) else { Issue.record("edited count: \(String(describing: refusal(Array(edited.utf8))))"); return }
    // Truncated.
    let cut = Array(bytes.prefix(5_000))
    guard case .malformedJSON(_, let e)? = refusal(cut) else { Issue.record("truncated"); return }
    #expect(e.byteOffset == 5_000 && !e.path.isEmpty)
    #expect(refusal(cut)?.description.contains("r.json: not a complete JSON document") == true)
    // Another schema, another major, no digest.
    #expect(refusal(try resealed(bytes, setting: ["schema"], to: .string("cytoreset.analyze/2"))) == .notARecord(file: "r.json", schema: "cytoreset.analyze/2"))
    #expect(refusal(try resealed(bytes, setting: ["schema"], to: .string("cytoreset.analysis-record/2")))
      == .unsupportedSchema(file: "r.json", found: "cytoreset.analysis-record/2", supported: "cytoreset.analysis-record/1"))
    var noDigest = try CanonicalJSON.parse(bytes)
    if case .object(var o) = noDigest { o["digest"] = nil; noDigest = .object(o) }
    guard case .invalidField(_, "digest", _)? = refusal(noDigest.canonicalBytes()) else { Issue.record("no digest"); return }
    // Another release line of cytoreset (reader 0.2.0 or 1.0.0 for a 0.1.0 record).
    #expect(refusal(bytes, reader: "0.2.0") == .incompatibleSoftware(file: "r.json", recorded: "0.1.0", reader: "0.2.0"))
    #expect(refusal(try resealed(bytes, setting: ["software", "version"], to: .string("1.0.0")))
      == .incompatibleSoftware(file: "r.json", recorded: "1.0.0", reader: "0.1.0"))
    // Wrong types and missing members, with their JSON path (digest made again: a forger).
    guard case .invalidField(_, "analysis.events", _)? = refusal(try resealed(bytes, setting: ["analysis", "events"], to: .string("many"))) else {
      Issue.record("events as a string"); return
    }
    guard case .invalidField(_, "analysis.populations[2].count", _)?
      = refusal(try resealed(bytes, setting: ["analysis", "populations", "[2]", "count"], to: .number("1.5"))) else {
      Issue.record("a fractional count"); return
    }
    guard case .invalidField(_, "fcs.sha256", _)? = refusal(try resealed(bytes, setting: ["fcs", "sha256"], to: nil)) else {
      Issue.record("no file SHA-256"); return
    }
    guard case .invalidField(_, "fcs.sha256", _)? = refusal(try resealed(bytes, setting: ["fcs", "sha256"], to: .string("abc"))) else {
      Issue.record("a short file SHA-256"); return
    }
    // Members that must agree: a moved cut (gating hash), the visit, the panel.
    guard case .inconsistent(_, "gatingHash", _)? = refusal(try resealed(bytes, setting: ["analysis", "cuts", "[0]", "value"], to: .number("0.123"))) else {
      Issue.record("a moved cut"); return
    }
    guard case .inconsistent(_, "analysis.visit", _)? = refusal(try resealed(bytes, setting: ["visit", "day"], to: .number("15"))) else {
      Issue.record("another day"); return
    }
    guard case .inconsistent(_, "panel.sha256", _)? = refusal(try resealed(bytes, setting: ["panel", "json"], to: .string("{}"))) else {
      Issue.record("another panel"); return
    }
    guard case .inconsistent(_, "fcs.name", _)? = refusal(try resealed(bytes, setting: ["fcs", "name"], to: .string("other.fcs"))) else {
      Issue.record("another file name"); return
    }
    for e in [refusal(Array(edited.utf8)), refusal(cut)] { #expect(e?.description.hasPrefix("r.json: ") == true && e?.description.contains(" [record.") == true) }
  }

  @Test func releaseLines() {
    #expect(AnalysisRecord.isCompatible(recorded: "0.1.0", reader: "0.1.3"))
    #expect(!AnalysisRecord.isCompatible(recorded: "0.1.0", reader: "0.2.0"))
    #expect(AnalysisRecord.isCompatible(recorded: "1.2.0", reader: "1.4.1"))
    #expect(!AnalysisRecord.isCompatible(recorded: "1.2.0", reader: "2.0.0"))
    #expect(AnalysisRecord.isCompatible(recorded: "1.2.0-beta", reader: "1.2.0"))
    #expect(!AnalysisRecord.isCompatible(recorded: "test", reader: "0.1.0"))
  }

  /// What cannot be recorded is refused before anything is written.
  @Test func notRecordable() throws {
    var s = try patient.recordable(0)
    s.analysis.visit.day = nil
    #expect(throws: AnalysisRecordError.self) { try AnalysisRecord(submission: s, fileSizeBytes: 1) }
    s = try patient.recordable(0)
    s.provenance.panelJSON = nil
    #expect(throws: AnalysisRecordError.self) { try AnalysisRecord(submission: s, fileSizeBytes: 1) }
  }

  /// The write replaces the file whole and leaves no temporary file; a failed write leaves
  /// nothing.
  @Test func atomicWrite() throws {
    let d = ScratchDirectory()
    let (record, bytes) = try record()
    let path = d.path("v.analysis.json")
    try Data("old".utf8).write(to: URL(fileURLWithPath: path))
    try record.write(to: path)
    #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
    #expect(try FileManager.default.contentsOfDirectory(atPath: d.url.path) == ["v.analysis.json"])
    #expect(try AnalysisRecord.read(contentsOf: path, readerVersion: "0.1.0").visit.day == 14)
    let missing = d.path("no/such/folder/v.analysis.json")
    guard case .writeFailed(let f, _, _)? = { () -> AnalysisRecordError? in
      do { try record.write(to: missing) } catch let e as AnalysisRecordError { return e } catch {}
      return nil
    }() else { Issue.record("wrote into a missing folder"); return }
    #expect(f == missing)
    #expect(throws: AnalysisRecordError.unreadable(file: missing, message: "No such file or directory")) {
      try AnalysisRecord.read(contentsOf: missing, readerVersion: "0.1.0")
    }
  }
}
