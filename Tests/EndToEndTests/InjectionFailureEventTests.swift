import Foundation
import TestSupport
import XCTest

/// The promise end to end: a review the injector cannot satisfy is admitted at once, unchanged,
/// and a Warning Event lands on the pod's Deployment: the real binary, real TLS with curl, the
/// fake API server over HTTPS.
final class InjectionFailureEventTests: XCTestCase {
    private var apiServer: FakeAPIServer!
    private var webhook: ServedWebhook?

    override func setUp() async throws {
        apiServer = try FakeAPIServer.start()
        try await apiServer.seedReplicaSet(name: "web-5d8f9c", namespace: "shop", uid: "rs-uid-1", deployment: "web",
                                           deploymentUID: "deploy-uid-1")
        webhook = try ServedWebhook(apiServer: apiServer, config: """
            defaultProfiles: [observability]
            profiles:
              observability:
                containers: ["*"]
                env:
                  - {name: CLUSTER_NAME, value: e2e}
              shared-volume:
                volumes: [{name: shared, emptyDir: {}}]
              shared-mount:
                volumeMounts: [{name: shared, mountPath: /shared}]
            """, arguments: ["--no-hpa-forwarder"], environment: ["POD_NAME": "kube-injector-e2e-0"])
        try await webhook?.waitUntilReady(timeout: 20)
    }

    override func tearDown() async throws {
        webhook?.stop()
        apiServer.stop()
    }

    func testFailedInjectionIsAdmittedUnchangedAndBecomesOneWarningEventOnTheDeployment() async throws {
        let answer = try postReview(uid: "uid-failing-1")
        XCTAssertEqual(answer["uid"] as? String, "uid-failing-1")
        XCTAssertEqual(answer["allowed"] as? Bool, true)
        XCTAssertNil(answer["patch"], "a failed injection must not carry a patch")

        let events = try await eventsOnceAnyLand()
        XCTAssertEqual(events.count, 1)
        let event = try XCTUnwrap(events.first)
        let involved = try XCTUnwrap(event["involvedObject"] as? [String: Any])
        XCTAssertEqual(involved["kind"] as? String, "Deployment")
        XCTAssertEqual(involved["name"] as? String, "web")
        XCTAssertEqual(involved["uid"] as? String, "deploy-uid-1")
        XCTAssertEqual(event["type"] as? String, "Warning")
        XCTAssertEqual(event["reason"] as? String, "InjectionFailed")
        XCTAssertEqual((event["source"] as? [String: Any])?["component"] as? String, "kube-injector")
        XCTAssertEqual(event["reportingInstance"] as? String, "kube-injector-e2e-0")
        XCTAssertTrue((event["message"] as? String ?? "").contains("does-not-exist"),
                      "the message should name the unknown profile: \(event["message"] ?? "")")
    }

    func testRepeatedFailuresOfOneDeploymentBecomeOneEventWithACount() async throws {
        for index in 0..<20 {
            let answer = try postReview(uid: "uid-repeat-\(index)")
            XCTAssertEqual(answer["allowed"] as? Bool, true)
        }
        var events: [[String: Any]] = []
        // The recorder writes the first at once and folds the rest into one PATCH after its write interval.
        let counted = try await Shell.eventually(timeout: 40) {
            events = try await apiServer.objects(path: "/api/v1/namespaces/shop/events")
            return events.count == 1 && (events.first?["count"] as? Int) == 20
        }
        XCTAssertTrue(counted, "expected one Event with count 20, got \(events.map { $0["count"] ?? "-" })")
        let writes = try await apiServer.requests(pathPrefix: "/api/v1/namespaces/shop/events")
            .filter { $0.method != "GET" }
        XCTAssertLessThanOrEqual(writes.count, 4, "20 identical failures should cost a few writes, not \(writes.count)")
    }

    func testDryRunFailureRecordsNothing() async throws {
        let answer = try postReview(uid: "uid-dry-run", dryRun: true)
        XCTAssertEqual(answer["allowed"] as? Bool, true)
        // A real failure afterwards proves the recorder is working; only it may land.
        _ = try postReview(uid: "uid-after-dry-run")
        let events = try await eventsOnceAnyLand()
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events.first?["count"] as? Int, 1, "the dry-run failure must not be counted")
    }

    /// validation.go `ValidateVolumeMounts`: a pod that selects a mount without the profile that
    /// defines its volume would be refused by the API server, so it is admitted unchanged and the
    /// Event names the rule and the field.
    func testInadmissibleInjectionIsAdmittedUnchangedAndTheEventNamesTheRuleAndField() async throws {
        let answer = try postReview(uid: "uid-inadmissible", inject: "shared-mount")
        XCTAssertEqual(answer["allowed"] as? Bool, true)
        XCTAssertNil(answer["patch"], "an inadmissible injection must not carry a patch")
        let events = try await eventsOnceAnyLand()
        let event = try XCTUnwrap(events.first)
        XCTAssertEqual(event["reason"] as? String, "InjectionFailed")
        XCTAssertEqual(event["type"] as? String, "Warning")
        XCTAssertEqual((event["involvedObject"] as? [String: Any])?["name"] as? String, "web")
        let message = event["message"] as? String ?? ""
        XCTAssertTrue(message.contains("Kubernetes rule ValidateVolumeMounts"), message)
        XCTAssertTrue(message.contains("spec.containers[0].volumeMounts[0].name"), message)

        // With the profile that brings the volume, the same pod is injected.
        let injected = try postReview(uid: "uid-admissible", inject: "shared-mount,shared-volume")
        XCTAssertNotNil(injected["patch"])
    }

    // MARK: - Helpers

    /// The Events in namespace shop once at least one has landed (within 20 s); fails the test if none does.
    private func eventsOnceAnyLand(file: StaticString = #filePath, line: UInt = #line) async throws -> [[String: Any]] {
        var events: [[String: Any]] = []
        let landed = try await Shell.eventually(timeout: 20) {
            events = try await apiServer.objects(path: "/api/v1/namespaces/shop/events")
            return !events.isEmpty
        }
        XCTAssertTrue(landed, "no Event reached the API server:\n\(webhook?.output ?? "")", file: file, line: line)
        return events
    }

    /// Posts a review of a Deployment's pod that names `inject` (by default a profile the configuration does not have).
    private func postReview(uid: String, dryRun: Bool = false, inject: String = "does-not-exist") throws -> [String: Any] {
        try XCTUnwrap(webhook).postPodReview(uid: uid, inject: inject, spec: ["containers": [["name": "web", "image": "nginx:1.27"]]],
                                             owner: ServedWebhook.replicaSetOwner(name: "web-5d8f9c", uid: "rs-uid-1"),
                                             dryRun: dryRun)
    }
}
