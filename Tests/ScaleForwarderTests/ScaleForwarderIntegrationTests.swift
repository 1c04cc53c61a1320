import EventRecorder
import Foundation
import KubeClient
import KubernetesAPI
import ScaleForwarder
import TestSupport
import XCTest

/// The forwarder end to end: real libcurl client, the fake API server (Events, HPAs, Secrets,
/// Lease) and the fake HTTPS sink. Absence of a request is proven with a later "sentinel" scale
/// to the same sink: each sink delivers in order, so once the sentinel has arrived anything
/// queued before it has arrived too.
final class ScaleForwarderIntegrationTests: XCTestCase {
    var server: FakeAPIServer!
    var sink: FakeSink!
    var client: KubernetesClient!
    var logs = CapturedLog()
    var replicas: [ForwarderReplica] = []
    let message = "New size: 3; reason: cpu resource utilization (percentage of request) above target"

    override func setUp() async throws {
        server = try FakeAPIServer.start(bookmarkIntervalSeconds: 60)
        sink = try FakeSink.start()
        logs = CapturedLog()
        client = try KubernetesClient(configuration: ClientConfiguration(
            server: server.url, certificateAuthorityPEM: server.certificates.caCertificatePEM,
            credentials: .token(server.token), namespace: "kube-injector"))
    }

    override func tearDown() async throws {
        for replica in replicas { await replica.stop() }
        replicas = []
        sink?.stop()
        server?.stop()
    }

    // MARK: fixtures

