import Foundation
@testable import KubeClient
import KubernetesAPI
import Logging
import MetricsTestKit
import TestSupport
import XCTest

/// The elector as a KubeClient component: its own connection and rate limiter, onNewLeader, health, metrics.
final class LeaderElectorTests: FakeServerTestCase {
    private func fastOptions(identity: String, lease: String = "test-lease") -> LeaderElectionOptions {
        var options = LeaderElectionOptions(identity: identity, leaseNamespace: "default")
        options.leaseName = lease
        options.leaseDuration = .seconds(3)
        options.renewDeadline = .seconds(2)
        options.retryPeriod = .milliseconds(300)
        return options
    }

    func testRenewalsDoNotWaitBehindTheSharedClientsRateLimit() async throws {
        // client-go leaderelection: the elector gets a client of its own (its own QPS), so other traffic
        // cannot hold up a renewal. Here the shared client's bucket is drained for the next ~20 s.
        let shared = try makeClient(options: ClientOptions(qps: 1, burst: 1))
        let storm = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<20 { group.addTask { _ = try? await shared.list(Event.self, path: "/api/v1/namespaces/default/events") } }
            }
        }
        defer { storm.cancel() }
        // The burst's one token is spent once the first list has reached the server; the rest now queue.
        try await eventually("the storm's first list", timeout: .seconds(10)) {
            try await !self.server.requests(pathPrefix: "/api/v1/namespaces/default/events").isEmpty
        }

        let metrics = TestMetrics()
        let leaders = LockedValue<[String]>([])
        let elector = LeaderElector(client: shared, options: fastOptions(identity: "a"), logger: Logger(label: "test"),
                                    onNewLeader: { holder in leaders.withLock { $0.append(holder) } },
                                    metricsFactory: metrics)
        let run = Task { try await elector.run() }
        defer { run.cancel() }
        let started = ContinuousClock.now
        var sawLeader = false
        for await change in elector.leadershipChanges {
            if case .started = change { sawLeader = true }
            break
        }
        XCTAssertTrue(sawLeader)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3), "must not queue behind 20 s of throttled requests")
        XCTAssertEqual(leaders.withLock { $0 }, ["a"])
        XCTAssertTrue(elector.isHealthy())
        XCTAssertEqual(try metrics.expectGauge("kube_injector_leader", [("lease", "default/test-lease")]).lastValue, 1)

        // Still leading after eight renewals (several renew deadlines, with the storm still queued): every
        // renewal got through.
        try await eventually("eight renewals", timeout: .seconds(20)) {
            try await self.server.requests(pathPrefix: "/apis/coordination.k8s.io").filter { $0.method == "PUT" }.count >= 8
        }
        let isLeader = await elector.isLeader
        XCTAssertTrue(isLeader)
        XCTAssertTrue(elector.isHealthy())
        XCTAssertEqual(leaders.withLock { $0 }, ["a"], "never lost the Lease in between")
    }

    func testHealthFailsWhenTheLeaderHasNotRenewedWithinTheDeadline() async throws {
        // client-go leaderelection HealthzAdaptor: unhealthy while leading past the renew deadline.
        let elector = LeaderElector(client: try makeClient(), options: fastOptions(identity: "a"), logger: Logger(label: "test"))
        let run = Task { try await elector.run() }
        defer { run.cancel() }
        for await change in elector.leadershipChanges {
            if case .started = change { break }
        }
        XCTAssertTrue(elector.isHealthy())
        XCTAssertFalse(elector.isHealthy(now: .now + .seconds(10)))
    }
}
