import Foundation
import KubeClient
import Logging
import XCTest
@testable import EventRecorder

final class LoggingEventRecorderTests: XCTestCase {
    /// Keeps what is logged, so the test can read what `serve --dev` would print.
    private final class CapturedLog: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [(Logger.Level, String, Logger.Metadata)] = []

        func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
            lock.withLock { lines.append((level, message, metadata)) }
        }

        var entries: [(Logger.Level, String, Logger.Metadata)] { lock.withLock { lines } }
    }

    private struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append(event.level, event.message.description, metadata.merging(event.metadata ?? [:]) { $1 })
        }
    }

    func testFailureIsLoggedAsAWarningAndDryRunIsNot() {
        let captured = CapturedLog()
        let recorder = LoggingEventRecorder(logger: Logger(label: "test") { _ in CapturingHandler(log: captured) },
                                            messageLimit: 8)
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d9c", uid: "rs", controller: true)
        recorder.record(FailureReport(message: "volume agent already exists", namespace: "shop", name: "",
                                      generateName: "web-5d9c-", ownerReferences: [owner], dryRun: true))
        XCTAssertTrue(captured.entries.isEmpty)
        recorder.record(FailureReport(message: "volume agent already exists", namespace: "shop", name: "",
                                      generateName: "web-5d9c-", ownerReferences: [owner], requestUID: "req-9"))
        let entry = try? XCTUnwrap(captured.entries.first)
        XCTAssertEqual(captured.entries.count, 1)
        XCTAssertEqual(entry?.0, .warning)
        XCTAssertEqual(entry?.1, "Event: volume a")
        XCTAssertEqual(entry?.2["reason"], "InjectionFailed")
        XCTAssertEqual(entry?.2["involvedObject"], "ReplicaSet shop/web-5d9c")
        XCTAssertEqual(entry?.2["requestUID"], "req-9")
    }
}
