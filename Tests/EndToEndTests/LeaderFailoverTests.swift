import Foundation
import TestSupport
import XCTest

/// kill -9 of the forwarding leader in the middle of a burst of scales, with a second replica running: the
/// second takes over when the Lease expires, every scale reaches the sink, and the duplicates (sent by the
/// dead leader after the sink answered but before its checkpoint reached the Lease) are counted.
final class LeaderFailoverTests: XCTestCase {
    private var apiServer: FakeAPIServer!
    private var sink: FakeSink!
    private var replicas: [String: KubeInjectorProcess] = [:]
    private var metricsPorts: [String: Int] = [:]
    private let lease = "failover-hpa-forwarder"

    override func tearDown() async throws {
        for (_, replica) in replicas { replica.terminate(grace: 5) }
        sink?.stop()
        apiServer?.stop()
    }

    func testKillOfTheLeaderDuringABurstLosesNoScaleAndCountsTheDuplicates() async throws {
        apiServer = try FakeAPIServer.start()
        sink = try FakeSink.start()
        let directory = apiServer.certificates.directory
        let sinkCA = directory.appendingPathComponent("sink-ca.pem").path
        try sink.certificateAuthorityPEM.write(toFile: sinkCA, atomically: true, encoding: .utf8)
        func encoded(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        try await apiServer.seed(path: "/api/v1/namespaces/shop/secrets", object: [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "sink", "namespace": "shop"], "type": "Opaque",
            "data": ["url": encoded(sink.url("/events")), "headers": encoded("{}"),
                     "body": encoded(#"{"id": "_event_id_", "text": "_message_"}"#)],
        ])
        try await apiServer.seed(path: "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers", object: [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": ["name": "web", "namespace": "shop", "annotations": ["hpa-event": "sink"]],
            "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"],
                     "minReplicas": 1, "maxReplicas": 30],
        ])
        let pair = try apiServer.certificates.makeServingPair(name: "webhook", organization: "kube-injector e2e")
        let config = directory.appendingPathComponent("config.yaml")
        try "defaultProfiles: []\nprofiles: {}\n".write(to: config, atomically: true, encoding: .utf8)
        let kubeconfig = try apiServer.writeKubeconfig(namespace: "kube-injector")
        for name in ["replica-a", "replica-b"] {
            let metricsPort = Shell.freePort()
            metricsPorts[name] = metricsPort
            replicas[name] = try KubeInjectorProcess([
                "serve", "--config", config.path, "--tls-cert", pair.chainPath, "--tls-key", pair.keyPath,
                "--listen", "127.0.0.1:\(Shell.freePort())", "--metrics-listen", "127.0.0.1:\(metricsPort)",
                "--kubeconfig", kubeconfig, "--leader-election-lease-name", lease, "--hpa-sink-ca", sinkCA,
                "--drain-seconds", "0",
            ], environment: ["POD_NAME": name, "POD_NAMESPACE": "kube-injector"], outputDirectory: directory)
        }
        var leader = ""
        let elected = try await Shell.eventually(timeout: 30) {
            for name in ["replica-a", "replica-b"] where try self.isLeader(name) { leader = name }
            return !leader.isEmpty
        }
        XCTAssertTrue(elected, "nobody led")
        let survivor = leader == "replica-a" ? "replica-b" : "replica-a"
        // The leader's watches must be open before the burst, or the first scales predate its term.
        try await apiServer.waitForOpenWatches(2, timeout: .seconds(20))

        var killedAt = ContinuousClock.now
        for index in 0..<20 {
            let now = ISO8601DateFormatter().string(from: Date())
            try await apiServer.seed(path: "/api/v1/namespaces/shop/events", object: [
                "apiVersion": "v1", "kind": "Event",
                "metadata": ["name": "web.scale-\(index)", "namespace": "shop"],
                "involvedObject": ["apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "name": "web",
                                   "namespace": "shop", "uid": "hpa-web"],
                "reason": "SuccessfulRescale", "message": "New size: \(index + 2); reason: burst", "type": "Normal",
                "source": ["component": "horizontal-pod-autoscaler"], "firstTimestamp": now, "lastTimestamp": now,
                "count": 1,
            ])
            if index == 9 {
                // Mid-burst, as soon as the leader has sent something.
                _ = try await Shell.eventually(timeout: 10) { try !self.sink.requests().isEmpty }
                kill(replicas[leader]!.process.processIdentifier, SIGKILL)
                killedAt = ContinuousClock.now
            }
            // Part of the scenario: a burst spread over half a second, so the kill lands mid-burst.
            try await Task.sleep(for: .milliseconds(50))
        }
        let tookOver = try await Shell.eventually(timeout: 40) { try self.isLeader(survivor) }
        let takeover = ContinuousClock.now - killedAt
        XCTAssertTrue(tookOver, "the survivor never led:\n\(replicas[survivor]?.output ?? "")")

        var ids: [String] = []
        let all = try await Shell.eventually(timeout: 60) {
            ids = try self.sink.requests().filter { $0.path == "/events" }.compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])?["id"] as? String
            }
            return Set(ids).count == 20
        }
        let duplicates = ids.count - Set(ids).count
        // From the dead leader's last renewal to the survivor's acquisition, on the API server's clock.
        let leaseWrites = try await apiServer.requests(pathPrefix: "/apis/coordination.k8s.io")
            .filter { ($0.method == "PUT" || $0.method == "POST") && $0.status.map { (200..<300).contains($0) } == true }
        let acquired = leaseWrites.first { $0.body.contains("\"holderIdentity\":\"\(survivor)\"") }?.time ?? .infinity
        let lastRenewal = leaseWrites.filter { $0.body.contains("\"holderIdentity\":\"\(leader)\"") && ($0.time ?? 0) < acquired }
            .compactMap(\.time).max() ?? 0
        let expiry = acquired - lastRenewal
        print("figure: after kill -9 the survivor acquired the Lease \(String(format: "%.1f", expiry)) s after the last renewal (lease 15 s, follower retry 2-4.4 s); \(takeover) from the kill to leading on /metrics; \(Set(ids).count) of 20 scales delivered, \(duplicates) duplicates")
        XCTAssertTrue(all, "\(Set(ids).count) of 20 scales reached the sink:\n\(replicas[survivor]?.output ?? "")")
        // client-go tools/leaderelection: a follower sees a renewal up to one try late (its tries come every
        // retryPeriod * [1, 1 + JitterFactor 1.2] = 2 to 4.4 s), counts the 15 s from then, and takes the expired
        // Lease at its next try: at most 15 + 2 * 4.4 s after the last renewal.
        XCTAssertLessThan(expiry, 15 + 2 * 4.4 + 0.5, "the survivor waited past the Lease's expiry plus one follower retry")
        // Duplicates only for what the dead leader delivered after its last checkpoint write: scales arrive every
        // 50 ms or more here, and that window is one 200 ms checkpoint interval plus one Lease write (well under
        // 100 ms against the fake), so at most 6 of them.
        XCTAssertLessThanOrEqual(duplicates, 6, "more duplicates than the checkpoint window can explain")
    }

    private func isLeader(_ name: String) throws -> Bool {
        guard let port = metricsPorts[name], replicas[name]?.process.isRunning == true else { return false }
        let text = try Shell.run("curl", ["-sS", "--max-time", "3", "http://127.0.0.1:\(port)/metrics"]).output
        return text.contains("kube_injector_leader{lease=\"kube-injector/\(lease)\"} 1")
    }
}
