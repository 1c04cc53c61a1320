import EventRecorder
import Foundation
import KubeClient
import KubernetesAPI
import Logging
import ServiceLifecycle
import TestSupport
import XCTest

/// An Event storm must not cost the forwarder its Lease: the elector has its own client (connection and rate
/// limiter), so renewals go out on time while thousands of slow Event writes queue behind the shared limit.
final class EventStormLeaseTests: XCTestCase {
    func testLeaseIsRenewedOnTimeThroughAStormOfFiveThousandFailingDeploymentsAgainstSlowEvents() async throws {
        let fake = try FakeAPIServer.start()
        defer { fake.stop() }
        let client = try KubernetesClient(configuration: ClientConfiguration(
            server: fake.url, certificateAuthorityPEM: fake.certificates.caCertificatePEM,
            credentials: .token(fake.token), namespace: "shop"))
        // Every Event write takes 300 ms; Lease requests are answered at once.
        try await fake.inject(.init(method: "POST", pathPrefix: "/api/v1/namespaces/shop/events", count: 100_000,
                                    action: .delay, seconds: 0.3))
        try await fake.inject(.init(method: "PATCH", pathPrefix: "/api/v1/namespaces/shop/events", count: 100_000,
                                    action: .delay, seconds: 0.3))
        var quiet = Logger(label: "storm")
        quiet.logLevel = .critical
        let recorder = EventRecorder(client: client, logger: quiet)

        var leaseOptions = LeaderElectionOptions(identity: "forwarder-0", leaseNamespace: "shop")
        leaseOptions.leaseName = "storm-hpa-forwarder"
        leaseOptions.leaseDuration = .seconds(3)
        leaseOptions.renewDeadline = .seconds(2)
        leaseOptions.retryPeriod = .milliseconds(300)
        let elector = LeaderElector(client: client, options: leaseOptions, logger: quiet)
        let group = ServiceGroup(services: [recorder, elector], logger: quiet)
        let running = Task { try await group.run() }
        let changes = Task {
            var seen: [LeaderElector.Change] = []
            for await change in elector.leadershipChanges { seen.append(change) }
            return seen
        }

        // Leading first, then the storm: 5,000 distinct Deployments' pods fail at once.
        try await eventually("the elector to lead", timeout: .seconds(20)) { await elector.isLeader }
        let stormStart = Date().timeIntervalSince1970
        for index in 0..<5_000 {
            recorder.record(FailureReport(
                message: "profile observability: volume agent already exists", namespace: "shop", name: "",
                generateName: "web-\(index)-5d9c-",
                ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: "web-\(index)",
                                                 uid: "d-\(index)", controller: true)],
                dryRun: false, requestUID: "req-\(index)"))
        }
        // Through the storm (5,000 writes at 300 ms each outlast the test) until 25 renewals have succeeded:
        // about 12 s, four lease durations. Renewals that stall never get there.
        try await eventually("25 renewals during the storm", timeout: .seconds(40), interval: .milliseconds(500)) {
            try await fake.requests(pathPrefix: "/apis/coordination.k8s.io/").filter {
                $0.method == "PUT" && $0.status == 200 && ($0.time ?? 0) >= stormStart
            }.count >= 25
        }
        let stormEnd = Date().timeIntervalSince1970
        let stillLeading = await elector.isLeader
        let healthy = elector.isHealthy()
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        let seen = await changes.value

        let requests = try await fake.requests()
        let renewals = requests.filter { $0.method == "PUT" && $0.path.contains("/leases/") && $0.status == 200 }
            .compactMap(\.time).filter { $0 >= stormStart && $0 <= stormEnd }.sorted()
        let eventWrites = requests.filter { $0.path.hasPrefix("/api/v1/namespaces/shop/events") && $0.method != "GET" }
            .compactMap(\.time).filter { $0 >= stormStart && $0 <= stormEnd }
        let gaps = zip(renewals.dropFirst(), renewals).map { $0 - $1 }
        let widest = gaps.max() ?? .infinity
        print("figure: storm of 5,000: \(eventWrites.count) Event writes in \(String(format: "%.1f", stormEnd - stormStart)) s, \(renewals.count) renewals, widest gap \(String(format: "%.2f", widest)) s (renew deadline 2 s)")
        XCTAssertTrue(stillLeading)
        XCTAssertTrue(healthy)
        XCTAssertFalse(seen.dropLast().contains(.stopped), "lost the Lease during the storm: \(seen)")
        XCTAssertGreaterThan(eventWrites.count, 20, "the storm must be real")
        XCTAssertGreaterThanOrEqual(renewals.count, 20)
        XCTAssertLessThan(widest, 2.0, "a renewal gap reached the renew deadline")
    }
}
