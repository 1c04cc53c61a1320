/// The quota resource names that make every container of a pod declare a request or a limit
/// (the ResourceQuota admission's `requiredComputeResources`, pkg/quota/v1/evaluator/core/pods.go):
/// `cpu` and `memory` mean their requests.
public enum ComputeResource: String, Sendable, Hashable, CaseIterable, Comparable {
    case requestsCPU = "requests.cpu"
    case requestsMemory = "requests.memory"
    case limitsCPU = "limits.cpu"
    case limitsMemory = "limits.memory"

    /// The tracked resource a quota's `spec.hard` key stands for; nil for others (pods, storage...).
    public init?(quotaKey: String) {
        switch quotaKey {
        case "cpu", "requests.cpu": self = .requestsCPU
        case "memory", "requests.memory": self = .requestsMemory
        case "limits.cpu": self = .limitsCPU
        case "limits.memory": self = .limitsMemory
        default: return nil
        }
    }

    /// `cpu` or `memory`.
    var resourceName: String {
        switch self {
        case .requestsCPU, .limitsCPU: return "cpu"
        case .requestsMemory, .limitsMemory: return "memory"
        }
    }

    var isLimit: Bool { self == .limitsCPU || self == .limitsMemory }

    public static func < (lhs: ComputeResource, rhs: ComputeResource) -> Bool { lhs.rawValue < rhs.rawValue }
}
