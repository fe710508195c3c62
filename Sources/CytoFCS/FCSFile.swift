import CytoCore
import Foundation

/// An FCS file: one or more data sets linked by `$NEXTDATA`.
///
///     let file = try FCSFile(contentsOf: "sample.fcs")
///     let ds = file.dataSets[0]
///     let events = try ds.events(.raw, as: Float.self)   // column-major Float32
///
/// Reading maps the file into memory and parses every HEADER and TEXT segment eagerly;
/// DATA is decoded only when ``FCSDataSet/events(_:as:)`` is called. Anything unusual that
/// was tolerated is recorded in each data set's ``FCSDataSet/diagnostics``; anything that
/// makes the data ambiguous throws an ``FCSError`` naming the segment, keyword and byte offset.
/// In a file of several data sets, one that cannot be read after the first does not condemn
/// the others: it is listed in ``unreadableDataSets`` with its own error.
public struct FCSFile: Sendable {
  /// The path the file was read from, if any.
  public let path: String?
  /// Size of the file in bytes.
  public let byteCount: Int
  /// The data sets that can be read, in `$NEXTDATA` order. Each knows its position in the chain
  /// (``FCSDataSet/index``); positions of ``unreadableDataSets`` are missing here. The first is
  /// always data set 0: a file whose first data set cannot be read does not read at all.
  public let dataSets: [FCSDataSet]
  /// The data sets of the chain that cannot be read (after the first), each with its own error.
  /// Empty for an intact file. ``dataSet(_:)`` throws the error of the one asked for.
  public let unreadableDataSets: [UnreadableDataSet]

  /// The number of data sets found in the `$NEXTDATA` chain, readable or not.
  public var dataSetCount: Int { dataSets.count + unreadableDataSets.count }

  /// A data set of the `$NEXTDATA` chain that cannot be read, while others of the file can.
  public struct UnreadableDataSet: Sendable, Equatable {
    /// 0-based position in the `$NEXTDATA` chain.
    public var index: Int
    /// Absolute byte offset of its HEADER.
    public var offset: Int
    /// Why it cannot be read, naming the file, data set, segment, keyword and byte offset.
    public var error: FCSError
    /// Whether the chain ends here: its HEADER or TEXT cannot be read, so neither can its
    /// `$NEXTDATA`, and any data sets after it are not found. `false` when only DATA is bad.
    public var endsChain: Bool
    /// What the reader noticed before it failed (empty when HEADER or TEXT failed).
    public var diagnostics: [Diagnostic]
  }

  /// Upper bound on data sets followed in one file, so a crafted chain cannot run for long.
  public static let maximumDataSets = 4096

  /// When a data set's DATA segment cannot be located or is truncated.
  public enum DataCheck: Sendable {
    /// The data set is unreadable (the default: nothing is guessed): reading fails with the DATA
    /// error when it is the first data set, otherwise it is one of ``unreadableDataSets``.
    case strict
    /// Reading succeeds with HEADER and TEXT; the data set's ``FCSDataSet/dataError`` holds the
    /// problem and ``FCSDataSet/events(_:as:)`` throws it. For inspecting damaged files.
    case deferred
  }

  /// Reads the file at `path`, memory-mapping it (read-only, private).
  ///
  /// Decoding DATA releases the mapped pages it has read (the file stays in the page cache),
  /// so decoding a large file needs about the matrix's memory, not the matrix plus the file.
  public init(contentsOf path: String, dataCheck: DataCheck = .strict) throws {
    let data: Data
    let mapped: Bool
    do {
      (data, mapped) = try Self.map(path)
    } catch {
      throw FCSError(.unreadable, "cannot open: \(Self.reason(error))", file: path, segment: .file)
    }
    try self.init(bytes: data, path: path, dataCheck: dataCheck, fileMapped: mapped)
  }

