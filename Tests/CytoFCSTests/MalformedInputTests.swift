import CytoCore
import CytoFCS
import CytoTestSupport
import Foundation
import Testing

/// The project's hand-made malformed and quirky FCS files (`testdata/fcs/invalid`,
/// `testdata/fcs/quirks`, made by `testdata/make-fixtures.py`) and the fuzzer's regression
/// inputs (`testdata/fcs/fuzz-regressions`).
///
/// The reader's promise: bad input gives a typed ``FCSError`` that names the file, the segment
/// and a byte offset (and the keyword when one is at fault), never a crash, a hang or an
/// allocation the file size does not justify; tolerated damage reads with a diagnostic.
@Suite("Malformed and quirky inputs")
struct MalformedInputTests {
  // MARK: - invalid/

  struct Invalid: Sendable, CustomTestStringConvertible {
    var file: String
    var kind: FCSError.Kind
    var segment: FCSSegment
    var byteOffset: Int
    var keyword: String? = nil
    /// The data set at fault. After the first, the file reads and lists it as unreadable.
    var dataSet = 0
    /// Whether the failure is in DATA, so that a deferred read succeeds and `events` throws.
    var isDataError: Bool { segment == .data }
    var testDescription: String { file }
  }

  static let invalid: [Invalid] = [
    Invalid(file: "truncated-header.fcs", kind: .truncated, segment: .header, byteOffset: 0),
    Invalid(file: "truncated-text.fcs", kind: .truncated, segment: .text, byteOffset: 58),
    Invalid(file: "truncated-data.fcs", kind: .truncated, segment: .data, byteOffset: 222),
    Invalid(file: "not-fcs.fcs", kind: .notFCS, segment: .header, byteOffset: 0),
    Invalid(file: "unsupported-version.fcs", kind: .unsupportedVersion, segment: .header, byteOffset: 0),
    Invalid(file: "malformed-header.fcs", kind: .malformedHeader, segment: .header, byteOffset: 10),
    Invalid(file: "malformed-text.fcs", kind: .malformedText, segment: .text, byteOffset: 194),
    Invalid(file: "missing-keyword.fcs", kind: .missingKeyword, segment: .text, byteOffset: 58, keyword: "$DATATYPE"),
    Invalid(file: "missing-pnb.fcs", kind: .missingKeyword, segment: .text, byteOffset: 58, keyword: "$P2B"),
    Invalid(file: "invalid-keyword.fcs", kind: .invalidKeyword, segment: .text, byteOffset: 58, keyword: "$PAR"),
    Invalid(file: "invalid-tot.fcs", kind: .invalidKeyword, segment: .text, byteOffset: 58, keyword: "$TOT"),
    Invalid(file: "unsupported-datatype.fcs", kind: .unsupportedDataType, segment: .text, byteOffset: 58,
            keyword: "$DATATYPE"),
    Invalid(file: "unsupported-bits.fcs", kind: .unsupportedDataType, segment: .text, byteOffset: 58, keyword: "$P1B"),
    Invalid(file: "unsupported-byteorder.fcs", kind: .unsupportedByteOrder, segment: .text, byteOffset: 58,
            keyword: "$BYTEORD"),
    Invalid(file: "unsupported-mode.fcs", kind: .unsupportedMode, segment: .text, byteOffset: 58, keyword: "$MODE"),
    Invalid(file: "inconsistent-offsets-missing.fcs", kind: .inconsistentOffsets, segment: .data, byteOffset: 26,
            keyword: "$BEGINDATA"),
    Invalid(file: "inconsistent-offsets-inside-text.fcs", kind: .inconsistentOffsets, segment: .data, byteOffset: 60),
    Invalid(file: "data-size-overflow.fcs", kind: .dataSizeMismatch, segment: .data, byteOffset: 240, keyword: "$TOT"),
    // Overflow traps found by review while fuzzing.
    Invalid(file: "tot-near-int-max.fcs", kind: .truncated, segment: .data, byteOffset: 240),
    Invalid(file: "begindata-huge-second-set.fcs", kind: .truncated, segment: .data, byteOffset: 531, dataSet: 1),
    Invalid(file: "ascii-delimited-tot-huge.fcs", kind: .dataSizeMismatch, segment: .data, byteOffset: 308,
            keyword: "$TOT"),
    Invalid(file: "par-zero-tot-huge.fcs", kind: .invalidKeyword, segment: .text, byteOffset: 58, keyword: "$PAR"),
    Invalid(file: "ascii-mixed-pndatatype.fcs", kind: .unsupportedDataType, segment: .text, byteOffset: 58,
            keyword: "$P2DATATYPE"),
    // $PnB 10 whose DATA length is not 16-bit words: packed bit to bit, or nothing known.
    Invalid(file: "int10-bit-packed.fcs", kind: .unsupportedDataType, segment: .data, byteOffset: 190, keyword: "$P1B"),
    Invalid(file: "int10-length-neither.fcs", kind: .unsupportedDataType, segment: .data, byteOffset: 190,
            keyword: "$P1B"),
    // One bad data set among several: its own error; the others read (see DataSetChainTests).
    Invalid(file: "three-sets-middle-data-truncated.fcs", kind: .truncated, segment: .data, byteOffset: 485, dataSet: 1),
    Invalid(file: "three-sets-second-text-malformed.fcs", kind: .malformedText, segment: .text, byteOffset: 454,
            dataSet: 1),
    Invalid(file: "two-sets-first-data-truncated.fcs", kind: .truncated, segment: .data, byteOffset: 232),
  ]

