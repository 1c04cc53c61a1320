import Foundation
import Logging

/// Log lines kept in memory, with their levels.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(Logger.Level, String)] = []

    func append(_ level: Logger.Level, _ line: String) { lock.withLock { lines.append((level, line)) } }
    var all: [String] { lock.withLock { lines.map(\.1) } }

    func warnings(containing text: String) -> [String] {
        lock.withLock { lines.filter { $0.0 >= .warning && (text.isEmpty || $0.1.contains(text)) }.map(\.1) }
    }

    func logger() -> Logger {
        var logger = Logger(label: "test") { _ in LineHandler(lines: self) }
        logger.logLevel = .debug
        return logger
    }

    private struct LineHandler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.append(event.level, "\(event.message) \(fields)")
        }
    }
}
