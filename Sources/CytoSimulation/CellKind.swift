/// The kinds of event the simulator draws. Every live single cell has exactly one kind.
public enum CellKind: String, CaseIterable, Codable, Sendable {
  case cd4T, cd8T, doublePositiveT, doubleNegativeT
  case cd4CART, cd8CART, doublePositiveCART, doubleNegativeCART
  case naiveB, transitionalB, unswitchedMemoryB, switchedMemoryB, doubleNegativeB, plasmablast
  case nk, monocyte, granulocyte

  var isT: Bool { tSubset != nil }
  var isCAR: Bool { [.cd4CART, .cd8CART, .doublePositiveCART, .doubleNegativeCART].contains(self) }
  var isLymphocyte: Bool { self != .monocyte && self != .granulocyte }

  /// 0 CD4, 1 CD8, 2 DP, 3 DN for T cells.
  var tSubset: Int? {
    switch self {
    case .cd4T, .cd4CART: 0
    case .cd8T, .cd8CART: 1
    case .doublePositiveT, .doublePositiveCART: 2
    case .doubleNegativeT, .doubleNegativeCART: 3
    default: nil
    }
  }

  /// The reset panel's population ids this kind belongs to (live single cells only).
  ///
  /// Plasmablasts are CD19^dim: inside the CD19⁺ gate, so they count as B cells and fall in the
  /// CD27⁺ IgD⁻ (switched memory) quadrant; the plasmablast gate finds them by CD27^hi CD38^hi.
  /// Transitional B cells are CD27⁻ IgD⁺ and count as naive too.
  public var populations: [String] { allPopulations.filter { !["NKCells", "Monocytes", "Granulocytes"].contains($0) } }

  /// Every population id of the fixed vocabulary (``SimulationTruth/populationIDs``) this kind
  /// belongs to as a live single cell: ``populations`` plus `NKCells` (lymphocytes, CD3⁻
  /// CD16+56⁺), `Monocytes` and `Granulocytes` (CD45⁺, not lymphocytes).
  public var allPopulations: [String] {
    var p = ["CD45pos"]
    if isLymphocyte { p.append("Lymphocytes") }
    if let t = tSubset {
      p.append("TCells")
      p.append(["CD4T", "CD8T", "DPT", "DNT"][t])
      if isCAR {
        p.append("CART")
        p.append(["CD4CART", "CD8CART", "DPCART", "DNCART"][t])
      }
    }
    switch self {
    case .naiveB: p += ["BCells", "NaiveB"]
    case .transitionalB: p += ["BCells", "NaiveB", "TransitionalB"]
    case .unswitchedMemoryB: p += ["BCells", "UnswitchedMemB"]
    case .switchedMemoryB: p += ["BCells", "SwitchedMemB"]
    case .doubleNegativeB: p += ["BCells", "DNB"]
    case .plasmablast: p += ["BCells", "SwitchedMemB", "Plasmablasts"]
    case .nk: p.append("NKCells")
    case .monocyte: p.append("Monocytes")
    case .granulocyte: p.append("Granulocytes")
    default: break
    }
    return p
  }
}
