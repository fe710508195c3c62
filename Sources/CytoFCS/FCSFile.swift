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
public struct FCSFile: Sendable {
  /// The path the file was read from, if any.
  public let path: String?
  /// Size of the file in bytes.
  public let byteCount: Int
  /// Data sets in `$NEXTDATA` order.
  public let dataSets: [FCSDataSet]

  /// Upper bound on data sets followed in one file, so a crafted chain cannot run for long.
  public static let maximumDataSets = 4096

  /// When a data set's DATA segment cannot be located or is truncated.
  public enum DataCheck: Sendable {
    /// Reading fails with the DATA error (the default: nothing is guessed).
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
    do {
      self.dataSets = try bytes.withUnsafeBytes { raw in
        var sets: [FCSDataSet] = []
        var visited: Set<Int> = []
        // TEXT and supplemental TEXT of the data sets read so far. Segments of different data
        // sets never overlap in a valid file; refusing overlaps keeps the work (and the memory
        // for keywords) proportional to the file size even for a crafted chain of many
        // HEADERs that all point into one large TEXT.
        var claimed: [Range<Int>] = []
        var previous: (result: DataSetParser.Result, base: Int)? = nil
        var base = 0
        while true {
          visited.insert(base)
          var parser = DataSetParser(bytes: raw, base: base, index: sets.count, file: path, dataCheck: dataCheck,
                                     claimed: claimed)
          var set: DataSetParser.Result
          do {
            set = try parser.parse(data: bytes)
          } catch let e as FCSError where e.kind == .invalidDataSetChain {
            guard var last = previous?.result, let lastBase = previous?.base else { throw e }
            // Earlier data sets are intact: keep them and record why the chain stopped.
            last.appendDiagnostic(Diagnostic(.warning, .init("fcs.nextdata.invalid"),
              "$NEXTDATA leads to a data set whose \(e.message); no further data sets read",
              at: SourceLocation(file: path, section: "TEXT", byteOffset: lastBase, keyword: "$NEXTDATA")))
            sets[sets.count - 1] = last.dataSet
            break
          }
          claimed += set.segments
          let next = set.nextData
          sets.append(set.dataSet)
          guard let next, next != 0 else { break }
          let (nextBase, overflow) = base.addingReportingOverflow(next)
          guard next > 0, !overflow, nextBase < raw.count, !visited.contains(nextBase), sets.count < Self.maximumDataSets else {
            let why = !overflow && visited.contains(nextBase) ? "points back to an earlier data set"
              : overflow || nextBase >= raw.count ? "points past the end of the file (\(raw.count) bytes)"
              : next <= 0 ? "is not a forward offset" : "would be data set \(Self.maximumDataSets + 1), more than are read"
            // Earlier data sets are intact: keep them and record why the chain stopped.
            set.appendDiagnostic(Diagnostic(.warning, .init("fcs.nextdata.invalid"),
              "$NEXTDATA \(next) \(why); no further data sets read",
              at: SourceLocation(file: path, section: "TEXT", byteOffset: base, keyword: "$NEXTDATA")))
            sets[sets.count - 1] = set.dataSet
            break
          }
          previous = (set, base)
          base = nextBase
        }
        return fileMapped ? sets.map { var d = $0; d.releasesDataPages = true; return d } : sets
      }
    } catch let e as FCSError {
      throw e.inFile(path)
    }
  }

  /// The data set at `index`.
  /// - Throws: ``FCSError/Kind/noSuchDataSet`` when the file has fewer data sets.
  public func dataSet(_ index: Int) throws -> FCSDataSet {
    guard dataSets.indices.contains(index) else {
      throw FCSError(.noSuchDataSet, "data set \(index) requested but the file has \(dataSets.count) (0…\(dataSets.count - 1))",
                     file: path, segment: .file)
    }
    return dataSets[index]
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
