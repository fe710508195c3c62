import Foundation

/// Finds keys a JSON document has that its decoded value does not use: the document is decoded,
/// the value encoded again, and every object key of the original that the re-encoding lacks is
/// unknown (a misspelt or unsupported setting, which must be an error, not silently ignored).
/// Keys whose value is `null` are not reported (an absent optional encodes as nothing).
enum UnknownKeys {
  /// The JSON path of the first unknown key (`populations[3].gate.lvel`), or `nil`.
  static func first<T: Encodable>(in original: Data, decoded: T) throws -> String? {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let again = try JSONSerialization.jsonObject(with: try e.encode(decoded))
    let raw = try JSONSerialization.jsonObject(with: original)
    return find(raw, again, path: "")
  }

  private static func find(_ a: Any, _ b: Any, path: String) -> String? {
    if let oa = a as? [String: Any] {
      // A value written as one object where a list is allowed encodes as a one-element list.
      if let lb = b as? [Any], lb.count == 1 { return find(a, lb[0], path: path) }
      let ob = b as? [String: Any] ?? [:]
      for k in oa.keys.sorted() {
        let sub = path.isEmpty ? k : "\(path).\(k)"
        guard let vb = ob[k] else {
          if oa[k] is NSNull { continue }
          return sub
        }
        if let hit = find(oa[k]!, vb, path: sub) { return hit }
      }
    } else if let la = a as? [Any], let lb = b as? [Any] {
      for (i, (x, y)) in zip(la, lb).enumerated() {
        if let hit = find(x, y, path: "\(path)[\(i)]") { return hit }
      }
    }
    return nil
  }
}
