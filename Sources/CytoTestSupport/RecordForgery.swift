import CytoStore

/// A record's JSON with `value` at `path` (member names, `[n]` for array items) and its digest
/// computed again: what someone who knows the format could forge.
public func resealed(_ bytes: [UInt8], setting path: [String], to value: CanonicalJSON?) throws -> [UInt8] {
  func set(_ node: CanonicalJSON, _ path: ArraySlice<String>) -> CanonicalJSON {
    guard let head = path.first else { return value ?? .null }
    switch node {
    case .object(var o):
      if path.count == 1 && value == nil { o[head] = nil } else { o[head] = set(o[head] ?? .null, path.dropFirst()) }
      return .object(o)
    case .array(var a):
      let i = Int(head.dropFirst().dropLast())!
      a[i] = set(a[i], path.dropFirst())
      return .array(a)
    default: return node
    }
  }
  guard case .object(var o) = set(try CanonicalJSON.parse(bytes), path[...]) else { return bytes }
  o["digest"] = nil
  let digest = SHA256.hash(CanonicalJSON.object(o).canonicalBytes()).hex
  o["digest"] = .object(["algorithm": .string("sha256"), "value": .string(digest)])
  return CanonicalJSON.object(o).canonicalBytes()
}
