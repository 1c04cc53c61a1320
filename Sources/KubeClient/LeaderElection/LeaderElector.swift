#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient
import Logging
import ServiceLifecycle

/// Runs client-go's leader election on a coordination.k8s.io/v1 Lease so that, of all replicas,
/// one forwards HPA scales. `leadershipChanges` tells the forwarder when it starts and stops
/// leading; the leader also carries annotations (the forwarder's checkpoint) in every renewal.
///
/// Add it to the ServiceGroup before the `ScaleForwarder`: services stop in reverse order, so the
/// forwarder finishes first and the elector's release then writes the final checkpoint.
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

    public init(client: KubernetesClient, options: LeaderElectionOptions, logger: Logger) {
        self.client = client
        self.options = options
        self.logger = logger
        self.machine = LeaderElectionStateMachine(identity: options.identity, leaseDuration: options.leaseDuration,
                                                  renewDeadline: options.renewDeadline)
        (leadershipChanges, continuation) = AsyncStream.makeStream(of: Change.self)
    }

    public var isLeader: Bool { machine.isLeader }

    /// Sets an annotation the leader writes with its next renewal. Ignored when not leading, so a
    /// replica that lost the Lease cannot overwrite what the new leader wrote.
    public func publish(annotation key: String, value: String) {
        guard machine.isLeader else { return }
        published[key] = value
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.round()
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

    private func round() async {
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
                    action = machine.leaseRead(Self.record(found), resourceVersion: found.metadata.resourceVersion,
                                               now: clock.now, wallNow: Date())
                } catch KubernetesError.notFound {
                    lease = nil
                    action = machine.leaseRead(nil, resourceVersion: nil, now: clock.now, wallNow: Date())
                } catch {
                    logger.debug("reading the Lease failed", metadata: ["lease": "\(options.leaseName)", "error": "\(error)"])
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
                logger.info("became the leader: forwarding HPA scales",
                            metadata: ["lease": "\(options.leaseNamespace)/\(options.leaseName)", "identity": "\(options.identity)"])
                continuation.yield(.started(annotations: lease?.metadata.annotations ?? [:]))
                return
            case .stopLeading:
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
            return machine.leaseWritten(record, resourceVersion: written.metadata.resourceVersion, now: clock.now)
        } catch {
            logger.debug("writing the Lease failed", metadata: ["lease": "\(options.leaseName)", "error": "\(error)"])
            return machine.requestFailed(now: clock.now)
        }
    }

    /// A leader's request may not outlast its renew deadline; others get the client's timeout.
    private func requestLimit() -> Duration {
        let standard = client.options.requestTimeout
        guard case .leader(_, let renewedAt, _) = machine.state else { return standard }
        let remaining = options.renewDeadline - (clock.now - renewedAt)
        return max(.milliseconds(100), min(standard, remaining))
    }

    private func release() async {
        let wasLeader = machine.isLeader
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
            _ = try await RequestTimeout.run(options.retryPeriod) { try await client.update(path: path, body: update) }
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
