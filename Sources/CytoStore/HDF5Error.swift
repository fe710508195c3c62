/// A failure of the HDF5 layer: which file, which object inside it, what the layer was doing and
/// what libhdf5 said.
///
/// Every throwing API of the HDF5 layer throws this type (typed throws). ``description`` reads
/// like `/data/P01.h5:/patients/P01/visits/3: open group failed: object not found: …`.
public struct HDF5Error: Error, Sendable, Equatable, CustomStringConvertible {
  /// What went wrong, coarsely enough to branch on.
  public enum Kind: Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist (or a directory on its path does not).
    case fileNotFound
    /// The file exists but has zero bytes.
    case emptyFile
    /// The file has no HDF5 signature: it is some other kind of file.
    case notHDF5
    /// The file starts like HDF5 but is shorter than its superblock says (a partial copy or an
    /// interrupted write).
    case truncated
    /// The file has an HDF5 signature but libhdf5 cannot read its metadata.
    case corrupt
    /// ``HDF5File/create(_:overwrite:)`` without `overwrite` found an existing file.
    case fileExists
    /// No object (group, dataset) or attribute at the path or name.
    case objectNotFound
    /// Something already exists where a new object or attribute was to be created.
    case objectExists
    /// The object or value has another type than the one asked for (a dataset where a group was
    /// expected, an `Int64` attribute read as a string, a float dataset read as `Int64`).
    case typeMismatch
    /// Sizes that must agree do not (matrix shape and value count, table column lengths).
    case shapeMismatch
    /// An argument the layer rejects before calling libhdf5 (an empty name, a string with NUL).
    case invalidArgument
    /// The file was opened read-only and the operation writes.
    case readOnly
    /// Any other libhdf5 failure; ``HDF5Error/message`` has libhdf5's description.
    case libraryFailure

    public var description: String {
      switch self {
      case .fileNotFound: "file not found"
      case .emptyFile: "empty file (0 bytes)"
      case .notHDF5: "not an HDF5 file"
      case .truncated: "truncated HDF5 file"
      case .corrupt: "corrupt HDF5 file"
      case .fileExists: "file exists"
      case .objectNotFound: "object not found"
      case .objectExists: "object exists"
      case .typeMismatch: "type mismatch"
      case .shapeMismatch: "shape mismatch"
      case .invalidArgument: "invalid argument"
      case .readOnly: "file opened read-only"
      case .libraryFailure: "libhdf5 failure"
      }
    }
  }

  /// What went wrong.
  public var kind: Kind
  /// The file's path as given to ``HDF5File/open(_:mode:)`` or ``HDF5File/create(_:overwrite:)``.
  public var filePath: String
  /// The absolute path of the object inside the file (`/patients/P01/visits/3`), or nil for
  /// file-level failures. For attributes: the owning object's path followed by `@name`.
  public var objectPath: String?
  /// What the layer was doing: `open file`, `create group`, `read attribute`, …
  public var operation: String
  /// The most specific explanation available: the innermost libhdf5 error-stack description
  /// (with its minor error message), or the layer's own text when libhdf5 was not at fault.
  public var message: String
  /// The whole libhdf5 error stack, innermost first (empty when libhdf5 reported nothing).
  public var stack: [String]

  /// Creates an error; the layer does this, callers normally only inspect errors.
  public init(
    _ kind: Kind, filePath: String, objectPath: String? = nil, operation: String, message: String,
    stack: [String] = []
  ) {
    self.kind = kind
    self.filePath = filePath
    self.objectPath = objectPath
    self.operation = operation
    self.message = message
    self.stack = stack
  }

  public var description: String {
    var s = filePath
    if let objectPath { s += ":" + objectPath }
    s += ": \(operation) failed: \(kind)"
    if !message.isEmpty { s += ": " + message }
    return s
  }
}
