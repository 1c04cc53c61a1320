import Foundation
import TestSupport
import XCTest

/// The cluster side under fault, end to end: the real binary against the fake API server, read through its
/// log and its /metrics. Figures are reported in docs/kubernetes-client.md.
final class ClusterFaultTests: XCTestCase {
    private var apiServer: FakeAPIServer!
    private var webhook: ServedWebhook?
    private let lease = "e2e-release-hpa-forwarder"

    override func setUp() async throws {
        apiServer = try FakeAPIServer.start()
        try await apiServer.seedReplicaSet(name: "web-5d8f9c", namespace: "shop", uid: "rs-uid-1", deployment: "web",
                                           deploymentUID: "deploy-uid-1")
        webhook = try ServedWebhook(apiServer: apiServer, config: "defaultProfiles: []\nprofiles: {}\n",
                                    arguments: ["--leader-election-lease-name", lease],
                                    environment: ["POD_NAME": "kube-injector-e2e-0", "POD_NAMESPACE": "kube-injector"])
        try await webhook?.waitUntilReady(timeout: 20)
    }

    override func tearDown() async throws {
        webhook?.stop()
        apiServer.stop()
    }

    func testTheMetricFamiliesAndTheLeaderHealthAreOnTheMetricsListener() async throws {
        let leading = try await Shell.eventually(timeout: 20) {
            try self.metrics().contains("kube_injector_leader{lease=\"kube-injector/\(self.lease)\"} 1")
        }
        XCTAssertTrue(leading, "never led under its release's Lease:\n\(webhook?.output ?? "")")
        let text = try metrics()
        for family in ["kube_injector_apiserver_requests_total", "kube_injector_apiserver_request_duration_seconds",
                       "kube_injector_watch_state", "kube_injector_leader_election_failures_total",
                       "kube_injector_events_owner_lookup_failures_total"] {
            XCTAssertTrue(text.contains(family), "\(family) missing from /metrics")
        }
        XCTAssertTrue(text.contains(#"kube_injector_apiserver_requests_total{resource="leases.coordination.k8s.io",verb="create",code="201"}"#)
                      || text.contains(#"resource="leases.coordination.k8s.io""#), text)
        let health = try Shell.run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}",
                                            "http://127.0.0.1:\(try XCTUnwrap(webhook).metricsPort)/healthz/leader"])
        XCTAssertEqual(health.output, "200")
        let stored = try await apiServer.object(path: "/apis/coordination.k8s.io/v1/namespaces/kube-injector/leases/\(lease)")
        XCTAssertNotNil(stored, "the Lease is named after the release")
    }

    func testAPIServerDownForThirtySecondsIsLoudAtOnceAndLosesNoEvent() async throws {
        _ = try await Shell.eventually(timeout: 20) { try self.metrics().contains("kube_injector_leader{") }
        let wentDown = ContinuousClock.now
        try await apiServer.goDown(for: 30)
        for index in 0..<5 {
            XCTAssertEqual(try postReview(uid: "uid-down-\(index)", profile: "missing-\(index)")["allowed"] as? Bool, true)
        }
        let loud = await Shell.eventually(timeout: 5) {
            self.warnings(containing: "API server unreachable").count > 0
        }
        let heardAfter = ContinuousClock.now - wentDown
        XCTAssertTrue(loud, "no warning within 5 s of the API server going down:\n\(webhook?.output ?? "")")
        let counted = try await Shell.eventually(timeout: 5) { try self.metrics().contains(#"code="error""#) }
        XCTAssertTrue(counted, "transport failures not on /metrics")
        print("figure: first warning \(heardAfter) after the API server went down")

        // Back after 30 s: every Event the queue held lands.
        var events: [[String: Any]] = []
        let landed = await Shell.eventually(timeout: 90) {
            events = (try? await self.apiServer.objects(path: "/api/v1/namespaces/shop/events")) ?? []
            return events.count == 5
        }
        XCTAssertTrue(landed, "\(events.count) of 5 Events landed:\n\(webhook?.output ?? "")")
        print("figure: 5 of 5 Events landed \(ContinuousClock.now - wentDown) after the API server went down for 30 s")
        let lines = warnings(containing: "API server unreachable")
        XCTAssertLessThan(lines.count, 40, "rate-limited: \(lines.count) lines for 30 s of failures")
        print("figure: \(lines.count) 'unreachable' warning lines for 30 s down")
    }

    func testForbiddenReplicaSetsAndEventsNameThePermission() async throws {
        try await apiServer.inject(.init(method: "GET", pathPrefix: "/apis/apps/v1/namespaces/shop/replicasets",
                                         count: 100, status: 403))
        try await apiServer.inject(.init(method: "POST", pathPrefix: "/api/v1/namespaces/shop/events", count: 100,
                                         status: 403))
        _ = try postReview(uid: "uid-forbidden", profile: "missing")
        let named = await Shell.eventually(timeout: 20) {
            !self.warnings(containing: "forbidden: cannot get replicasets.apps in namespace shop: add it to the chart's RBAC").isEmpty
                && !self.warnings(containing: "forbidden: cannot create events in namespace shop: add it to the chart's RBAC").isEmpty
        }
        XCTAssertTrue(named, webhook?.output ?? "")
    }

    // MARK: - Helpers

    private func metrics() throws -> String {
        try XCTUnwrap(webhook).metrics()
    }

    private func warnings(containing text: String) -> [String] {
        webhook?.warnings(containing: text) ?? []
    }

    /// Posts a review of a Deployment's pod that names a profile the configuration does not have.
    private func postReview(uid: String, profile: String) throws -> [String: Any] {
        try XCTUnwrap(webhook).postPodReview(uid: uid, inject: profile, spec: ["containers": [["name": "web", "image": "nginx:1.27"]]],
                                             owner: ServedWebhook.replicaSetOwner(name: "web-5d8f9c", uid: "rs-uid-1"))
    }
}