    @discardableResult
    func seedHPA(_ name: String, namespace: String = "shop", annotation: String?) async throws -> String {
        var metadata: [String: Any] = ["name": name, "namespace": namespace]
        if let annotation { metadata["annotations"] = ["hpa-event": annotation] }
        let stored = try await server.seed(path: "/apis/autoscaling/v2/namespaces/\(namespace)/horizontalpodautoscalers", object: [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": metadata,
            "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": name],
                     "minReplicas": 1, "maxReplicas": 10],
        ])
        return (stored["metadata"] as? [String: Any])?["uid"] as? String ?? ""
    }

    func seedSecret(_ name: String, namespace: String = "shop", path: String = "/api/v2/event") async throws {
        func encoded(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        try await server.seed(path: "/api/v1/namespaces/\(namespace)/secrets", object: [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": name, "namespace": namespace], "type": "Opaque",
            "data": [
                "url": encoded(sink.url(path)),
                "headers": encoded(#"{"Authorization": "Bearer sink-token", "X-Source": "kube-injector"}"#),
                "body": encoded(#"{"details": "_message_", "hpa": "_namespace_/_name_", "target": "_target_", "startTime": "_time_ms_", "size": "_new_size_"}"#),
            ],
        ])
    }

    /// What the HPA controller does on a scale: a new Event with count 1.
    func scale(_ hpa: String, namespace: String = "shop", message: String? = nil) async throws -> Event {
        let now = KubernetesTimestamp.time(Date())
        let event = Event(
            metadata: ObjectMeta(name: "\(hpa).\(UUID().uuidString.prefix(8).lowercased())", namespace: namespace),
            involvedObject: ObjectReference(apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: hpa,
                                            namespace: namespace, uid: "uid-\(hpa)"),
            reason: "SuccessfulRescale", message: message ?? self.message, type: "Normal",
            source: EventSource(component: "horizontal-pod-autoscaler"), firstTimestamp: now, lastTimestamp: now, count: 1)
        return try await client.create(path: "/api/v1/namespaces/\(namespace)/events", body: event)
    }

    /// What the HPA controller does when the same message repeats: count + 1 on the same Event.
    func repeatScale(_ event: Event) async throws -> Event {
        var next = event
        next.count = (event.count ?? 1) + 1
        next.lastTimestamp = KubernetesTimestamp.time(Date())
        let name = event.metadata.name ?? ""
        return try await client.update(path: "/api/v1/namespaces/\(event.metadata.namespace ?? "")/events/\(name)", body: next)
    }

    @discardableResult
    func start(_ identity: String, configure: (inout ScaleForwarderOptions) -> Void = { _ in }) -> ForwarderReplica {
        let replica = ForwarderReplica(identity: identity, client: client, sink: sink, logs: logs, configure: configure)
        replicas.append(replica)
        return replica
    }

    func leaseHolder() async throws -> String? {
        let lease = try await server.object(path: "/apis/coordination.k8s.io/v1/namespaces/kube-injector/leases/kube-injector-hpa-forwarder")
        return (lease?["spec"] as? [String: Any])?["holderIdentity"] as? String
    }

    /// Waits until `identity` holds the Lease and its Event and HPA watches are open.
    /// What most tests start from: the `wavefront` Secret, the HPA shop/web that names it, and replica-a
    /// leading with its watches open.
    @discardableResult
    func startLeadingOverWeb() async throws -> ForwarderReplica {
        try await seedSecret("wavefront")
        try await seedHPA("web", annotation: "wavefront")
        let replica = start("replica-a")
        try await waitUntilLeading("replica-a")
        return replica
    }

    func waitUntilLeading(_ identity: String) async throws {
        try await eventually("\(identity) to hold the Lease") { try await self.leaseHolder() == identity }
        try await eventually("the forwarder's watches") { try await self.server.openWatchCount() >= 2 }
    }

    func sinkRequests(path: String = "/api/v2/event") throws -> [FakeSink.RecordedRequest] {
        try sink.requests().filter { $0.path == path }
    }

    func waitForSinkRequests(_ count: Int, path: String = "/api/v2/event") async throws {
        try await eventually("\(count) sink requests on \(path)") { try self.sinkRequests(path: path).count >= count }
    }

    func body(_ request: FakeSink.RecordedRequest) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any] ?? [:]
    }

    // MARK: behaviour

    func testOneScaleSendsOneRequestWithTheSecretsHeadersAndBody() async throws {
        try await startLeadingOverWeb()

        let event = try await scale("web")
        try await waitForSinkRequests(1)
        let sentinel = try await scale("web", message: "New size: 4; reason: sentinel")
        _ = sentinel
        try await waitForSinkRequests(2)

        let requests = try sinkRequests()
        XCTAssertEqual(requests.count, 2)
        let first = requests[0]
        XCTAssertEqual(first.method, "POST")
        XCTAssertEqual(first.headers["authorization"], "Bearer sink-token")
        XCTAssertEqual(first.headers["x-source"], "kube-injector")
        XCTAssertEqual(first.headers["content-type"], "application/json")
        let sent = try body(first)
        XCTAssertEqual(sent["details"] as? String, message)
        XCTAssertEqual(sent["hpa"] as? String, "shop/web")
        XCTAssertEqual(sent["target"] as? String, "Deployment/web")
        XCTAssertEqual(sent["size"] as? Int, 3)
        let expectedTime = KubernetesTimestamp.date(from: event.lastTimestamp ?? "").map { Int($0.timeIntervalSince1970) * 1000 }
        XCTAssertEqual(sent["startTime"] as? Int, expectedTime)
        // The log itself is under test here: a Secret's header value must never reach it.
        XCTAssertTrue(logs.all.allSatisfy { !$0.contains("sink-token") }, "a header value reached the log")
    }

    func testCheckpointReachesTheLeaseRightAfterTheDeliveryNotWithTheNextRenewal() async throws {
        try await seedSecret("wavefront")
        try await seedHPA("web", annotation: "wavefront")
        // Renewals 10 s apart: only the post-delivery write can put the checkpoint on the Lease in time.
        start("replica-a") { $0.leaderElection.retryPeriod = .seconds(10); $0.leaderElection.renewDeadline = .seconds(20);
                             $0.leaderElection.leaseDuration = .seconds(30) }
        try await waitUntilLeading("replica-a")
        let event = try await scale("web")
        try await waitForSinkRequests(1)
        let delivered = ContinuousClock.now
        let uid = try XCTUnwrap(event.metadata.uid)
        try await eventually("the checkpoint on the Lease", timeout: .seconds(5)) {
            let lease = try await self.server.object(path: "/apis/coordination.k8s.io/v1/namespaces/kube-injector/leases/kube-injector-hpa-forwarder")
            let annotations = (lease?["metadata"] as? [String: Any])?["annotations"] as? [String: String]
            return annotations?[ScaleCheckpoint.annotation]?.contains(uid) == true
        }
        XCTAssertLessThan(ContinuousClock.now - delivered, .seconds(3), "well before the 10 s renewal")
    }

    func testEventsWithASeriesCountAreForwardedPerRepeat() async throws {
        // events.k8s.io/v1 writers count repeats in series.count and may leave count unset.
        try await startLeadingOverWeb()
        var event = try await scale("web")
        try await waitForSinkRequests(1)
        event.count = nil
        event.series = EventSeries(count: 3, lastObservedTime: KubernetesTimestamp.microTime(Date()))
        let name = event.metadata.name ?? ""
        _ = try await client.update(path: "/api/v1/namespaces/shop/events/\(name)", body: event)
        try await waitForSinkRequests(3)
    }

    func testRepeatedMessageSendsOnePerCountIncrement() async throws {
        try await startLeadingOverWeb()

        var event = try await scale("web")
        try await waitForSinkRequests(1)
        event = try await repeatScale(event)
        event = try await repeatScale(event)
        try await waitForSinkRequests(3)
        _ = try await scale("web", message: "New size: 4; reason: sentinel")
        try await waitForSinkRequests(4)

        let details = try sinkRequests().map { try body($0)["details"] as? String }
        XCTAssertEqual(details, [message, message, message, "New size: 4; reason: sentinel"])
    }

    func testRelistSendsNothingTwice() async throws {
        try await startLeadingOverWeb()
        var event = try await scale("web")
        event = try await repeatScale(event)
        try await waitForSinkRequests(2)

        try await server.endWatchesWithGone()
        try await eventually("the watches to reopen after 410") { try await self.server.openWatchCount() >= 2 }
        _ = try await scale("web", message: "New size: 5; reason: sentinel")
        try await waitForSinkRequests(3)
        XCTAssertEqual(try sinkRequests().count, 3, "the relist resent a scale")
    }

    func testRestartSendsNothingTwiceAndSendsWhatHappenedWhileDown() async throws {
        let first = try await startLeadingOverWeb()
        var event = try await scale("web")
        try await waitForSinkRequests(1)
        await first.stop()

        // While nobody forwards: the same scale again, and a new one.
        event = try await repeatScale(event)
        _ = try await scale("web", message: "New size: 6; reason: while down")

        start("replica-a")
        try await waitForSinkRequests(3)
        _ = try await scale("web", message: "New size: 7; reason: sentinel")
        try await waitForSinkRequests(4)
        let details = try sinkRequests().map { try body($0)["details"] as? String }
        XCTAssertEqual(details.count, 4, "\(details)")
        XCTAssertEqual(details.filter { $0 == message }.count, 2)
        XCTAssertTrue(details.contains("New size: 6; reason: while down"))
        XCTAssertEqual(details.last, "New size: 7; reason: sentinel")
    }

    func testNoAnnotationOrForbiddenNamespaceSendsNothingAndSaysWhyOnce() async throws {
        try await seedSecret("wavefront")
        try await seedSecret("shared", namespace: "observability")
        try await seedHPA("web", annotation: "wavefront")
        try await seedHPA("quiet", annotation: nil)
        try await seedHPA("elsewhere", annotation: "observability/shared")
        let replica = start("replica-a")
        try await waitUntilLeading("replica-a")

        for _ in 0..<2 {
            _ = try await scale("quiet")
            _ = try await scale("elsewhere")
        }
        _ = try await scale("web", message: "New size: 4; reason: sentinel")
        try await waitForSinkRequests(1)
        // The sentinel went after the others were judged: nothing else was sent, and each was dropped for its reason.
        XCTAssertEqual(try sinkRequests().count, 1)
        XCTAssertEqual(replica.dropped("no_annotation"), 2)
        XCTAssertEqual(replica.dropped("sink_configuration"), 2)
        XCTAssertEqual(replica.dropped("hpa_not_found"), 0)
        // The log is the product here: the operator is told why, once per HPA rather than once per scale.
        XCTAssertEqual(logs.lines(containing: "shop/quiet has no hpa-event annotation").count, 1, "\(logs.all)")
        XCTAssertEqual(logs.lines(containing: "add observability to the forwarder's allowedSecretNamespaces").count, 1,
                       "\(logs.all)")
        try await eventually("a Warning Event on the HPA that points across namespaces") {
            let events = try await self.server.objects(path: "/api/v1/namespaces/shop/events")
            return events.contains { ($0["reason"] as? String) == ScaleForwarder.failureReason
                && (($0["involvedObject"] as? [String: Any])?["name"] as? String) == "elsewhere" }
        }
    }

    func testCrossNamespaceSecretIsUsedWhenAllowed() async throws {
        try await seedSecret("shared", namespace: "observability")
        try await seedHPA("web", annotation: "observability/shared")
        start("replica-a") { $0.allowedSecretNamespaces = ["observability"] }
        try await waitUntilLeading("replica-a")
        _ = try await scale("web")
        try await waitForSinkRequests(1)
    }

    func testRetriesThenSuccess() async throws {
        try await seedSecret("wavefront")
        try await seedHPA("web", annotation: "wavefront")
        try sink.respond(status: 500, count: 2)
        try sink.respond(status: 429, count: 1, retryAfter: "1")
        start("replica-a")
        try await waitUntilLeading("replica-a")
        _ = try await scale("web")
        try await eventually("a 2xx after the retries") { try self.sinkRequests().contains { $0.answeredWith == 202 } }
        XCTAssertEqual(try sinkRequests().map(\.answeredWith), [500, 500, 429, 202])
    }

    func testHungSinkTimesOutAndIsRetried() async throws {
        try await seedSecret("wavefront")
        try await seedHPA("web", annotation: "wavefront")
        try sink.hang(count: 1, seconds: 20)
        start("replica-a") { $0.requestTimeout = .seconds(1) }
        try await waitUntilLeading("replica-a")
        _ = try await scale("web")
        try await eventually("the retry after the timeout") { try self.sinkRequests().contains { $0.answeredWith == 202 } }
        XCTAssertEqual(try sinkRequests().count, 2)
    }

    func testFinalFailureMakesAWarningEventOnTheHPA() async throws {
        try await seedSecret("wavefront")
        try await seedHPA("web", annotation: "wavefront")
        try sink.respond(status: 403, count: 1)
        start("replica-a")
        try await waitUntilLeading("replica-a")
        _ = try await scale("web")
        try await eventually("the Warning Event") {
            let events = try await self.server.objects(path: "/api/v1/namespaces/shop/events")
            return events.contains { ($0["reason"] as? String) == ScaleForwarder.failureReason }
        }
        let events = try await server.objects(path: "/api/v1/namespaces/shop/events")
        let warning = try XCTUnwrap(events.first { ($0["reason"] as? String) == ScaleForwarder.failureReason })
        XCTAssertEqual(warning["type"] as? String, "Warning")
        let involved = try XCTUnwrap(warning["involvedObject"] as? [String: Any])
        XCTAssertEqual(involved["kind"] as? String, "HorizontalPodAutoscaler")
        XCTAssertEqual(involved["name"] as? String, "web")
        let text = warning["message"] as? String ?? ""
        XCTAssertTrue(text.contains("403"), text)
        XCTAssertFalse(text.contains("sink-token"), text)
        XCTAssertEqual(try sinkRequests().count, 1, "a 403 must not be retried")
    }

    func testOnlyTheLeaderSendsAndTheOtherTakesOverWhenItStops() async throws {
        let a = try await startLeadingOverWeb()
        start("replica-b")
        _ = try await scale("web")
        try await waitForSinkRequests(1)
        _ = try await scale("web", message: "New size: 4; reason: sentinel")
        try await waitForSinkRequests(2)
        XCTAssertEqual(try sinkRequests().count, 2, "both replicas sent")
        let holder = try await leaseHolder()
        XCTAssertEqual(holder, "replica-a")

        await a.stop()
        try await eventually("replica-b to take the Lease") { try await self.leaseHolder() == "replica-b" }
        _ = try await scale("web", message: "New size: 5; reason: after takeover")
        try await waitForSinkRequests(3)
        _ = try await scale("web", message: "New size: 6; reason: sentinel")
        try await waitForSinkRequests(4)
        let details = try sinkRequests().map { try body($0)["details"] as? String }
        XCTAssertEqual(details.count, 4, "\(details)")
        XCTAssertEqual(details.filter { $0 == message }.count, 1, "the new leader resent a scale: \(details)")
    }

    func testLeaderThatCannotRenewStopsForwarding() async throws {
        let replica = try await startLeadingOverWeb()
        // Every Lease request fails from now on: the leader must stop within its renew deadline.
        try await server.inject(.init(method: "*", pathPrefix: "/apis/coordination.k8s.io/", count: 10_000,
                                      action: .status, status: 500))
        try await eventually("the leader to lose the Lease") { await !replica.elector.isLeader }
        // The forwarding term ends with its watches (the fake notices a closed watch on its next write, which a
        // bookmark provokes).
        try await eventually("the forwarding term's watches to close") {
            try await self.server.sendBookmarks()
            return try await self.server.openWatchCount() == 0
        }
        try await server.clearRequests()
        _ = try await scale("web")
        // Witness that the replica went on running past the scale: its elector has tried the Lease twice since
        // (every retry period). A replica still forwarding would have watched, listed or sent by then.
        try await eventually("two Lease attempts after the scale") {
            try await self.server.requests(pathPrefix: "/apis/coordination.k8s.io/").count >= 2
        }
        let eventReads = try await server.requests(pathPrefix: "/api/v1/").filter { $0.method == "GET" }
        XCTAssertEqual(eventReads.map(\.path), [], "nothing lists or watches after the term")
        let openWatches = try await server.openWatchCount()
        XCTAssertEqual(openWatches, 0)
        XCTAssertEqual(try sinkRequests().count, 0)
    }
}