  /// Maps `path` read-only and private (`mmap`), or reads it when it cannot be mapped (an empty
  /// file, a pipe). `true` when mapped.
  static func map(_ path: String) throws -> (Data, Bool) {
    #if os(Linux)
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
      defer { close(fd) }
      var st = stat()
      if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0,
         let p = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED {
        let count = Int(st.st_size)
        return (Data(bytesNoCopy: p, count: count, deallocator: .custom { p, n in munmap(p, n) }), true)
      }
    }
    #endif
    return (try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped), false)
  }

  /// Parses a file held in memory. `path` is used only in errors and diagnostics.
  public init(bytes: Data, path: String? = nil, dataCheck: DataCheck = .strict) throws {
    try self.init(bytes: bytes, path: path, dataCheck: dataCheck, fileMapped: false)
  }

  /// `fileMapped`: `bytes` is a private read-only file mapping made by ``map(_:)``, whose pages
  /// decoding may release (`MADV_DONTNEED` re-reads them from the file if touched again).
  init(bytes: Data, path: String?, dataCheck: DataCheck, fileMapped: Bool) throws {
    self.path = path
    self.byteCount = bytes.count
    let chain: Chain
    do {
      chain = try bytes.withUnsafeBytes { raw in try Chain(raw, data: bytes, path: path, dataCheck: dataCheck) }
    } catch let e as FCSError {
      throw e.inFile(path)
    }
    self.dataSets = fileMapped ? chain.sets.map { var d = $0; d.releasesDataPages = true; return d } : chain.sets
    self.unreadableDataSets = chain.unreadable
  }

  /// The data sets of a `$NEXTDATA` chain, read one after the other.
  struct Chain {
    var sets: [FCSDataSet] = []
    var unreadable: [UnreadableDataSet] = []

    init(_ raw: UnsafeRawBufferPointer, data: Data, path: String?, dataCheck: DataCheck) throws {
      var visited: Set<Int> = []
      // TEXT and supplemental TEXT of the data sets read so far. Segments of different data
      // sets never overlap in a valid file; refusing overlaps keeps the work (and the memory
      // for keywords) proportional to the file size even for a crafted chain of many
      // HEADERs that all point into one large TEXT.
      var claimed: [Range<Int>] = []
      var base = 0
      var index = 0
      var previousBase = 0
      while true {
        visited.insert(base)
        var parser = DataSetParser(bytes: raw, base: base, index: index, file: path, claimed: claimed)
        let set: DataSetParser.Result
        do {
          set = try parser.parse(data: data)
        } catch let e as FCSError where e.kind == .invalidDataSetChain && index > 0 {
          // Not a data set of its own: earlier data sets are intact; record why the chain stopped.
          appendToLast(Diagnostic(.warning, .init("fcs.nextdata.invalid"),
            "$NEXTDATA leads to a data set whose \(e.message); no further data sets read",
            at: SourceLocation(file: path, section: "TEXT", byteOffset: previousBase, keyword: "$NEXTDATA")))
          break
        } catch let e as FCSError {
          // HEADER or TEXT cannot be read, so neither can its $NEXTDATA: the chain ends here.
          let error = e.inDataSet(index, file: path)
          if index == 0 { throw error }
          unreadable.append(UnreadableDataSet(index: index, offset: base, error: error, endsChain: true, diagnostics: []))
          break
        }
        claimed += set.segments
        if let e = set.dataSet.dataError, dataCheck == .strict {
          // TEXT is intact, so the chain goes on past the data set whose DATA cannot be read.
          if index == 0 { throw e }
          unreadable.append(UnreadableDataSet(index: index, offset: base, error: e, endsChain: false,
                                              diagnostics: set.dataSet.diagnostics))
        } else {
          sets.append(set.dataSet)
        }
        guard let next = set.nextData, next != 0 else { break }
        let (nextBase, overflow) = base.addingReportingOverflow(next)
        guard next > 0, !overflow, nextBase < raw.count, !visited.contains(nextBase), index + 1 < FCSFile.maximumDataSets else {
          let why = !overflow && visited.contains(nextBase) ? "points back to an earlier data set"
            : overflow || nextBase >= raw.count ? "points past the end of the file (\(raw.count) bytes)"
            : next <= 0 ? "is not a forward offset" : "would be data set \(FCSFile.maximumDataSets + 1), more than are read"
          // Earlier data sets are intact: keep them and record why the chain stopped.
          appendToLast(Diagnostic(.warning, .init("fcs.nextdata.invalid"), "$NEXTDATA \(next) \(why); no further data sets read",
            at: SourceLocation(file: path, section: "TEXT", byteOffset: base, keyword: "$NEXTDATA")))
          break
        }
        previousBase = base
        base = nextBase
        index += 1
      }
    }

    /// Adds `d` to the data set read last, readable or not.
    mutating func appendToLast(_ d: Diagnostic) {
      if let u = unreadable.last, u.index > sets.last?.index ?? -1 {
        unreadable[unreadable.count - 1].diagnostics.append(d)
      } else if let last = sets.last {
        sets[sets.count - 1] = last.appending(d)
      }
    }
  }

  /// The data set at chain position `index` (``FCSDataSet/index``).
  /// - Throws: the data set's own error when it is one of ``unreadableDataSets``;
  ///   ``FCSError/Kind/noSuchDataSet`` when the chain has no data set `index`.
  public func dataSet(_ index: Int) throws -> FCSDataSet {
    if let ds = dataSets.first(where: { $0.index == index }) { return ds }
    if let bad = unreadableDataSets.first(where: { $0.index == index }) { throw bad.error }
    let n = dataSetCount
    throw FCSError(.noSuchDataSet, "data set \(index) requested but the file has \(n) (0…\(n - 1))",
                   file: path, segment: .file)
  }

  static func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain,
       let msg = strerror(Int32(u.code)).map({ String(cString: $0) }) {
      return msg
    }
    return ns.localizedDescription
  }
}
