/// A coordination.k8s.io/v1 Lease: the lock leader election holds and renews.
public struct Lease: Codable, Sendable, Equatable, KubernetesObject {
    /// Who holds the Lease and until when (times are MicroTime, `KubernetesTimestamp.microTime`).
    public struct Spec: Codable, Sendable, Equatable {
        public var holderIdentity: String?
        public var leaseDurationSeconds: Int?
        public var acquireTime: String?
        public var renewTime: String?
        public var leaseTransitions: Int?

        public init(holderIdentity: String? = nil, leaseDurationSeconds: Int? = nil, acquireTime: String? = nil,
                    renewTime: String? = nil, leaseTransitions: Int? = nil) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }
    }

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, spec: Spec? = nil) {
        self.apiVersion = "coordination.k8s.io/v1"
        self.kind = "Lease"
        self.metadata = metadata
        self.spec = spec
    }
}
