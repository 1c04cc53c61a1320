#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubernetesAPI
import Logging
import Metrics
import ServiceLifecycle

/// Runs client-go's leader election (tools/leaderelection) on a coordination.k8s.io/v1 Lease so that, of
/// all replicas, one acts. `leadershipChanges` tells the caller when it starts and stops leading; the leader
/// can also carry annotations (the forwarder's checkpoint) in its renewals.
///
/// It talks to the API server through a client of its own: its own rate limiter and its own connection
/// (a separate libcurl engine), as client-go gives its elector a dedicated client, so an Event storm or a
/// slow watch can never make a renewal wait. `isHealthy` backs `/healthz/leader`, and
/// `kube_injector_leader{lease}` is 1 on the holder.
///
/// Add it to the ServiceGroup before whoever consumes `leadershipChanges`: services stop in reverse order,
/// so the consumer finishes first and the elector's release then writes the final annotations.
public actor LeaderElector: Service {
    public enum Change: Sendable, Equatable {
        /// Leading from now; the Lease's annotations as this replica found them.
        case started(annotations: [String: String])
        case stopped
    }

    /// One consumer: the `ScaleForwarder`.
    public nonisolated let leadershipChanges: AsyncStream<Change>
    private let continuation: AsyncStream<Change>.Continuation
    private let client: KubernetesClient
    private let options: LeaderElectionOptions
    private let logger: Logger
    private let clock = ContinuousClock()
    private var machine: LeaderElectionStateMachine
    /// The Lease as last read or written: the base of every update.
    private var lease: Lease?
    /// Annotations the leader writes with each renewal (and its release).
    private var published: [String: String] = [:]

    private let onNewLeader: (@Sendable (String) -> Void)?
    /// The holder last seen, for `onNewLeader`.
    private var observedHolder: String?
    /// When the leader last renewed, nil while not leading: read by `isHealthy` from any thread.
    private let renewedAt = LockedValue<ContinuousClock.Instant?>(nil)
    private let leaderGauge: Gauge
    private let failures: Counter

    /// `client` is only the template: the elector makes a sibling of it with its own connection and rate
    /// limiter (`RateLimits.leaderElection*`). `onNewLeader` is called with the holder's identity whenever
    /// the holder changes, this replica included (client-go's OnNewLeader).
    public init(client: KubernetesClient, options: LeaderElectionOptions, logger: Logger,
                onNewLeader: (@Sendable (String) -> Void)? = nil,
                metricsFactory: any MetricsFactory = MetricsSystem.factory) {
        var clientOptions = client.options
        clientOptions.qps = RateLimits.leaderElectionQPS
        clientOptions.burst = RateLimits.leaderElectionBurst
        // The sibling shares nothing with other traffic but the token file; should it fail (it cannot for a
        // configuration the template accepted), the shared client still works, only without that isolation.
        self.client = (try? client.sibling(options: clientOptions, connection: .dedicated)) ?? client
        self.options = options
        self.logger = logger
        self.onNewLeader = onNewLeader
        self.machine = LeaderElectionStateMachine(identity: options.identity, leaseDuration: options.leaseDuration,
                                                  renewDeadline: options.renewDeadline)
        (leadershipChanges, continuation) = AsyncStream.makeStream(of: Change.self)
        let lease = "\(options.leaseNamespace)/\(options.leaseName)"
        // Made now so both families are on /metrics (at 0) before the first round.
        leaderGauge = Gauge(label: "kube_injector_leader", dimensions: [("lease", lease)], factory: metricsFactory)
        leaderGauge.record(0)
        failures = Counter(label: "kube_injector_leader_election_failures_total", dimensions: [("lease", lease)],
                           factory: metricsFactory)
    }

    public var isLeader: Bool { machine.isLeader }

    /// client-go's HealthzAdaptor: unhealthy only while this replica believes it leads but has not renewed
    /// within the renew deadline (it should have stopped leading by then). Followers are healthy.
    public nonisolated func isHealthy(now: ContinuousClock.Instant = .now) -> Bool {
        guard let renewed = renewedAt.withLock({ $0 }) else { return true }
        return now - renewed <= options.renewDeadline + options.retryPeriod
    }

    /// Sets an annotation the leader writes with its next renewal. Ignored when not leading, so a
    /// replica that lost the Lease cannot overwrite what the new leader wrote.
    public func publish(annotation key: String, value: String) {
        guard machine.isLeader else { return }
        published[key] = value
    }

    /// Renews now, carrying the published annotations, instead of waiting for the next retry period; when a
    /// round is already under way, one more follows it at once. True when a renewal was written or queued.
    /// The caller batches (the forwarder: at most one per 200 ms).
    public func renewNow() async -> Bool {
        guard machine.isLeader else { return false }
        if roundInProgress {
            renewalRequested = true
            return true
        }
        // In a task of its own: a caller cancelled mid-request (its term ending) must not cut off a write the
        // API server may already have applied, or the elector's resourceVersion goes stale and the release
        // that follows is refused.
        await Task { await self.round() }.value
        return true
    }

    private var roundInProgress = false
    private var renewalRequested = false

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.round()
                if await self.takeRenewalRequest() { continue }
                // Followers spread their attempts as client-go does (jitter up to 1.2 periods).
                let jitter = await self.isLeader ? 1.0 : 1.0 + Double.random(in: 0..<1.2)
                try? await Task.sleep(for: self.options.retryPeriod * jitter)
            }
        }
        // The shutdown task is cancelled; the release runs in its own task so its request is not.
        await Task { await self.release() }.value
        continuation.finish()
    }

    private var leasePath: String {
        "/apis/coordination.k8s.io/v1/namespaces/\(options.leaseNamespace)/leases/\(options.leaseName)"
    }

    private func takeRenewalRequest() -> Bool {
        defer { renewalRequested = false }
        return renewalRequested && machine.isLeader
    }

    private func round() async {
        // The actor is re-entrant across the awaits below; one round at a time keeps the machine's view whole.
        // A round skipped here is not owed: the one under way renews.
        guard !roundInProgress else { return }
        roundInProgress = true
        defer { roundInProgress = false }
        var action = machine.tick(now: clock.now, wallNow: Date())
        while true {
            switch action {
            case .none:
                return
            case .getLease:
                do {
                    let path = leasePath
                    let client = client
                    let found = try await RequestTimeout.run(requestLimit()) { try await client.get(Lease.self, path: path) }
                    lease = found
                    noticeHolder(found.spec?.holderIdentity)
                    action = machine.leaseRead(Self.record(found), resourceVersion: found.metadata.resourceVersion,
                                               now: clock.now, wallNow: Date())
                } catch KubernetesError.notFound {
                    lease = nil
                    action = machine.leaseRead(nil, resourceVersion: nil, now: clock.now, wallNow: Date())
                } catch {
                    failed("reading the Lease", error)
                    action = machine.requestFailed(now: clock.now)
                }
            case .createLease(let record):
                let body = Lease(metadata: ObjectMeta(name: options.leaseName, namespace: options.leaseNamespace),
                                 spec: Self.spec(record))
                let path = "/apis/coordination.k8s.io/v1/namespaces/\(options.leaseNamespace)/leases"
                action = await write(record) { client in try await client.create(path: path, body: body) }
            case .updateLease(let record, let resourceVersion):
                var body = lease ?? Lease(metadata: ObjectMeta(name: options.leaseName, namespace: options.leaseNamespace))
                body.metadata.resourceVersion = resourceVersion
                body.spec = Self.spec(record)
                if machine.isLeader, !published.isEmpty {
                    body.metadata.annotations = (body.metadata.annotations ?? [:]).merging(published) { _, new in new }
                }
                let path = leasePath
                let update = body
                action = await write(record) { client in try await client.update(path: path, body: update) }
            case .startLeading:
                leading(true)
                logger.info("became the leader: forwarding HPA scales",
                            metadata: ["lease": "\(options.leaseNamespace)/\(options.leaseName)", "identity": "\(options.identity)"])
                continuation.yield(.started(annotations: lease?.metadata.annotations ?? [:]))
                return
            case .stopLeading:
                leading(false)
                logger.warning("lost the Lease: stopped forwarding HPA scales",
                               metadata: ["lease": "\(options.leaseNamespace)/\(options.leaseName)", "identity": "\(options.identity)"])
                published = [:]
                continuation.yield(.stopped)
                return
            case .releaseLease:
                return
            }
        }
    }

    private func write(_ record: LeaderElectionRecord,
                       _ request: @escaping @Sendable (KubernetesClient) async throws -> Lease) async -> LeaderElectionStateMachine.Action {
        let client = client
        do {
            let written = try await RequestTimeout.run(requestLimit()) { try await request(client) }
            lease = written
            noticeHolder(written.spec?.holderIdentity)
            let action = machine.leaseWritten(record, resourceVersion: written.metadata.resourceVersion, now: clock.now)
            if machine.isLeader { renewedAt.withLock { $0 = clock.now } }
            return action
        } catch {
            failed("writing the Lease", error)
            return machine.requestFailed(now: clock.now)
        }
    }

    /// Counted always. A leader that cannot renew is news (it may lose the Lease): warning. A follower's
    /// failed attempt is routine when it lost a race (409); anything else the client has already logged.
    private func failed(_ what: String, _ error: Error) {
        failures.increment()
        let metadata: Logger.Metadata = ["lease": "\(options.leaseNamespace)/\(options.leaseName)",
                                         "identity": "\(options.identity)", "error": "\(error)"]
        if machine.isLeader {
            logger.warning("\(what) failed while leading; the Lease is lost if this lasts \(options.renewDeadline)",
                           metadata: metadata)
        } else {
            logger.debug("\(what) failed", metadata: metadata)
        }
    }

    private func leading(_ isLeader: Bool) {
        leaderGauge.record(isLeader ? 1 : 0)
        renewedAt.withLock { $0 = isLeader ? clock.now : nil }
    }

    private func noticeHolder(_ holder: String?) {
        guard let holder, !holder.isEmpty, holder != observedHolder else { return }
        observedHolder = holder
        if holder != options.identity {
            logger.info("the Lease is held by another replica", metadata: [
                "lease": "\(options.leaseNamespace)/\(options.leaseName)", "holder": "\(holder)"])
        }
        onNewLeader?(holder)
    }

    /// A leader's request may not outlast its renew deadline; others get the client's timeout.
    private func requestLimit() -> Duration {
        let standard = client.options.requestTimeout
        guard case .leader(_, let renewedAt, _) = machine.state else { return standard }
        let remaining = options.renewDeadline - (clock.now - renewedAt)
        return max(.milliseconds(100), min(standard, remaining))
    }

    private func release() async {
        // A renewal under way finishes first, so the release updates the Lease as that renewal left it.
        let deadline = clock.now + options.renewDeadline
        while roundInProgress, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let wasLeader = machine.isLeader
        if wasLeader { leading(false) }
        guard case .releaseLease(let record, let resourceVersion) = machine.stop(wallNow: Date()), options.releaseOnShutdown else {
            if wasLeader { continuation.yield(.stopped) }
            return
        }
        continuation.yield(.stopped)
        var body = lease ?? Lease(metadata: ObjectMeta(name: options.leaseName, namespace: options.leaseNamespace))
        body.metadata.resourceVersion = resourceVersion
        body.spec = Self.spec(record)
        body.metadata.annotations = (body.metadata.annotations ?? [:]).merging(published) { _, new in new }
        let path = leasePath
        let client = client
        let update = body
        do {
            do {
                _ = try await RequestTimeout.run(options.retryPeriod) { try await client.update(path: path, body: update) }
            } catch KubernetesError.conflict {
                // Our last write landed but its answer did not reach us: release from the Lease as it is now,
                // if it is still ours.
                let current = try await RequestTimeout.run(options.retryPeriod) { try await client.get(Lease.self, path: path) }
                guard current.spec?.holderIdentity == options.identity else {
                    throw KubernetesError.conflict(Status(code: 409, reason: "Conflict", message: "another replica holds the Lease now"))
                }
                var retried = update
                retried.metadata.resourceVersion = current.metadata.resourceVersion
                let again = retried
                _ = try await RequestTimeout.run(options.retryPeriod) { try await client.update(path: path, body: again) }
            }
            logger.info("released the Lease", metadata: ["lease": "\(options.leaseNamespace)/\(options.leaseName)"])
        } catch {
            logger.warning("could not release the Lease; another replica takes over when it expires",
                           metadata: ["lease": "\(options.leaseName)", "error": "\(error)"])
        }
    }

    static func record(_ lease: Lease) -> LeaderElectionRecord {
        let spec = lease.spec ?? Lease.Spec()
        return LeaderElectionRecord(
            holderIdentity: spec.holderIdentity ?? "",
            leaseDurationSeconds: spec.leaseDurationSeconds ?? 15,
            acquireTime: spec.acquireTime.flatMap(KubernetesTimestamp.date(from:)),
            renewTime: spec.renewTime.flatMap(KubernetesTimestamp.date(from:)),
            leaseTransitions: spec.leaseTransitions ?? 0)
    }

    static func spec(_ record: LeaderElectionRecord) -> Lease.Spec {
        Lease.Spec(holderIdentity: record.holderIdentity, leaseDurationSeconds: record.leaseDurationSeconds,
                   acquireTime: record.acquireTime.map(KubernetesTimestamp.microTime),
                   renewTime: record.renewTime.map(KubernetesTimestamp.microTime),
                   leaseTransitions: record.leaseTransitions)
    }
}
