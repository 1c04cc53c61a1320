/// One scope of a ResourceQuota: an entry of `spec.scopes` (operator `Exists`) or of
/// `spec.scopeSelector.matchExpressions`. A quota counts (and constrains) only the pods that
/// match all of its scopes (`podMatchesScopeFunc`, pkg/quota/v1/evaluator/core/pods.go).
public struct ResourceQuotaScope: Sendable, Equatable {
    public var scopeName: String
    public var `operator`: String
    public var values: [String]

    public init(scopeName: String, operator: String = "Exists", values: [String] = []) {
        self.scopeName = scopeName
        self.operator = `operator`
        self.values = values
    }

    /// Whether a pod with these traits is in the scope. A scope this code does not know is taken
    /// to match: the injector then checks the quota, which can only make it admit a pod unchanged
    /// when it need not have.
    func matches(isTerminating: Bool, isBestEffort: Bool, priorityClassName: String) -> Bool {
        switch scopeName {
        case "Terminating": return isTerminating
        case "NotTerminating": return !isTerminating
        case "BestEffort": return isBestEffort
        case "NotBestEffort": return !isBestEffort
        case "PriorityClass":
            switch self.operator {
            case "Exists": return !priorityClassName.isEmpty
            case "In": return values.contains(priorityClassName)
            case "NotIn": return !values.contains(priorityClassName)
            case "DoesNotExist": return priorityClassName.isEmpty
            default: return true
            }
        default: return true
        }
    }
}
