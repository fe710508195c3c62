import ArgumentParser
import CytoCore
import CytoFCS
import Foundation

/// Writes to standard error.
func printError(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Standard output, buffered for large tables.
struct StandardOutput {
  private var buffer = ""
  mutating func write(_ s: String) {
    buffer += s
    if buffer.utf8.count > 1 << 16 { flush() }
  }
  mutating func flush() {
    FileHandle.standardOutput.write(Data(buffer.utf8))
    buffer = ""
  }
}

/// Runs `body` for each input, reporting failures on stderr and continuing;
/// exits with code 1 at the end when any input failed.
func forEachInput(_ inputs: [String], _ body: (String) throws -> Void) throws {
  var failed = 0
  for path in inputs {
    do { try body(path) } catch {
      failed += 1
      printError("cytoreset: \(describe(error, file: path))")
    }
  }
  if failed > 0 { throw ExitCode(1) }
}

/// The message for an error, naming the file when the error itself does not.
func describe(_ error: Error, file: String) -> String {
  if let e = error as? FCSError { return e.inFileDescription(file) }
  let text = "\(error)"
  return text.hasPrefix(file + ":") ? text : "\(file): \(text)"
}

extension FCSError {
  func inFileDescription(_ path: String) -> String {
    var e = self
    if e.location.file == nil { e.location.file = path }
    return e.description
  }
}

extension FCSValueScale: ExpressibleByArgument {}

extension Diagnostic {
  var json: JSONValue {
    .object([
      ("severity", .string(severity.rawValue)), ("code", .string(code.rawValue)), ("message", .string(message)),
      ("section", .optional(location.section)), ("keyword", .optional(location.keyword)),
      ("byteOffset", .optional(location.byteOffset)),
    ])
  }
}

/// Formats a number for tables and CSV (see `Double.compactText`).
func formatValue(_ d: Double) -> String { d.compactText }

func formatBytes(_ n: Int) -> String {
  var s = String(n)
  var i = s.count - 3
  while i > 0 { s.insert(",", at: s.index(s.startIndex, offsetBy: i)); i -= 3 }
  return s
}

/// Help text as written in the source (wrapped near 100 columns) reflowed for ArgumentParser,
/// which wraps long lines at the terminal width: lines of one paragraph are joined; blank lines,
/// indented lines (examples, tables) and headings in capitals stay as they are.
func reflow(_ text: String) -> String {
  var out: [String] = []
  var paragraph: [String] = []
  func flush() {
    if !paragraph.isEmpty { out.append(paragraph.joined(separator: " ")) }
    paragraph = []
  }
  for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    if trimmed.isEmpty || line.hasPrefix(" ") || (trimmed == trimmed.uppercased() && trimmed.rangeOfCharacter(from: .letters) != nil) {
      flush()
      out.append(line)
    } else {
      paragraph.append(trimmed)
    }
  }
  flush()
  return out.joined(separator: "\n")
}
