import JSON

/// What `ManifestInjector` did with one pod template: which object it belongs to, where the
/// template sits in it, and whether it was injected, skipped on purpose, or could not be injected.
public struct PodTemplateResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// Patched with this many JSON Patch operations (the status annotation among them).
        case injected(operations: Int)
        /// Left alone on purpose, with the engine's reason ("no profile selected").
        case skipped(String)
        /// The engine could not inject it and would admit such a pod unchanged; the reason.
        case failed(String)
    }

    public var kind: String
    public var namespace: String
    /// metadata.name, or generateName when there is no name.
    public var name: String
    /// Where the template is in the object, e.g. `spec.jobTemplate.spec.template`; empty for a Pod.
    public var path: String
    public var outcome: Outcome

    public init(kind: String, namespace: String, name: String, path: String, outcome: Outcome) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.path = path
        self.outcome = outcome
    }

    /// `Deployment default/web`
    public var objectDescription: String { "\(kind) \(namespace)/\(name)" }
}
