import ArgumentParser

/// The `cytoreset` command tree.
public struct CytoReset: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "cytoreset",
    abstract: "Read, gate and quantify flow cytometry files for B-cell aplasia and CAR T monitoring.",
    discussion: """
      Exit codes: 0 success; 1 some input failed (the others were still processed); 2 usage error.
      Errors go to standard error and name the file, the FCS segment or keyword, and the byte offset.
      """,
    version: CytoResetVersion.current,
    subcommands: [Info.self, Export.self, Anonymize.self])

  public init() {}
}

/// The version of this build of CytoReset.
public enum CytoResetVersion {
  public static let current = "0.1.0"
}
