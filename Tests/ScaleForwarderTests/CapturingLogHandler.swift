import Foundation
import Logging

/// Keeps log lines in memory so a test can count what the forwarder said.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(Logger.Level, String)] = []

    func append(_ level: Logger.Level, _ message: String) {
        lock.withLock { lines.append((level, message)) }
    }

    func messages(containing text: String) -> [String] {
        lock.withLock { lines.map(\.1).filter { $0.contains(text) } }
    }

    var all: [String] { lock.withLock { lines.map(\.1) } }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = .debug
        return logger
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let extra = (event.metadata ?? [:]).merging(metadata) { call, _ in call }
        let fields = extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.append(event.level, fields.isEmpty ? "\(event.message)" : "\(event.message) \(fields)")
    }
}
