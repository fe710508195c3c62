/// What `cytoreset serve` serves, where, and with which secrets.
public struct ServeConfiguration: Sendable {
  /// The cohort store (HDF5) read by the API.
  public var storePath: String
  /// The folder FCS files are looked up in, by their recorded name and SHA-256; nil: no files.
  public var fcsDirectory: String?
  /// The address to bind (default loopback only).
  public var host: String
  /// The TCP port (0: any free port, printed when bound).
  public var port: Int
  /// The token of the printed URL, exchanged for the session cookie on the first visit.
  public var token: AccessSecret
  /// The session cookie's value.
  public var session: AccessSecret
  /// Request bodies larger than this get 413.
  public var maxBodyBytes: Int
  /// The CytoReset version recorded in reviewed analyses.
  public var softwareVersion: String
  /// How much review state the server keeps: events × (columns / 2 + gated dimensions) over
  /// all opened versions (default 2·10⁷: about four 10⁶-event visits of a 16-channel panel).
  public var sessionCapacity: Int

  /// The default port.
  public static let defaultPort = 8765
  /// The default body limit: 1 MiB.
  public static let defaultMaxBodyBytes = 1 << 20
  /// The default ``sessionCapacity``.
  public static let defaultSessionCapacity = 20_000_000

  public init(storePath: String, fcsDirectory: String? = nil, host: String = "127.0.0.1", port: Int = defaultPort,
              token: AccessSecret = .random(), session: AccessSecret = .random(), maxBodyBytes: Int = defaultMaxBodyBytes,
              softwareVersion: String = "unknown", sessionCapacity: Int = defaultSessionCapacity) {
    self.softwareVersion = softwareVersion
    self.sessionCapacity = sessionCapacity
    self.storePath = storePath
    self.fcsDirectory = fcsDirectory
    self.host = host
    self.port = port
    self.token = token
    self.session = session
    self.maxBodyBytes = maxBodyBytes
  }

  /// Whether ``host`` is a loopback address or name (then only this machine can connect, and
  /// the `Host` header is checked against loopback names, against DNS rebinding).
  public var isLoopback: Bool {
    ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()) || host.hasPrefix("127.")
  }

  /// The URL to open: `http://HOST:PORT/?token=…` (IPv6 hosts in brackets).
  public func url(port actualPort: Int) -> String {
    let h = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    return "http://\(h):\(actualPort)/?token=\(token.hex)"
  }

  /// The session cookie's name; it carries the port because browsers share cookies between
  /// the ports of one host, so two servers on one machine keep their own sessions.
  public func cookieName(port actualPort: Int) -> String { "cytoreset_session_\(actualPort)" }
}
