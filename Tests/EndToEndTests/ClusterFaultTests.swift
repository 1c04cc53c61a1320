import Foundation
import TestSupport
import XCTest

/// The cluster side under fault, end to end: the real binary against the fake API server, read through its
/// log and its /metrics. Figures are reported in docs/kubernetes-client.md.
final class ClusterFaultTests: XCTestCase {
    private var apiServer: FakeAPIServer!
    private var webhook: KubeInjectorProcess?
    private var webhookPort = 0
    private var metricsPort = 0
    private let lease = "e2e-release-hpa-forwarder"

    override func setUp() async throws {
        apiServer = try FakeAPIServer.start()
        try await apiServer.seed(path: "/apis/apps/v1/namespaces/shop/replicasets", object: [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": [
                "name": "web-5d8f9c", "namespace": "shop", "uid": "rs-uid-1",
                "ownerReferences": [["apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                     "uid": "deploy-uid-1", "controller": true]],
            ],
        ])
        let pair = try apiServer.certificates.makeServingPair(name: "webhook", organization: "kube-injector e2e")
        let config = apiServer.certificates.directory.appendingPathComponent("config.yaml")
        try "defaultProfiles: []\nprofiles: {}\n".write(to: config, atomically: true, encoding: .utf8)
        webhookPort = Shell.freePort()
        metricsPort = Shell.freePort()
        webhook = try KubeInjectorProcess([
            "serve", "--config", config.path, "--tls-cert", pair.chainPath, "--tls-key", pair.keyPath,
            "--listen", "127.0.0.1:\(webhookPort)", "--metrics-listen", "127.0.0.1:\(metricsPort)",
            "--kubeconfig", try apiServer.writeKubeconfig(namespace: "kube-injector"),
            "--leader-election-lease-name", lease, "--drain-seconds", "0",
        ], environment: ["POD_NAME": "kube-injector-e2e-0", "POD_NAMESPACE": "kube-injector"],
           outputDirectory: apiServer.certificates.directory)
        let ready = try await Shell.eventually(timeout: 20) {
            try curl(["-o", "/dev/null", "-w", "%{http_code}", "https://127.0.0.1:\(webhookPort)/readyz"]).output == "200"
        }
        XCTAssertTrue(ready, "webhook never became ready:\n\(webhook?.output ?? "")")
    }

    override func tearDown() async throws {
        if let webhook {
            XCTAssertEqual(webhook.terminate(), 0, "serve did not exit 0 on SIGTERM:\n\(webhook.output)")
        }
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
                                            "http://127.0.0.1:\(metricsPort)/healthz/leader"])
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
        let loud = try await Shell.eventually(timeout: 5) {
            self.warnings(containing: "API server unreachable").count > 0
        }
        let heardAfter = ContinuousClock.now - wentDown
        XCTAssertTrue(loud, "no warning within 5 s of the API server going down:\n\(webhook?.output ?? "")")
        let counted = try await Shell.eventually(timeout: 5) { try self.metrics().contains(#"code="error""#) }
        XCTAssertTrue(counted, "transport failures not on /metrics")
        print("figure: first warning \(heardAfter) after the API server went down")

        // Back after 30 s: every Event the queue held lands.
        var events: [[String: Any]] = []
        let landed = try await Shell.eventually(timeout: 90) {
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
        let named = try await Shell.eventually(timeout: 20) {
            !self.warnings(containing: "forbidden: cannot get replicasets.apps in namespace shop: add it to the chart's RBAC").isEmpty
                && !self.warnings(containing: "forbidden: cannot create events in namespace shop: add it to the chart's RBAC").isEmpty
        }
        XCTAssertTrue(named, webhook?.output ?? "")
    }

    // MARK: - Helpers

    private func metrics() throws -> String {
        try Shell.run("curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(metricsPort)/metrics"]).output
    }

    private func warnings(containing text: String) -> [String] {
        (webhook?.output ?? "").split(separator: "\n")
            .filter { $0.contains("\"level\":\"warning\"") && $0.contains(text) }.map(String.init)
    }

    private func curl(_ arguments: [String]) throws -> Shell.Result {
        try Shell.run("curl", ["-sS", "--max-time", "10", "--cacert", apiServer.certificates.caCertificatePath] + arguments)
    }

    /// Posts a review of a Deployment's pod that names a profile the configuration does not have.
    private func postReview(uid: String, profile: String) throws -> [String: Any] {
        let review: [String: Any] = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": [
                "uid": uid, "kind": ["group": "", "version": "v1", "kind": "Pod"],
                "resource": ["group": "", "version": "v1", "resource": "pods"],
                "namespace": "shop", "operation": "CREATE",
                "userInfo": ["username": "system:serviceaccount:kube-system:replicaset-controller"],
                "object": [
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": [
                        "generateName": "web-5d8f9c-", "namespace": "shop",
                        "annotations": ["kube-injector.io/inject": profile],
                        "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8f9c",
                                             "uid": "rs-uid-1", "controller": true, "blockOwnerDeletion": true]],
                    ],
                    "spec": ["containers": [["name": "web", "image": "nginx:1.27"]]],
                ],
            ],
        ]
        let body = apiServer.certificates.directory.appendingPathComponent("review-\(uid).json")
        try JSONSerialization.data(withJSONObject: review).write(to: body)
        let result = try curl(["-H", "Content-Type: application/json", "--data-binary", "@\(body.path)",
                               "https://127.0.0.1:\(webhookPort)/mutate?timeout=10s"])
        XCTAssertEqual(result.status, 0, "curl failed")
        let decoded = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return try XCTUnwrap(decoded?["response"] as? [String: Any], "not an AdmissionReview: \(result.output)")
    }
}
