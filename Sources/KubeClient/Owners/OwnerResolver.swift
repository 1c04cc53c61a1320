/// Pod owner references to the top-level controller: ReplicaSet -> Deployment (GET of the ReplicaSet, cached
/// with a TTL), StatefulSet, DaemonSet, Job -> CronJob. No owner: the pod itself if named, else the Namespace.
public actor OwnerResolver {
    private let client: KubernetesClient
    private let ttl: Duration
    private let capacity: Int

    public init(client: KubernetesClient, ttl: Duration = .seconds(300), capacity: Int = 4096) {
        self.client = client
        self.ttl = ttl
        self.capacity = capacity
    }

    public func controller(namespace: String, podName: String,
                           ownerReferences: [OwnerReference]) async throws -> ObjectReference {
        throw KubernetesError.transport("not implemented")
    }
}