  static func path(_ group: String, _ file: String) -> String {
    TestData.project("fcs/\(group)/\(file)").path
  }

  @Test("invalid file: exact error kind, file, data set, segment, byte offset, keyword", arguments: invalid)
  func invalidFile(_ c: Invalid) throws {
    let path = Self.path("invalid", c.file)
    let error: FCSError?
    if c.dataSet == 0 {
      // The first data set is the file: reading fails.
      error = #expect(throws: FCSError.self) { try FCSFile(contentsOf: path) }
    } else {
      // A later one is unreadable on its own, and asking for it throws its error.
      let file = try FCSFile(contentsOf: path)
      #expect(file.unreadableDataSets.map(\.index) == [c.dataSet])
      error = #expect(throws: FCSError.self) { try file.dataSet(c.dataSet) }
      #expect(error == file.unreadableDataSets.first?.error)
      #expect(error?.description.contains("data set \(c.dataSet): ") == true)
    }
    let e = try #require(error)
    #expect(e.kind == c.kind, "\(e)")
    #expect(e.dataSet == c.dataSet)
    #expect(e.location.file == path)
    #expect(e.location.section == c.segment.rawValue)
    #expect(e.location.byteOffset == c.byteOffset, "\(e)")
    if let k = c.keyword { #expect(e.location.keyword == k) }
    #expect(e.description.contains(path) && e.description.hasSuffix("[fcs.\(c.kind.rawValue)]"))
  }

  @Test("DATA errors are deferred on request and thrown by events()", arguments: invalid.filter(\.isDataError))
  func deferredDataError(_ c: Invalid) throws {
    let path = Self.path("invalid", c.file)
    let file = try FCSFile(contentsOf: path, dataCheck: .deferred)
    let ds = try file.dataSet(c.dataSet)
    #expect(ds.dataError?.kind == c.kind)
    #expect(ds.diagnostics.contains { $0.code.rawValue == "fcs.data.unreadable" && $0.severity == .error })
    let e = #expect(throws: FCSError.self) { try ds.events(.raw, as: Float.self) }
    #expect(e?.kind == c.kind)
    #expect(e?.location.file == path)
    #expect(e?.dataSet == c.dataSet)
  }

  @Test("ASCII value that is not a number: TEXT reads, events() throws with the value's offset")
  func asciiNotANumber() throws {
    let path = Self.path("invalid", "ascii-not-a-number.fcs")
    let file = try FCSFile(contentsOf: path)
    let ds = try file.dataSet(0)
    for scale in FCSValueScale.allCases {
      let e = #expect(throws: FCSError.self) { try ds.events(scale, as: Double.self) }
      #expect(e?.kind == .dataSizeMismatch)
      #expect(e?.location.file == path)
      #expect(e?.location.section == "DATA")
      #expect(e?.location.byteOffset == ds.dataRange.lowerBound + 8, "event 2, parameter 1 starts 8 bytes in")
    }
  }

  @Test("a file that cannot be opened is unreadable, naming the path")
  func unreadable() {
    for path in [Self.path("invalid", "no-such-file.fcs"), TestData.project("fcs/invalid").path] {
      let e = #expect(throws: FCSError.self) { try FCSFile(contentsOf: path) }
      #expect(e?.kind == .unreadable)
      #expect(e?.location.file == path)
      #expect(e?.location.section == "FILE")
    }
  }

  @Test("every reading error kind has a fixture; every fixture has a case")
  func coverage() throws {
    // Kinds raised by the API, not by file contents; invalidDataSetChain is not raised at all:
    // a broken $NEXTDATA chain keeps the data sets read so far, with an fcs.nextdata.invalid
    // diagnostic (see quirks/nextdata-loop.fcs).
    let notFromFiles: Set<FCSError.Kind> = [.unreadable, .noSuchDataSet, .noSuchChannel, .writeFailed,
                                            .invalidDataSetChain]
    let covered = Set(Self.invalid.map(\.kind))
    #expect(Set(FCSError.Kind.allCases).subtracting(notFromFiles).subtracting(covered).isEmpty)
    let dir = TestData.project("fcs/invalid").path
    let onDisk = Set(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".fcs") })
    let listed = Set(Self.invalid.map(\.file) + ["ascii-not-a-number.fcs"])
    #expect(onDisk == listed)
  }

  // MARK: - quirks/

  struct Quirk: Sendable, CustomTestStringConvertible {
    var file: String
    /// The diagnostic the reader must record, or nil when the file must read without warnings.
    var code: String?
    var dataSet = 0
    /// Raw values, event-major.
    var rows: [[Double]]
    var testDescription: String { file }
  }

  static let small: [[Double]] = [[1.5, 2.0], [3.25, 4.0], [5.0, 6.5]]

  static let quirks: [Quirk] = [
    Quirk(file: "ascii-delimited.fcs", code: nil, rows: [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12.5]]),
    Quirk(file: "empty-value-doubled-delimiter.fcs", code: "fcs.text.emptyValues", rows: small),
    Quirk(file: "enddata-off-by-one.fcs", code: "fcs.offset.dataEndOffByOne", rows: small),
    Quirk(file: "fcs2-byteorder-3412.fcs", code: nil,
          rows: [[0x0102_0304, 0], [0xA0B0_C0D0, 0x7FFF_FFFF], [0x0001_0002, 0xFFFF_FFFF]]),
    Quirk(file: "header-data-offsets-blank.fcs", code: nil, rows: small),
    Quirk(file: "header-text-data-disagree.fcs", code: "fcs.offset.discrepancy", rows: small),
    Quirk(file: "int16-flag-bits.fcs", code: nil, rows: [[5, 1023], [7, 8], [1000, 0]]),
    Quirk(file: "int24-big-endian.fcs", code: nil,
          rows: [[0x00_0001, 0x12_3456], [0xAB_CDEF, 0x7F_FFFF], [0xFF_FFFF, 0x00_0100]]),
    Quirk(file: "latin1-text.fcs", code: "fcs.text.latin1", rows: small),
    Quirk(file: "leading-blanks-keywords.fcs", code: "fcs.text.keywordBlanks", rows: small),
    Quirk(file: "missing-tot.fcs", code: "fcs.keyword.missingTot", rows: small),
    Quirk(file: "nextdata-loop.fcs", code: nil, dataSet: 0, rows: small),
    Quirk(file: "nextdata-loop.fcs", code: "fcs.nextdata.invalid", dataSet: 1, rows: [[7, 8], [7, 8], [7, 8]]),
    Quirk(file: "text-end-past-eof.fcs", code: "fcs.offset.textEndOffByOne", rows: []),
    // Overflow and index traps found by review while fuzzing.
    Quirk(file: "stext-end-huge.fcs", code: "fcs.stext.outOfFile", rows: small),
    Quirk(file: "analysis-end-huge.fcs", code: "fcs.analysis.outOfFile", rows: small),
    Quirk(file: "nextdata-huge.fcs", code: "fcs.nextdata.invalid", dataSet: 1, rows: small),
    Quirk(file: "dfc-index-zero.fcs", code: nil, rows: small),
    Quirk(file: "begindatetime-blank.fcs", code: nil, rows: small),
    Quirk(file: "nextdata-into-own-text.fcs", code: "fcs.nextdata.invalid", rows: small),
    // Sub-byte $PnB in 16-bit words: flag bits above $PnB masked off (values from make-fixtures.py).
    Quirk(file: "int10-words-le.fcs", code: "fcs.data.subByteWords", rows: int10),
    Quirk(file: "int10-words-be.fcs", code: "fcs.data.subByteWords", rows: int10),
    Quirk(file: "int10-words-enddata-off-by-one.fcs", code: "fcs.data.subByteWords", rows: int10),
    Quirk(file: "int12-words-le.fcs", code: "fcs.data.subByteWords", rows: int12),
    Quirk(file: "int12-words-be.fcs", code: "fcs.data.subByteWords", rows: int12),
    Quirk(file: "mixed16-10-words-be.fcs", code: "fcs.data.subByteWords", rows: [[65535, 5], [32769, 1023], [1024, 0]]),
  ]

  static let int10: [[Double]] = [[5, 1023], [0, 512], [1000, 7], [1, 1022]]
  static let int12: [[Double]] = [[4095, 0], [2048, 1], [17, 4000]]

  @Test("quirk file reads, with its diagnostic and the right values", arguments: quirks)
  func quirk(_ q: Quirk) throws {
    let path = Self.path("quirks", q.file)
    let file = try FCSFile(contentsOf: path)
    let ds = try file.dataSet(q.dataSet)
    if let code = q.code {
      let d = try #require(ds.diagnostics.first { $0.code.rawValue == code }, "no \(code) in \(ds.diagnostics)")
      #expect(d.location.file == path)
      #expect(d.location.section != nil)
      #expect(d.severity < .error)
    } else {
      #expect(ds.diagnostics.allSatisfy { $0.severity < .warning }, "\(ds.diagnostics)")
    }
    #expect(ds.eventCount == q.rows.count)
    let m = try ds.events(.raw, as: Double.self)
    #expect(m.eventCount == q.rows.count)
    for (e, row) in q.rows.enumerated() { #expect(m.row(e) == row, "event \(e)") }
    let f = try ds.events(.raw, as: Float.self)
    #expect(f.storage == m.storage.map { Float($0) })
  }

  @Test("quirk details: the keyword values behind the diagnostics")
  func quirkDetails() throws {
    func ds(_ name: String, _ i: Int = 0) throws -> FCSDataSet {
      try FCSFile(contentsOf: Self.path("quirks", name)).dataSet(i)
    }
    let empty = try ds("empty-value-doubled-delimiter.fcs")
    #expect(empty.keywords["$P1S"] == "")
    #expect(empty.parameters.map(\.name.rawValue) == ["CH1", "CH2"])
    let latin1 = try ds("latin1-text.fcs")
    #expect(latin1.keywords["$INST"] == "Universitätsklinikum")
    #expect(latin1.parameters[0].label == "CD19 µm")
    let blanks = try ds("leading-blanks-keywords.fcs")
    #expect(blanks.keywords.integer("$TOT") == 3)
    #expect(blanks.parameters[0].name.rawValue == "CH1" && blanks.parameters[0].nameIsFromFile)
    #expect(try ds("fcs2-byteorder-3412.fcs").byteOrder == .permuted([3, 4, 1, 2]))
    #expect(try ds("int24-big-endian.fcs").byteOrder == .bigEndian)
    #expect(try ds("ascii-delimited.fcs").bytesPerEvent == nil)
    let loop = try FCSFile(contentsOf: Self.path("quirks", "nextdata-loop.fcs"))
    #expect(loop.dataSets.count == 2)
    #expect(loop.dataSets[0].diagnostics.allSatisfy { $0.code.rawValue != "fcs.nextdata.invalid" })
    #expect(try FCSFile(contentsOf: Self.path("quirks", "nextdata-into-own-text.fcs")).dataSets.count == 1)
    let dfc = try #require(try ds("dfc-index-zero.fcs").spillover)
    #expect(dfc.keyword == "$DFC")
    #expect(dfc.matrix.detectors.map(\.rawValue) == ["FL1", "FL2"])
    #expect(dfc.matrix.values == [1, 0.125, 0, 1])
    let acquired = try ds("begindatetime-blank.fcs").acquisition
    #expect(acquired.date == FCSDate(year: 2026, month: 11, day: 18))
    let disagree = try ds("header-text-data-disagree.fcs")
    #expect(disagree.dataRange.lowerBound == Int(disagree.keywords.integer("$BEGINDATA") ?? -1))
  }

  // MARK: - fuzz-regressions/

  struct Regression: Sendable, CustomTestStringConvertible {
    var file: String
    /// The error reading must throw, or nil when the file reads (and then every data set decodes
    /// or throws a typed error from `events`).
    var kind: FCSError.Kind?
    /// The error `events()` must throw for every data set, when reading succeeds.
    var eventsKind: FCSError.Kind? = nil
    var testDescription: String { file }
  }

  /// Inputs `fuzz/run.sh` found, each with the reader fix it needed (see testdata/README.md).
  static let regressions: [Regression] = [
    // The fuzz target's first finding: an ASCII value error from events() had no file path.
    Regression(file: "ascii-value-error-names-file.fcs", kind: nil, eventsKind: .dataSizeMismatch),
  ]

  @Test("fuzzer finding: typed error or a clean read, never a crash", arguments: regressions)
  func fuzzRegression(_ r: Regression) throws {
    let path = Self.path("fuzz-regressions", r.file)
    for check in [FCSFile.DataCheck.strict, .deferred] {
      let file: FCSFile
      do {
        file = try FCSFile(contentsOf: path, dataCheck: check)
      } catch let e as FCSError {
        if check == .strict { #expect(e.kind == r.kind, "\(e)") }
        #expect(e.location.file == path)
        #expect(e.location.section != nil)
        continue
      }
      if check == .strict { #expect(r.kind == nil, "read, but \(String(describing: r.kind)) was expected") }
      for ds in file.dataSets {
        for scale in FCSValueScale.allCases {
          do {
            let m = try ds.events(scale, as: Float.self)
            #expect(m.eventCount == ds.eventCount && m.channelCount == ds.parameters.count)
            #expect(m.storage.count <= file.byteCount, "more values than bytes in the file")
            #expect(r.eventsKind == nil, "events() decoded, but \(String(describing: r.eventsKind)) was expected")
          } catch let e as FCSError {
            if let k = r.eventsKind { #expect(e.kind == k, "\(e)") }
            #expect(e.location.file == path)
            #expect(e.location.section != nil)
          }
        }
        _ = ds.spillover
        _ = ds.acquisition
      }
    }
  }

  @Test("every fuzz regression input has a case")
  func regressionCoverage() throws {
    let dir = TestData.project("fcs/fuzz-regressions").path
    let onDisk = Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".fcs") }
    #expect(onDisk == Set(Self.regressions.map(\.file)))
  }
}
