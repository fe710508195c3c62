import Foundation

/// Validation of the path segments that name store objects (patient ids, visit names).
///
/// The router hands parameters over still percent-encoded. A segment is decoded once, and
/// refused (404, never an error naming the input back as markup) when the decoding is invalid
/// or the result is empty, contains `/`, `\`, `..` or a control character (NUL included), or
/// is longer than 256 bytes. Only then is it looked up among the names the store lists, so
/// nothing from a URL ever reaches an HDF5 path unless the store itself holds that name.
public enum RouteParameter {
  /// The decoded segment, or nil when it must be refused.
  public static func decode(_ raw: String) -> String? {
    guard raw.utf8.count <= 768, let s = raw.removingPercentEncoding else { return nil }
    return isAcceptable(s) ? s : nil
  }

  /// Whether a decoded segment may name a store object.
  public static func isAcceptable(_ s: String) -> Bool {
    !s.isEmpty && s.utf8.count <= 256 && !s.contains("/") && !s.contains("\\") && !s.contains("..")
      && !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
  }
}
