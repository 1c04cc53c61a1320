import Foundation
import TestSupport
import XCTest

/// Pod Security and ResourceQuota admissibility through `serve`: the real binary watches the fake
/// API server's Namespaces, ResourceQuotas and LimitRanges, decides each case of the corpus
/// (Tests/python/fixtures/cluster_admission/corpus.json, which `replay --objects` also runs) and
/// records the Warning Event on the Deployment of each pod it admitted without injection.
final class ClusterAdmissionEventTests: XCTestCase {
    private var apiServer: FakeAPIServer!
    private var webhook: ServedWebhook?

    private static let corpusURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/fixtures/cluster_admission/corpus.json")

    private struct Corpus {
        var config: String
        var objects: [[String: Any]]
        var cases: [[String: Any]]
    }

    private func corpus() throws -> Corpus {
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: Self.corpusURL)) as? [String: Any])
        return Corpus(config: try XCTUnwrap(root["config"] as? String), objects: try XCTUnwrap(root["objects"] as? [[String: Any]]),
                      cases: try XCTUnwrap(root["cases"] as? [[String: Any]]))
    }

    override func setUp() async throws {
        apiServer = try FakeAPIServer.start()
    }

    override func tearDown() async throws {
        webhook?.stop()
        apiServer.stop()
    }

    private func startWebhook(config text: String) async throws {
        webhook = try ServedWebhook(apiServer: apiServer, config: text, configName: "cluster-config.yaml",
                                    arguments: ["--no-hpa-forwarder"], environment: ["POD_NAME": "kube-injector-e2e-0"])
        try await webhook?.waitUntilReady(timeout: 40)
    }

    private func seed(_ object: [String: Any]) async throws {
        let kind = object["kind"] as? String ?? ""
        let namespace = (object["metadata"] as? [String: Any])?["namespace"] as? String ?? ""
        switch kind {
        case "Namespace": try await apiServer.seed(path: "/api/v1/namespaces", object: object)
        case "ResourceQuota": try await apiServer.seed(path: "/api/v1/namespaces/\(namespace)/resourcequotas", object: object)
        default: try await apiServer.seed(path: "/api/v1/namespaces/\(namespace)/limitranges", object: object)
        }
    }

    func testCorpusThroughServeDecidesEachCaseAndRecordsItsEvent() async throws {
        let corpus = try corpus()
        for object in corpus.objects { try await seed(object) }
        for (index, testCase) in corpus.cases.enumerated() where testCase["expect"] as? String == "refused" {
            let namespace = try XCTUnwrap(testCase["namespace"] as? String)
            try await apiServer.seedReplicaSet(name: "web-\(index)-rs", namespace: namespace, uid: "rs-\(index)",
                                               deployment: "web-\(index)", deploymentUID: "deploy-\(index)")
        }
        try await startWebhook(config: corpus.config)

        for (index, testCase) in corpus.cases.enumerated() {
            let name = testCase["name"] as? String ?? "?"
            let answer = try postReview(uid: "uid-\(index)", namespace: try XCTUnwrap(testCase["namespace"] as? String),
                                        profile: try XCTUnwrap(testCase["profile"] as? String),
                                        spec: try XCTUnwrap(testCase["spec"] as? [String: Any]), owner: "web-\(index)-rs")
            XCTAssertEqual(answer["allowed"] as? Bool, true, name)
            if testCase["expect"] as? String == "injected" {
                XCTAssertNotNil(answer["patch"], "\(name): not injected: \(answer["warnings"] ?? "")")
            } else {
                XCTAssertNil(answer["patch"], "\(name): injected")
            }
        }

        for (index, testCase) in corpus.cases.enumerated() where testCase["expect"] as? String == "refused" {
            let namespace = try XCTUnwrap(testCase["namespace"] as? String)
            let message = try XCTUnwrap(testCase["message"] as? String)
            var event: [String: Any]?
            let landed = try await Shell.eventually(timeout: 30) {
                event = try await apiServer.objects(path: "/api/v1/namespaces/\(namespace)/events").first {
                    ($0["involvedObject"] as? [String: Any])?["name"] as? String == "web-\(index)"
                }
                return event != nil
            }
            XCTAssertTrue(landed, "\(testCase["name"] ?? ""): no Event on Deployment web-\(index):\n\(webhook?.output ?? "")")
            XCTAssertEqual(event?["reason"] as? String, "InjectionFailed")
            XCTAssertEqual(event?["type"] as? String, "Warning")
            XCTAssertEqual((event?["involvedObject"] as? [String: Any])?["kind"] as? String, "Deployment")
            let text = event?["message"] as? String ?? ""
            XCTAssertTrue(text.hasPrefix(message + " ("), "\(testCase["name"] ?? ""): \(text)")
        }

        // The case whose namespace the cluster does not have was counted as a cache miss.
        let metrics = try XCTUnwrap(webhook).metrics()
        XCTAssertTrue(metrics.contains("kube_injector_namespace_cache_misses_total 1"), metrics)
        // Each refusal was counted under its reason, from its message's kind; no other reason moved.
        let messages = corpus.cases.compactMap { $0["expect"] as? String == "refused" ? $0["message"] as? String : nil }
        let podSecurity = messages.filter { $0.hasPrefix("PodSecurity ") }.count
        let resourceQuota = messages.filter { $0.hasPrefix("ResourceQuota ") }.count
        XCTAssertGreaterThan(podSecurity, 0)
        XCTAssertGreaterThan(resourceQuota, 0)
        XCTAssertEqual(podSecurity + resourceQuota, messages.count)
        for (reason, count) in [("pod_security", podSecurity), ("resource_quota", resourceQuota), ("invalid_pod", 0), ("malformed_pod", 0)] {
            let sample = "kube_injector_admission_failed_open_total{reason=\"\(reason)\"} \(count)\n"
            XCTAssertTrue(metrics.contains(sample), "no \(sample) in:\n\(metrics)")
        }
    }

    func testANamespaceCreatedAfterStartIsSeenThroughTheWatch() async throws {
        let corpus = try corpus()
        try await startWebhook(config: corpus.config)
        let spec: [String: Any] = ["containers": [["name": "app", "image": "app:1", "securityContext": [
            "allowPrivilegeEscalation": false, "runAsNonRoot": true, "seccompProfile": ["type": "RuntimeDefault"],
            "capabilities": ["drop": ["ALL"]]]]]]
        try await apiServer.seed(path: "/api/v1/namespaces", object: [
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": ["name": "late", "labels": ["pod-security.kubernetes.io/enforce": "restricted"]],
        ])
        var answer: [String: Any] = [:]
        let refused = try await Shell.eventually(timeout: 30) {
            answer = try postReview(uid: "uid-late", namespace: "late", profile: "agent", spec: spec, owner: "none")
            return answer["patch"] == nil
        }
        XCTAssertTrue(refused, "the new restricted namespace was never applied: \(answer)\n\(webhook?.output ?? "")")
        let warning = (answer["warnings"] as? [String])?.first ?? ""
        XCTAssertTrue(warning.contains(#"PodSecurity "restricted:latest": init container agent-copy: allowPrivilegeEscalation != false"#), warning)
    }

    func testDeletedQuotaAndRelabelledNamespaceReachTheDecisionThroughTheWatch() async throws {
        let corpus = try corpus()
        for object in corpus.objects { try await seed(object) }
        try await startWebhook(config: corpus.config)
        let plain: [String: Any] = ["containers": [["name": "app", "image": "app:1",
                                                    "resources": ["requests": ["cpu": "1", "memory": "1Gi"], "limits": ["cpu": "1", "memory": "1Gi"]]]]]
        XCTAssertNil(try postReview(uid: "uid-quota-1", namespace: "metered", profile: "agent", spec: plain, owner: "none")["patch"])
        let api = ["-H", "Authorization: Bearer \(apiServer.token)", "-o", "/dev/null", "-w", "%{http_code}"]
        XCTAssertEqual(try curl(api + ["-X", "DELETE", "\(apiServer.url)/api/v1/namespaces/metered/resourcequotas/compute"]).output, "200")
        let injected = try await Shell.eventually(timeout: 30) {
            try postReview(uid: "uid-quota-2", namespace: "metered", profile: "agent", spec: plain, owner: "none")["patch"] != nil
        }
        XCTAssertTrue(injected, "the deleted quota still refuses the injection:\n\(webhook?.output ?? "")")

        // The unlabelled namespace becomes baseline: a privileged init container is refused from then on.
        XCTAssertNotNil(try postReview(uid: "uid-open-1", namespace: "open", profile: "privileged-agent", spec: plain, owner: "none")["patch"])
        let patch = #"{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"baseline"}}}"#
        XCTAssertEqual(try curl(api + ["-X", "PATCH", "-H", "Content-Type: application/merge-patch+json", "--data", patch,
                                       "\(apiServer.url)/api/v1/namespaces/open"]).output, "200")
        let refused = try await Shell.eventually(timeout: 30) {
            try postReview(uid: "uid-open-2", namespace: "open", profile: "privileged-agent", spec: plain, owner: "none")["patch"] == nil
        }
        XCTAssertTrue(refused, "the relabelled namespace was never applied:\n\(webhook?.output ?? "")")
    }

    func testReadinessWaitsForTheCachesAtMostTheBoundThenCountsIt() async throws {
        // Every namespace list fails, so the first sync never completes.
        try await apiServer.inject(FakeAPIServer.Failure(method: "GET", pathPrefix: "/api/v1/namespaces", count: 10_000, status: 500))
        // startWebhook returns once /readyz answers 200: ready although the caches never synced.
        try await startWebhook(config: try corpus().config)
        let metrics = try XCTUnwrap(webhook).metrics()
        XCTAssertTrue(metrics.contains("kube_injector_cache_sync_timeouts_total 1"), metrics)
    }

    // MARK: - Helpers

    private func curl(_ arguments: [String]) throws -> Shell.Result {
        try XCTUnwrap(webhook).curl(arguments)
    }

    private func postReview(uid: String, namespace: String, profile: String, spec: [String: Any], owner: String) throws -> [String: Any] {
        try XCTUnwrap(webhook).postPodReview(uid: uid, namespace: namespace, inject: profile, spec: spec,
                                             owner: ServedWebhook.replicaSetOwner(name: owner, uid: "uid-\(owner)"))
    }
}
