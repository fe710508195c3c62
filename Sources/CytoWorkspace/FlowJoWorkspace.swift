import CytoCore
import Foundation

/// A sample's identifier in a workspace (`sampleID`), unique within the workspace. Sample
/// names need not be unique; match on this.
public struct SampleID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The id as written (`"1"`).
  public let rawValue: String
  /// Wraps an id.
  public init(rawValue: String) { self.rawValue = rawValue }
  /// Wraps an id.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  /// The id as written.
  public var description: String { rawValue }
  /// Orders by the raw string.
  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One FCS TEXT keyword copied into the workspace (`Keywords/Keyword@name@value`).
public struct WorkspaceKeyword: Sendable, Hashable {
  /// The keyword (`$FIL`), as written.
  public var name: String
  /// Its value (`""` when the attribute is absent).
  public var value: String
}

/// A derived parameter the sample defines (`DerivedParameters/DerivedParameter@name`). Gates on
/// one are refused (``WorkspaceError/Kind/derivedParameter``); the definition is listed.
public struct DerivedParameterName: Sendable, Hashable {
  /// The name gates would use.
  public var name: String
  /// The 1-based line of its definition.
  public var line: Int
}

/// One sample of a workspace (`SampleList/Sample`): its file, keywords, transforms,
/// compensation and own gating tree.
public struct WorkspaceSample: Sendable, Equatable {
  /// `sampleID` (on `DataSet` and `SampleNode`).
  public var id: SampleID
  /// `SampleNode@name`: usually the file name, but it can be renamed and need not be unique.
  public var name: String
  /// `DataSet@uri` as written (e.g. `file:/D:/FlowSOM/inst/extdata/lymphocytes.fcs`), the
  /// path on the machine FlowJo ran on; empty for FlowJo 9, which stores no `DataSet`.
  public var dataSetURI: String
  /// The FCS keywords FlowJo copied, in XML order.
  public var keywords: [WorkspaceKeyword]
  /// Per parameter name (as gates spell it), the display transform.
  public var transforms: [String: FlowJoTransform]
  /// The matrix this sample uses (`Sample/transforms:spilloverMatrix`), if any.
  public var compensation: WorkspaceMatrix?
  /// Derived parameters the sample defines.
  public var derivedParameters: [DerivedParameterName]
  /// `SampleNode@count`: FlowJo's event count for the whole sample.
  public var savedCount: SavedCount
  /// The sample's top-level populations (the `SampleNode` tree).
  public var populations: [PopulationNode]
  /// The 1-based line of the `SampleNode` element.
  public var line: Int

  /// The value of keyword `name` (exact, case-sensitive), or `nil`.
  public func keyword(_ name: String) -> String? { keywords.first { $0.name == name }?.value }

  /// `$FIL`, the file name the cytometer wrote (not always present in FlowJo's copy).
  public var fil: String? { keyword("$FIL") }

  /// The last path component of ``dataSetURI`` (percent-decoded), for finding the file.
  public var dataSetFileName: String {
    let last = dataSetURI.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? dataSetURI
    return last.removingPercentEncoding ?? last
  }

  /// The transform FlowJo uses for a parameter name (compensated names have their own entries).
  public func transform(for parameter: String) -> FlowJoTransform? { transforms[parameter] }

  /// Every population, depth first.
  public var allPopulations: [PopulationNode] { populations.flatMap(\.flattened) }

  /// The population at `path`, or `nil`.
  public func population(at path: PopulationPath) -> PopulationNode? { allPopulations.first { $0.path == path } }
}

/// A sample group (`Groups/GroupNode`): its members and, when present, its template tree.
///
/// Group trees are templates (counts `-1`); every sample carries its own copy, which may
/// differ. FlowJo 10 adds a `Compensation` group by itself.
public struct WorkspaceGroup: Sendable, Hashable {
  /// `GroupNode@name`.
  public var name: String
  /// `Group/SampleRefs/SampleRef@sampleID`, in order.
  public var sampleIDs: [SampleID]
  /// The template's top-level populations (empty when the group has no gates).
  public var template: [PopulationNode]
}

/// A FlowJo 10 workspace (`.wsp`, `Workspace@version` 20.0 or 1.8) or FlowJo 9 workspace
/// (`.xml`/`.wsp`, `Workspace@version` 2.0, read by `FlowJo9Reader`) in the project's own types.
///
///     let ws = try FlowJoWorkspace(contentsOf: "gating.wsp")
///     for s in ws.samples { print(s.name, s.allPopulations.map(\.path)) }
///
/// Read: samples (DataSet URI, keywords, transforms, compensation, own gating tree), groups
/// (members, template trees), workspace matrices; rectangle, polygon, ellipse and curly-quad
/// gates with `eventsInside` and `gateResolution`; And/Or/Not nodes with resolved dependents.
/// FlowJo 9: `SampleList/Sample` with `Parameter`s (``FlowJo9Parameter``), `CompensationMatrices`
/// and acquisition-defined (`<PE-A>`) compensation, `Polygon`/`PolyRect`/`Ellipse`/`Range` gates
/// in data units and `BooleanGate`s (all-AND, all-OR or one NOT); docs/flowjo.md, "FlowJo 9
/// workspaces". Refused with a ``WorkspaceError`` naming the file, element, line and population: DTDs, other
/// versions, unknown gate, node or transform elements (including a Gating-ML `QuadrantGate`,
/// which FlowJo 10 does not write), gates on derived parameters. Display-only content (graphs,
/// layouts, tables) is ignored.
public struct FlowJoWorkspace: Sendable, Equatable {
  /// `Workspace@version` (`20.0`; `2.0` for FlowJo 9).
  public var version: String
  /// `Workspace@flowJoVersion` (e.g. `10.5.3`, `9.2`).
  public var flowJoVersion: String?
  /// `Matrices/transforms:spilloverMatrix`: the workspace's copies of every matrix.
  public var matrices: [WorkspaceMatrix]
  /// Groups in XML order.
  public var groups: [WorkspaceGroup]
  /// Samples in XML order.
  public var samples: [WorkspaceSample]
  /// What is unusual but readable: duplicate sample names, a `$TOT` that differs from FlowJo's
  /// sample count, a group naming a sample that is not in the workspace (see
  /// ``WorkspaceDiagnostics``). Never printed by the reader; callers show them.
  public var diagnostics: [Diagnostic]

  /// The sample with id `id`, or `nil`.
  public func sample(_ id: SampleID) -> WorkspaceSample? { samples.first { $0.id == id } }

  /// Reads a workspace from `data`; `file` is named in errors.
  /// - Throws: ``WorkspaceError``.
  public init(data: Data, file: String? = nil) throws(WorkspaceError) {
    do {
      self = try WorkspaceReader().workspace(WorkspaceXMLParser.parse(FlowJo9Prolog.normalize(data)))
    } catch var e {
      e.file = e.file ?? file
      throw e
    }
  }

  /// Reads the workspace file at `path`.
  /// - Throws: ``WorkspaceError`` (``WorkspaceError/Kind/unreadable`` when the file cannot be read).
  public init(contentsOf path: String) throws(WorkspaceError) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw WorkspaceError(.unreadable, "cannot read the file", file: path)
    }
    try self.init(data: data, file: path)
  }

  init(version: String, flowJoVersion: String?, matrices: [WorkspaceMatrix], groups: [WorkspaceGroup], samples: [WorkspaceSample]) {
    self.version = version
    self.flowJoVersion = flowJoVersion
    self.matrices = matrices
    self.groups = groups
    self.samples = samples
    self.diagnostics = []
    self.diagnostics = WorkspaceDiagnostics.check(self)
  }
}
