import Admission
import KubeClient
import KubernetesAPI
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import WebhookServer

/// Keeps the webhook's `ClusterStateStore` current from three Reflectors (Namespaces,
/// ResourceQuotas, LimitRanges, cluster-wide), so each review reads namespace labels and quotas
/// from memory. Holds `/readyz` unready until the first lists are in, at most
/// `firstSyncTimeout` (then ready anyway, with a warning and a count, as controllers do after
/// WaitForCacheSync). A namespace a review did not find is read once, with a short timeout, off
/// the request path: that pod is injected without the checks, the next ones get them.
final class ClusterStateCache: Service, Sendable {
    struct Options: Sendable {
        var firstSyncTimeout: Duration = .seconds(10)
        var fetchTimeout: Duration = .seconds(2)
    }

    /// The objects as listed and watched, by namespace; the snapshot is rebuilt from them.
    private struct Objects {
        var namespaces: [String: [String: String]] = [:]
        var quotas: [String: [String: ResourceQuotaSummary]] = [:]
        var limitRanges: [String: [String: LimitRangeDefaults]] = [:]
        var listed: Set<String> = []
        /// Namespaces already read after a miss, so a burst of pods causes one read each.
        var fetched: Set<String> = []

        func policy(_ name: String) -> NamespacePolicy? {
            guard let labels = namespaces[name] else { return nil }
            return NamespacePolicy(
                name: name, labels: labels, resourceQuotas: Array(quotas[name, default: [:]].values),
                limitRanges: Array(limitRanges[name, default: [:]].values))
        }
    }

    let store: ClusterStateStore
    private let client: KubernetesClient
    private let readiness: WebhookReadiness
    private let options: Options
    private let logger: Logger
    private let objects = Mutex(Objects())
    private let misses: AsyncStream<String>
    private let syncTimeouts = Counter(label: "kube_injector_cache_sync_timeouts_total")
    private let fetchFound = Counter(label: "kube_injector_namespace_fetches_total", dimensions: [("result", "found")])
    private let fetchNotFound = Counter(label: "kube_injector_namespace_fetches_total", dimensions: [("result", "not_found")])
    private let fetchFailed = Counter(label: "kube_injector_namespace_fetches_total", dimensions: [("result", "failed")])

    static let kinds = ["namespaces", "resourcequotas", "limitranges"]

