import Foundation
import KubernetesAPI
import Logging
import TestSupport
import XCTest
@testable import EventRecorder

final class LoggingEventRecorderTests: XCTestCase {
    func testFailureIsLoggedAsAWarningAndDryRunIsNot() {
        let captured = CapturedLog()
        let recorder = LoggingEventRecorder(logger: captured.logger("test", level: .trace),
                                            messageLimit: 8)
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d9c", uid: "rs", controller: true)
        recorder.record(FailureReport(message: "volume agent already exists", namespace: "shop", name: "",
                                      generateName: "web-5d9c-", ownerReferences: [owner], dryRun: true))
        XCTAssertTrue(captured.entries.isEmpty)
        recorder.record(FailureReport(message: "volume agent already exists", namespace: "shop", name: "",
                                      generateName: "web-5d9c-", ownerReferences: [owner], requestUID: "req-9"))
        let entry = try? XCTUnwrap(captured.entries.first)
        XCTAssertEqual(captured.entries.count, 1)
        XCTAssertEqual(entry?.level, .warning)
        XCTAssertEqual(entry?.message, "Event: volume a")
        XCTAssertEqual(entry?.metadata["reason"], "InjectionFailed")
        XCTAssertEqual(entry?.metadata["involvedObject"], "ReplicaSet shop/web-5d9c")
        XCTAssertEqual(entry?.metadata["requestUID"], "req-9")
    }
}
