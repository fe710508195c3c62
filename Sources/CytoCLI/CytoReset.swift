import ArgumentParser
import Foundation

/// The `cytoreset` command tree.
public struct CytoReset: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "cytoreset",
    abstract: "Read, gate and quantify flow cytometry files for B-cell aplasia and CAR T monitoring.",
    discussion: reflow("""
      Exit codes: 0 success; 1 some input failed (the others were still processed); 2 usage error.
      Errors go to standard error and name the file, the FCS segment or keyword, and the byte offset.
      """),
    version: CytoResetVersion.current,
    subcommands: [Info.self, Export.self, GateCommand.self, Analyze.self, Simulate.self, PanelCommand.self, Anonymize.self, Ingest.self, SeriesCommand.self, PatientsCommand.self, ExportStore.self, ReportCommand.self, Plot.self, WorkspaceCommand.self, ServeCommand.self, ClinicalCommand.self])

  public init() {}
}

/// The version of this build of CytoReset.
public enum CytoResetVersion {
  public static let current = "0.1.0"
}

extension CytoReset {
  /// Exit status for a command-line usage error (ArgumentParser's own default is 64).
  public static let usageExitCode: Int32 = 2

  /// Parses `arguments` (default: the process arguments), runs the command and exits with
  /// CytoReset's documented codes: 0 success, 1 some input failed, 2 usage error.
  public static func runAndExit(_ arguments: [String]? = nil) -> Never {
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
      Foundation.exit(0)
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        if !message.isEmpty { print(message) }
        Foundation.exit(0)
      }
      if !message.isEmpty { printError(message) }
      Foundation.exit(code == .validationFailure ? usageExitCode : code.rawValue)
    }
  }
}
