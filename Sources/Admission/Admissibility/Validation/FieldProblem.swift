/// One way a pod field breaks a rule the API server enforces: where (a field path such as
/// `initContainers[0].resources.limits.cpu`), what is wrong, and which Kubernetes rule says so
/// (the function in `pkg/apis/core/validation/validation.go` or apimachinery's `validation`).
public struct FieldProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// The Kubernetes validation function the rule is ported from, e.g. `ValidateVolumeMounts`.
    public var rule: String

    public init(path: String, message: String, rule: String) {
        self.path = path
        self.message = message
        self.rule = rule
    }

    public var description: String { "\(path): \(message)" }
}
