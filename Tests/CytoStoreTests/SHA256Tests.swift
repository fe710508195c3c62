import CytoTestSupport
import CytoStore
import Foundation
import Testing

@Suite struct SHA256Tests {
  @Test func standardVectors() {
    #expect(SHA256.hash(text: "").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hash(text: "abc").hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      SHA256.hash(text: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      SHA256.hash(Array(repeating: UInt8(ascii: "a"), count: 1_000_000)).hex
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  /// Any split of the message into `update` calls gives the one-shot digest.
  @Test func incrementalEqualsOneShot() {
    var rng = SystemRandomNumberGenerator()
    for length in [0, 1, 55, 56, 63, 64, 65, 127, 128, 1_000, 4_099] {
      let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
      let whole = SHA256.hash(bytes)
      var h = SHA256()
      var i = 0
      while i < length {
        let n = Int.random(in: 1...70, using: &rng)
        h.update(Array(bytes[i..<min(length, i + n)]))
        i += n
      }
      #expect(h.finalize() == whole, "length \(length)")
    }
  }

  /// Files of lengths around the block and padding boundaries agree with coreutils `sha256sum`.
  @Test func agreesWithSha256sum() throws {
    let dir = ScratchDirectory()
    var rng = SystemRandomNumberGenerator()
    for length in [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 1_000, 65_536, (1 << 20) + 3, 3 * (1 << 20) + 17] {
      let path = dir.path("f\(length).bin")
      let seed = UInt64.random(in: 1...UInt64.max, using: &rng)
      let bytes = (0..<length).map { UInt8(truncatingIfNeeded: (UInt64($0) &+ seed) &* 0x9E37_79B9_7F4A_7C15 >> 29) }
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      let sums = dir.path("f\(length).sum")
      #expect(try ChildProcess("/usr/bin/env", ["sha256sum", path], stdout: sums).wait() == 0)
      let text = try String(contentsOfFile: sums, encoding: .utf8)
      let expected = String(text.prefix(64))
      #expect(expected.count == 64)
      #expect(try SHA256.hash(fileAt: path).hex == expected, "length \(length)")
      #expect(SHA256.hash(bytes).hex == expected, "length \(length)")
    }
  }
}
