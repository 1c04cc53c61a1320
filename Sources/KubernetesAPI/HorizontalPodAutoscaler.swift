/// The fields of an autoscaling/v2 (or v1) HorizontalPodAutoscaler the forwarder reads: its
/// annotations and its scale target. Both versions share these, so one model reads either.
public struct HorizontalPodAutoscaler: Codable, Sendable, Equatable, KubernetesObject {
    public struct CrossVersionObjectReference: Codable, Sendable, Equatable {
        public var apiVersion: String?
        public var kind: String
        public var name: String

        public init(apiVersion: String? = nil, kind: String, name: String) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.name = name
        }
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var scaleTargetRef: CrossVersionObjectReference
        public var minReplicas: Int?
        public var maxReplicas: Int?

        public init(scaleTargetRef: CrossVersionObjectReference, minReplicas: Int? = nil, maxReplicas: Int? = nil) {
            self.scaleTargetRef = scaleTargetRef
            self.minReplicas = minReplicas
            self.maxReplicas = maxReplicas
        }
    }

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(apiVersion: String = "autoscaling/v2", metadata: ObjectMeta, spec: Spec?) {
        self.apiVersion = apiVersion
        self.kind = "HorizontalPodAutoscaler"
        self.metadata = metadata
        self.spec = spec
    }

    /// `Kind/name` of the scale target, as `kubectl get hpa` shows it.
    public var targetDescription: String {
        guard let target = spec?.scaleTargetRef else { return "" }
        return "\(target.kind)/\(target.name)"
    }
}