    init(client: KubernetesClient, readiness: WebhookReadiness, options: Options = Options(), logger: Logger) {
        self.client = client
        self.readiness = readiness
        self.options = options
        self.logger = logger
        let (misses, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(256))
        self.misses = misses
        store = ClusterStateStore(onUnknownNamespace: { continuation.yield($0) })
        readiness.waitForCaches()
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await Reflector<Namespace>(client: self.client, path: "/api/v1/namespaces").run { delta in
                        self.apply(delta, kind: "namespaces")
                    }
                }
                group.addTask {
                    await Reflector<ResourceQuota>(client: self.client, path: "/api/v1/resourcequotas").run { delta in
                        self.apply(delta, kind: "resourcequotas")
                    }
                }
                group.addTask {
                    await Reflector<LimitRange>(client: self.client, path: "/api/v1/limitranges").run { delta in
                        self.apply(delta, kind: "limitranges")
                    }
                }
                group.addTask { await self.waitForFirstSync() }
                group.addTask { await self.fetchMissedNamespaces() }
                await group.waitForAll()
            }
        }
        readiness.cachesSynced()
    }

    // MARK: - Deltas

    private func apply<T: KubernetesObject>(_ delta: ReflectorDelta<T>, kind: String) {
        objects.withLock { objects in
            var touched: Set<String> = []
            switch delta {
            case .listed(let items):
                touched = Set(objects.namespaces.keys)
                switch kind {
                case "namespaces": objects.namespaces = [:]
                case "resourcequotas": objects.quotas = [:]
                default: objects.limitRanges = [:]
                }
                for item in items { touched.insert(Self.record(item, into: &objects)) }
                objects.listed.insert(kind)
            case .added(let item), .modified(let item):
                touched.insert(Self.record(item, into: &objects))
            case .deleted(let item):
                let name = item.metadata.name ?? ""
                let namespace = item.metadata.namespace ?? ""
                switch item {
                case is Namespace: objects.namespaces[name] = nil; touched.insert(name)
                case is ResourceQuota: objects.quotas[namespace]?[name] = nil; touched.insert(namespace)
                default: objects.limitRanges[namespace]?[name] = nil; touched.insert(namespace)
                }
            }
            let policies = touched.map { ($0, objects.policy($0)) }
            store.update { snapshot in
                for (name, policy) in policies {
                    if let policy { snapshot.update(policy) } else { snapshot.removeNamespace(named: name) }
                }
            }
        }
    }

    /// Stores one object; returns the namespace whose policy it changes.
    private static func record(_ item: some KubernetesObject, into objects: inout Objects) -> String {
        let name = item.metadata.name ?? ""
        let namespace = item.metadata.namespace ?? ""
        switch item {
        case let quota as ResourceQuota:
            let scopes = (quota.spec?.scopes ?? []).map { ResourceQuotaScope(scopeName: $0) }
                + (quota.spec?.scopeSelector?.matchExpressions ?? []).map {
                    ResourceQuotaScope(scopeName: $0.scopeName ?? "", operator: $0.operator ?? "", values: $0.values ?? [])
                }
            objects.quotas[namespace, default: [:]][name] = ResourceQuotaSummary(
                name: name, hardKeys: (quota.spec?.hard ?? [:]).keys, scopes: scopes)
            return namespace
        case let range as LimitRange:
            let items = (range.spec?.limits ?? []).map { item in
                (type: item.type ?? "", max: Set((item.max ?? [:]).keys), min: Set((item.min ?? [:]).keys),
                 defaultLimits: Set((item.default ?? [:]).keys), defaultRequests: Set((item.defaultRequest ?? [:]).keys))
            }
            objects.limitRanges[namespace, default: [:]][name] = LimitRangeDefaults(name: name, items: items)
            return namespace
        default:
            objects.namespaces[name] = item.metadata.labels ?? [:]
            return name
        }
    }

    // MARK: - First sync

    private func waitForFirstSync() async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: options.firstSyncTimeout)
        while clock.now < deadline {
            if objects.withLock({ $0.listed.count == Self.kinds.count }) {
                readiness.cachesSynced()
                logger.info("namespace, ResourceQuota and LimitRange caches synced")
                return
            }
            do { try await Task.sleep(for: .milliseconds(50)) } catch { return }
        }
        let missing = objects.withLock { objects in Self.kinds.filter { !objects.listed.contains($0) } }
        syncTimeouts.increment()
        readiness.cachesSynced()
        logger.warning("caches not synced within the bounded wait; ready anyway: pods in namespaces not yet seen are injected without the Pod Security and quota checks", metadata: [
            "timeout": "\(options.firstSyncTimeout)", "unsynced": "\(missing.joined(separator: ","))",
        ])
    }

    // MARK: - Misses

    private func fetchMissedNamespaces() async {
        for await name in misses {
            let isNew = objects.withLock { objects in
                guard objects.namespaces[name] == nil, !objects.fetched.contains(name) else { return false }
                if objects.fetched.count >= 4096 { objects.fetched.removeAll() }
                objects.fetched.insert(name)
                return true
            }
            guard isNew, !name.isEmpty else { continue }
            do {
                let client = client
                let namespace = try await RequestTimeout.run(options.fetchTimeout) {
                    try await client.get(Namespace.self, path: "/api/v1/namespaces/\(name)")
                }
                apply(ReflectorDelta.added(namespace), kind: "namespaces")
                fetchFound.increment()
            } catch KubernetesError.notFound {
                fetchNotFound.increment()
            } catch {
                fetchFailed.increment()
                logger.debug("could not read a namespace the cache has not seen", metadata: ["namespace": "\(name)", "error": "\(error)"])
            }
        }
    }
}
