import Foundation

/// The built-in panels (package resources compiled into the binary, so a copied `cytoreset`
/// works alone), and `auto`: the panel that best covers a file's markers.
public enum PanelLibrary {
  /// Built-in panel names, in order of preference when `auto` finds a tie.
  public static let names = ["reset", "bcell", "tbnk", "cart", "massbcell"]

  static func resource(_ name: String) -> [UInt8]? {
    switch name {
    case "reset": PackageResources.reset_panel_json
    case "bcell": PackageResources.bcell_panel_json
    case "tbnk": PackageResources.tbnk_panel_json
    case "cart": PackageResources.cart_panel_json
    case "massbcell": PackageResources.massbcell_panel_json
    default: nil
    }
  }

  /// The JSON document of built-in panel `name`, as shipped.
  public static func document(_ name: String) -> Data? { resource(name).map { Data($0) } }

  /// The built-in panel `name`, or `nil` when there is none by that name.
  /// - Throws: ``PanelError`` if a built-in panel is invalid (a build defect; tested).
  public static func builtIn(_ name: String) throws -> PanelDefinition? {
    guard let bytes = resource(name) else { return nil }
    return try PanelDefinition(json: Data(bytes), source: "built-in panel '\(name)'", keys: .builtIn)
  }

  /// Every built-in panel.
  public static func all() throws -> [PanelDefinition] { try names.map { try builtIn($0)! } }
}
