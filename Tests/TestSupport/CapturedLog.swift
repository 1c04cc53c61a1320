import Foundation
import Logging

/// Log records kept in memory, so a test can read what the code under test said: each record with its
/// level, message and metadata (the logger's own metadata under the call's), and as one line
/// `message key=value ...`.
public final class CapturedLog: @unchecked Sendable {
    /// One logged record.
    public struct Entry: Sendable {
        public let level: Logger.Level
        public let message: String
        public let metadata: Logger.Metadata

        /// The message, then its metadata as `key=value` with the keys sorted; the message alone when
        /// there is none.
        public var line: String {
            let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return fields.isEmpty ? message : "\(message) \(fields)"
        }
    }

    private let lock = NSLock()
    private var stored: [Entry] = []

    public init() {}

    public func append(_ entry: Entry) {
        lock.withLock { stored.append(entry) }
    }

    /// Every record, oldest first.
    public var entries: [Entry] { lock.withLock { stored } }

    /// Every record as a line, oldest first.
    public var all: [String] { entries.map(\.line) }

    /// The lines that contain `text`.
    public func lines(containing text: String) -> [String] {
        all.filter { $0.contains(text) }
    }

    /// The lines at warning level or above that contain `text` (every such line when `text` is empty).
    public func warnings(containing text: String) -> [String] {
        entries.filter { $0.level >= .warning }.map(\.line).filter { text.isEmpty || $0.contains(text) }
    }

    /// A logger whose records land here.
    public func logger(_ label: String = "test", level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(log: self) }
        logger.logLevel = level
        return logger
    }
}

/// Hands each record to a `CapturedLog`.
private struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, call in call }
        log.append(CapturedLog.Entry(level: event.level, message: event.message.description, metadata: merged))
    }
}
