import KubernetesAPI

/// Pod owner references to the top-level controller: ReplicaSet -> Deployment (GET of the ReplicaSet, cached
/// with a TTL), StatefulSet, DaemonSet, Job -> CronJob (GET of the Job, cached the same way). No controller
/// owner: the pod itself if named, else the Namespace. A ReplicaSet without a Deployment owner, or one already
/// deleted, is its own top.
public actor OwnerResolver {
    private struct CacheEntry {
        var top: ObjectIdentity
        var expires: ContinuousClock.Instant
    }

    /// The part of a ReplicaSet or Job that matters here.
    private struct OwnedObject: Decodable {
        var metadata: ObjectMeta
    }

    private let client: KubernetesClient
    private let ttl: Duration
    private let capacity: Int
    /// Keyed by the intermediate owner (ReplicaSet or Job).
    private var cache: [ObjectIdentity: CacheEntry] = [:]
    /// Lookups under way, so concurrent callers for one ReplicaSet share a single GET.
    private var inFlight: [ObjectIdentity: Task<ObjectIdentity, Error>] = [:]

    public init(client: KubernetesClient, ttl: Duration = .seconds(300), capacity: Int = 4096) {
        self.client = client
        self.ttl = ttl
        self.capacity = max(1, capacity)
    }

    /// The object whose Events a person looks at for this pod, with its namespace. Throws the client's errors
    /// when the GET of an intermediate owner fails for a reason other than 404 (worth retrying: the API server
    /// may be busy).
    public func controller(namespace: String, podName: String,
                           ownerReferences: [OwnerReference]) async throws -> ObjectIdentity {
        guard let owner = ownerReferences.first(where: { $0.controller == true }) else {
            if !podName.isEmpty {
                return ObjectIdentity(apiVersion: "v1", kind: "Pod", namespace: namespace, name: podName)
            }
            return ObjectIdentity(apiVersion: "v1", kind: "Namespace", namespace: "", name: namespace)
        }
        let reference = ObjectIdentity(owner, namespace: namespace)
        switch (owner.kind, group(of: owner.apiVersion)) {
        case ("ReplicaSet", "apps"):
            return try await parent(of: reference, namespace: namespace, resource: "/apis/apps/v1/namespaces/\(namespace)/replicasets",
                                    parentKind: "Deployment")
        case ("Job", "batch"):
            return try await parent(of: reference, namespace: namespace, resource: "/apis/batch/v1/namespaces/\(namespace)/jobs",
                                    parentKind: "CronJob")
        default:
            // StatefulSet, DaemonSet and anything else: the controller is already the top.
            return reference
        }
    }

    private func group(of apiVersion: String) -> String {
        let parts = apiVersion.split(separator: "/")
        return parts.count == 2 ? String(parts[0]) : ""
    }

    private func parent(of reference: ObjectIdentity, namespace: String, resource: String,
                        parentKind: String) async throws -> ObjectIdentity {
        let now = ContinuousClock.now
        if let entry = cache[reference], entry.expires > now {
            return entry.top
        }
        if let running = inFlight[reference] {
            return try await running.value
        }
        let client = self.client
        let task = Task<ObjectIdentity, Error> {
            do {
                let object = try await client.get(OwnedObject.self, path: "\(resource)/\(reference.name)")
                guard let owner = object.metadata.ownerReferences?.first(where: {
                    $0.controller == true && $0.kind == parentKind
                }) else {
                    return reference
                }
                return ObjectIdentity(owner, namespace: namespace)
            } catch KubernetesError.notFound {
                return reference   // already deleted: the nearest thing that existed
            }
        }
        inFlight[reference] = task
        defer { inFlight[reference] = nil }
        let top = try await task.value
        store(top, for: reference, now: .now)
        return top
    }

    private func store(_ top: ObjectIdentity, for key: ObjectIdentity, now: ContinuousClock.Instant) {
        if cache.count >= capacity, cache[key] == nil {
            cache = cache.filter { $0.value.expires > now }
            if cache.count >= capacity, let oldest = cache.min(by: { $0.value.expires < $1.value.expires })?.key {
                cache[oldest] = nil
            }
        }
        cache[key] = CacheEntry(top: top, expires: now + ttl)
    }
}
