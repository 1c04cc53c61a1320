/// The level and version a namespace enforces, read from its labels the way the API server's
/// PodSecurity admission reads them (pod-security-admission/api `PolicyToEvaluate`): no label
/// means the default (`privileged:latest` unless the API server is configured otherwise); an
/// unknown level means `restricted`; an unknown or missing version means `latest`.
public struct PodSecurityLevelVersion: Sendable, Equatable, CustomStringConvertible {
    public static let enforceLevelLabel = "pod-security.kubernetes.io/enforce"
    public static let enforceVersionLabel = "pod-security.kubernetes.io/enforce-version"

    public var level: PodSecurityLevel
    public var version: PodSecurityVersion

    public init(level: PodSecurityLevel, version: PodSecurityVersion = .latest) {
        self.level = level
        self.version = version
    }

    /// The enforced policy of a namespace with these labels.
    public init(namespaceLabels labels: [String: String]) {
        level = labels[Self.enforceLevelLabel].map { PodSecurityLevel(rawValue: $0) ?? .restricted } ?? .privileged
        version = labels[Self.enforceVersionLabel].map { PodSecurityVersion(label: $0) ?? .latest } ?? .latest
    }

    /// `restricted:latest`, as the API server names a policy in its messages.
    public var description: String { "\(level.rawValue):\(version)" }
}
