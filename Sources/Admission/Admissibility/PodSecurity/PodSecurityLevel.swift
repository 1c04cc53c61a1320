/// A Pod Security Standards level, as the `pod-security.kubernetes.io/enforce` label names it
/// (k8s.io/pod-security-admission/api `Level`). Ordered from least to most strict.
public enum PodSecurityLevel: String, Sendable, Comparable, CaseIterable {
    case privileged
    case baseline
    case restricted

    private var strictness: Int {
        switch self {
        case .privileged: return 0
        case .baseline: return 1
        case .restricted: return 2
        }
    }

    public static func < (lhs: PodSecurityLevel, rhs: PodSecurityLevel) -> Bool {
        lhs.strictness < rhs.strictness
    }
}
