import Foundation
import KubeClient
import KubernetesAPI
import Logging
import ServiceLifecycle
import TestSupport
import XCTest
@testable import EventRecorder

/// The recorder against the fake Kubernetes API server over TLS: what lands on the cluster, and
/// how many calls it took to get there.
final class EventRecorderAPIServerTests: XCTestCase {
    private var fake: FakeAPIServer!
    private var client: KubernetesClient!
    private let eventsPath = "/api/v1/namespaces/shop/events"
    private let replicaSetOwner = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d9c",
                                                 uid: "rs-web-1", controller: true)

    override func setUp() async throws {
        fake = try FakeAPIServer.start()
        client = try KubernetesClient(configuration: ClientConfiguration(
            server: fake.url, certificateAuthorityPEM: fake.certificates.caCertificatePEM,
            credentials: .token(fake.token), namespace: "shop"))
        _ = try await fake.seed(path: "/apis/apps/v1/namespaces/shop/deployments", object: [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "namespace": "shop", "uid": "d-web-1"],
        ])
        _ = try await fake.seed(path: "/apis/apps/v1/namespaces/shop/replicasets", object: [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": ["name": "web-5d9c", "namespace": "shop", "uid": "rs-web-1",
                         "ownerReferences": [["apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                              "uid": "d-web-1", "controller": true]]],
        ])
    }

    override func tearDown() async throws {
        fake?.stop()
        fake = nil
        client = nil
    }

    // MARK: Helpers

    private var logger: Logger {
        var logger = Logger(label: "test.events")
        logger.logLevel = .notice
        return logger
    }

    /// Small backoffs so retries happen within a test, with the same shape as the defaults.
    private func options(_ change: (inout EventRecorderOptions) -> Void = { _ in }) -> EventRecorderOptions {
        var options = EventRecorderOptions()
        options.reportingInstance = "kube-injector-7f9c-abcde"
        options.retry = RetryPolicy(maxTries: 12, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(500),
                                    retryAfterLimit: .seconds(2))
        options.minimumWriteInterval = .milliseconds(200)
        options.deferredWriteCheckInterval = .milliseconds(50)
        change(&options)
        return options
    }

    private func podFailure(message: String = "profile observability: volume agent already exists in the pod",
                            dryRun: Bool = false) -> FailureReport {
        FailureReport(message: message, namespace: "shop", name: "", generateName: "web-5d9c-",
                      ownerReferences: [replicaSetOwner], dryRun: dryRun, requestUID: "req-1")
    }

    private func hpa(_ name: String, namespace: String = "shop") -> ObjectIdentity {
        ObjectIdentity(apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespace: namespace, name: name,
                       uid: "hpa-\(name)")
    }

    /// Runs the recorder in a ServiceGroup for `body`, then shuts it down gracefully and waits.
    private func whileRunning(_ recorder: EventRecorder, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(services: [recorder], logger: logger)
        let running = Task { try await group.run() }
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    private func settled(_ recorder: EventRecorder) async throws {
        try await eventually("every occurrence settled") { recorder.statistics.outstanding == 0 }
    }

    private func events(namespace: String = "shop") async throws -> [[String: Any]] {
        try await fake.objects(path: "/api/v1/namespaces/\(namespace)/events")
    }

    // MARK: Tests

    func testFailedInjectionBecomesOneWarningEventOnTheOwningDeployment() async throws {
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        try await whileRunning(recorder) {
            recorder.record(podFailure())
            try await settled(recorder)
        }
        let stored = try await events()
        XCTAssertEqual(stored.count, 1)
        let event = try XCTUnwrap(stored.first)
        XCTAssertEqual(event["type"] as? String, "Warning")
        XCTAssertEqual(event["reason"] as? String, "InjectionFailed")
        XCTAssertEqual(event["message"] as? String, "profile observability: volume agent already exists in the pod")
        let involved = try XCTUnwrap(event["involvedObject"] as? [String: Any])
        XCTAssertEqual(involved["apiVersion"] as? String, "apps/v1")
        XCTAssertEqual(involved["kind"] as? String, "Deployment")
        XCTAssertEqual(involved["name"] as? String, "web")
        XCTAssertEqual(involved["namespace"] as? String, "shop")
        XCTAssertEqual(involved["uid"] as? String, "d-web-1")
        XCTAssertEqual((event["source"] as? [String: Any])?["component"] as? String, "kube-injector")
        XCTAssertEqual(event["reportingComponent"] as? String, "kube-injector")
        XCTAssertEqual(event["reportingInstance"] as? String, "kube-injector-7f9c-abcde")
        XCTAssertEqual(event["count"] as? Int, 1)
        let first = try XCTUnwrap(event["firstTimestamp"] as? String)
        XCTAssertNotNil(KubernetesTimestamp.date(from: first))
        XCTAssertEqual(event["lastTimestamp"] as? String, first)
        let metadata = try XCTUnwrap(event["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["namespace"] as? String, "shop")
        let name = try XCTUnwrap(metadata["name"] as? String)
        XCTAssertTrue(name.hasPrefix("web."), name)
        XCTAssertNotNil(UInt64(name.dropFirst(4), radix: 16), "name ends in hex nanoseconds: \(name)")

        let writes = try await fake.requests(pathPrefix: eventsPath)
        XCTAssertEqual(writes.map(\.method), ["POST"])
        XCTAssertEqual(writes.first?.contentType, "application/json")
        XCTAssertEqual(recorder.statistics.created, 1)
    }

    func testTenThousandFailuresOfOnePodBecomeOneEventWithACount() async throws {
        // The default write interval (10 s): the storm is over long before it, so the count
        // lands with the last write at shutdown.
        let recorder = EventRecorder(client: client, options: options { $0.minimumWriteInterval = .seconds(10) },
                                     logger: logger)
        try await fake.clearRequests()
        try await whileRunning(recorder) {
            // As admission requests arrive: in bursts the queue (1,000) can hold.
            for _ in 0..<40 {
                for _ in 0..<250 { recorder.record(podFailure()) }
                try await eventually("the worker keeps up") { recorder.statistics.queueDepth < 500 }
            }
            try await eventually("the queue is empty") { recorder.statistics.queueDepth == 0 }
        }
        XCTAssertEqual(recorder.statistics.outstanding, 0)
        let stored = try await events()
        XCTAssertEqual(stored.count, 1)
        XCTAssertEqual(stored.first?["count"] as? Int, 10_000)
        XCTAssertEqual(recorder.statistics.dropped(.queueFull), 0)

        let requests = try await fake.requests()
        let posts = requests.filter { $0.method == "POST" }.count
        let patches = requests.filter { $0.method == "PATCH" }.count
        let gets = requests.filter { $0.method == "GET" }.count
        print("FIGURE 10,000 identical failures -> \(requests.count) API calls (\(posts) create, \(patches) patch, \(gets) owner lookup)")
        XCTAssertEqual(posts, 1)
        // The create, then the repeats together once the write interval is over (here: at shutdown).
        XCTAssertLessThanOrEqual(posts + patches, 3)
        XCTAssertLessThanOrEqual(requests.count, 60)
        XCTAssertEqual(requests.filter { $0.method == "PATCH" }.first?.contentType, "application/merge-patch+json")
    }

    func testTenThousandIdenticalRecordsFromSeveralThreadsBecomeOneEventWithTheExactCount() async throws {
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        let failure = podFailure()
        try await whileRunning(recorder) {
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                for _ in 0..<2_500 { recorder.record(failure) }
            }
            try await settled(recorder)
        }
        let stored = try await events()
        XCTAssertEqual(stored.count, 1)
        XCTAssertEqual(stored.first?["count"] as? Int, 10_000)
        let statistics = recorder.statistics
        print("FIGURE 10,000 identical records from 4 threads -> the worker took \(statistics.batches) entries")
        XCTAssertEqual(statistics.queued, 10_000)
        XCTAssertEqual(statistics.dropped, [:])
        XCTAssertEqual(statistics.coalesced, 10_000 - statistics.batches)
        XCTAssertLessThan(statistics.batches, 10_000, "repeats waited as counts instead of one item each")
    }

    func testCountsWaitingAtShutdownAreWrittenNotLost() async throws {
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        // The worker is not running yet: everything waits in the queue as one entry.
        let failure = podFailure()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<2_500 { recorder.record(failure) }
        }
        XCTAssertEqual(recorder.statistics.queueDepth, 10_000)
        // Shut down at once: the final flush writes the whole count.
        try await whileRunning(recorder) {}
        recorder.record(failure)
        let stored = try await events()
        XCTAssertEqual(stored.count, 1)
        XCTAssertEqual(stored.first?["count"] as? Int, 10_000)
        let statistics = recorder.statistics
        XCTAssertEqual(statistics.batches, 1, "the worker took one entry for 10,000 records")
        XCTAssertEqual(statistics.coalesced, 9_999)
        XCTAssertEqual(statistics.outstanding, 0)
        XCTAssertEqual(statistics.dropped, [.shutDown: 1], "only the record after shutdown")
    }

    func testDistinctMessagesAreNotMerged() async throws {
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        let messages = ["sink timed out", "sink answered 503", "sink refused the connection"]
        for _ in 0..<100 {
            for message in messages {
                recorder.record(involvedObject: hpa("web"), type: .warning, reason: "ScaleEventForwardFailed",
                                message: message)
            }
        }
        try await whileRunning(recorder) {
            try await settled(recorder)
        }
        let stored = try await events()
        XCTAssertEqual(Set(stored.compactMap { $0["message"] as? String }), Set(messages))
        XCTAssertEqual(stored.map { $0["count"] as? Int }, [100, 100, 100])
        XCTAssertEqual(recorder.statistics.batches, 3)
    }

    func testFullQueueDropsNewObjectsButKeepsCountingWaitingOnes() async throws {
        let recorder = EventRecorder(client: client, options: options { $0.queueCapacity = 2 }, logger: logger)
        for (name, times) in [("a", 5), ("b", 1), ("c", 3), ("a", 2)] {
            for _ in 0..<times {
                recorder.record(involvedObject: hpa(name), type: .warning, reason: "ScaleEventForwardFailed",
                                message: "sink timed out")
            }
        }
        XCTAssertEqual(recorder.statistics.dropped(.queueFull), 3)
        XCTAssertEqual(recorder.statistics.queued, 8)
        try await whileRunning(recorder) {
            try await settled(recorder)
        }
        let counts = try await events().reduce(into: [String: Int]()) { counts, event in
            let name = (event["involvedObject"] as? [String: Any])?["name"] as? String ?? "?"
            counts[name] = event["count"] as? Int
        }
        XCTAssertEqual(counts, ["a": 7, "b": 1])
    }

    func testNothingTheQueueHeldIsLostWhileTheAPIServerIsDown() async throws {
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        try await whileRunning(recorder) {
            try await fake.goDown()
            for name in ["a", "b", "c", "d", "e"] {
                for _ in 0..<10 {
                    recorder.record(involvedObject: hpa(name), type: .warning, reason: "ScaleEventForwardFailed",
                                    message: "sink https://obs.example.com answered 503")
                }
            }
            recorder.record(podFailure())
            try await eventually("writes failed and were retried") { recorder.statistics.retried >= 5 }
            try await fake.comeUp()
            try await settled(recorder)
        }
        let stored = try await events()
        XCTAssertEqual(stored.count, 6)
        for name in ["a", "b", "c", "d", "e"] {
            let event = stored.first { ($0["involvedObject"] as? [String: Any])?["name"] as? String == name }
            XCTAssertEqual(event?["count"] as? Int, 10, "HPA \(name)")
        }
        let onDeployment = stored.first { ($0["involvedObject"] as? [String: Any])?["kind"] as? String == "Deployment" }
        XCTAssertNotNil(onDeployment, "the pod failure waited for its owner lookup instead of landing elsewhere")
        XCTAssertEqual(recorder.statistics.failed, 0)
        XCTAssertEqual(recorder.statistics.dropped, [:])
    }

    func testThrottledAndFailingWritesAreRetriedUntilTheySucceed() async throws {
        try await fake.inject(.init(method: "POST", pathPrefix: eventsPath, count: 1, status: 429, retryAfter: 1))
        try await fake.inject(.init(method: "POST", pathPrefix: eventsPath, count: 2, status: 500))
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        try await whileRunning(recorder) {
            recorder.record(involvedObject: hpa("web"), type: .warning, reason: "ScaleEventForwardFailed",
                            message: "sink timed out")
            try await settled(recorder)
        }
        let statuses = try await fake.requests(pathPrefix: eventsPath).compactMap(\.status)
        XCTAssertEqual(statuses.sorted(), [201, 429, 500, 500])
        XCTAssertEqual(statuses.last, 201)
        XCTAssertEqual(recorder.statistics.retried, 3)
        XCTAssertEqual(recorder.statistics.created, 1)
        let stored = try await events()
        XCTAssertEqual(stored.count, 1)
    }

    func testInvalidEventIsRefusedNotRetriedAndCounted() async throws {
        try await fake.inject(.init(method: "POST", pathPrefix: eventsPath, count: 5, status: 422,
                                    reason: "Invalid", message: "Event is invalid"))
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        try await whileRunning(recorder) {
            recorder.record(involvedObject: hpa("web"), type: .warning, reason: "ScaleEventForwardFailed",
                            message: "sink timed out")
            try await settled(recorder)
        }
        let writes = try await fake.requests(pathPrefix: eventsPath)
        XCTAssertEqual(writes.count, 1)
        XCTAssertEqual(recorder.statistics.failed, 1)
        XCTAssertEqual(recorder.statistics.retried, 0)
    }

    func testTerminatingNamespaceIsARefusal() async throws {
        _ = try await fake.seed(path: "/api/v1/namespaces", object: [
            "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "closing"],
            "status": ["phase": "Terminating"],
        ])
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        try await whileRunning(recorder) {
            recorder.record(involvedObject: hpa("web", namespace: "closing"), type: .warning,
                            reason: "ScaleEventForwardFailed", message: "sink timed out")
            try await settled(recorder)
        }
        let requests = try await fake.requests(pathPrefix: "/api/v1/namespaces/closing/events")
        XCTAssertEqual(requests.map(\.status), [403])
        XCTAssertEqual(recorder.statistics.failed, 1)
    }

    func testFullQueueDropsAndCountsWithoutBlocking() async throws {
        let recorder = EventRecorder(client: client, options: options { $0.queueCapacity = 10 }, logger: logger)
        // The worker is not running yet: nothing drains the queue.
        for index in 0..<25 {
            recorder.record(involvedObject: hpa("h\(index)"), type: .warning, reason: "ScaleEventForwardFailed",
                            message: "sink timed out")
        }
        XCTAssertEqual(recorder.statistics.queued, 10)
        XCTAssertEqual(recorder.statistics.dropped(.queueFull), 15)
        try await whileRunning(recorder) {
            try await settled(recorder)
        }
        let stored = try await events()
        XCTAssertEqual(stored.count, 10)
    }

    func testDryRunEmitsNothing() async throws {
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        try await fake.clearRequests()
        try await whileRunning(recorder) {
            recorder.record(podFailure(dryRun: true))
            try await settled(recorder)
        }
        XCTAssertEqual(recorder.statistics.dropped(.dryRun), 1)
        XCTAssertEqual(recorder.statistics.queued, 0)
        let requests = try await fake.requests()
        XCTAssertEqual(requests.count, 0)
    }

    func testShutdownWritesWhatItHoldsBeforeStopping() async throws {
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        for index in 0..<20 {
            recorder.record(involvedObject: hpa("h\(index)"), type: .warning, reason: "ScaleEventForwardFailed",
                            message: "sink timed out")
        }
        // Shut down at once: the 20 queued occurrences are still written.
        try await whileRunning(recorder) {}
        let stored = try await events()
        XCTAssertEqual(stored.count, 20)
        XCTAssertEqual(recorder.statistics.created, 20)
        XCTAssertEqual(recorder.statistics.outstanding, 0)
    }

    func testShutdownStopsAtTheDeadlineAndCountsWhatIsLeft() async throws {
        let recorder = EventRecorder(client: client, options: options {
            $0.shutdownFlushDeadline = .milliseconds(300)
            $0.retry = RetryPolicy(maxTries: 12, initialBackoff: .seconds(1), maxBackoff: .seconds(5))
        }, logger: logger)
        try await fake.goDown()
        let started = ContinuousClock.now
        try await whileRunning(recorder) {
            for index in 0..<8 {
                recorder.record(involvedObject: hpa("h\(index)"), type: .warning, reason: "ScaleEventForwardFailed",
                                message: "sink timed out")
            }
            try await eventually("writes are failing") { recorder.statistics.retried >= 1 }
        }
        let took = ContinuousClock.now - started
        print("FIGURE shutdown with the API server down and a 300 ms deadline took \(took)")
        XCTAssertEqual(recorder.statistics.dropped(.shutdownDeadline), 8)
        XCTAssertEqual(recorder.statistics.outstanding, 0)
        XCTAssertLessThan(took, .seconds(10), "the deadline, not the retry budget (minutes), ended the flush")
    }

    func testRepeatAfterTheEventWasDeletedCreatesItAgain() async throws {
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        try await whileRunning(recorder) {
            recorder.record(involvedObject: hpa("web"), type: .warning, reason: "ScaleEventForwardFailed",
                            message: "sink timed out")
            try await settled(recorder)
            // The API server's Event TTL ran out.
            let created = try await events()
            let name = try XCTUnwrap((created.first?["metadata"] as? [String: Any])?["name"] as? String)
            try await client.delete(path: "\(eventsPath)/\(name)")
            recorder.record(involvedObject: hpa("web"), type: .warning, reason: "ScaleEventForwardFailed",
                            message: "sink timed out")
            try await settled(recorder)
        }
        let writes = try await fake.requests(pathPrefix: eventsPath).filter { $0.method != "DELETE" }
        XCTAssertEqual(writes.map(\.method), ["POST", "PATCH", "POST"])
        XCTAssertEqual(writes.map(\.status), [201, 404, 201])
        let stored = try await events()
        XCTAssertEqual(stored.count, 1)
        XCTAssertEqual(stored.first?["count"] as? Int, 2)
    }

    func testUnreachableOwnerFallsBackToTheReplicaSet() async throws {
        let orphan = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "gone-77f", uid: "rs-gone",
                                    controller: true)
        let recorder = EventRecorder(client: client, options: options(), logger: logger)
        try await whileRunning(recorder) {
            recorder.record(FailureReport(message: "boom", namespace: "shop", name: "", generateName: "gone-77f-",
                                          ownerReferences: [orphan]))
            try await settled(recorder)
        }
        let stored = try await events()
        let involved = try XCTUnwrap(stored.first?["involvedObject"] as? [String: Any])
        XCTAssertEqual(involved["kind"] as? String, "ReplicaSet")
        XCTAssertEqual(involved["name"] as? String, "gone-77f")
    }
}
