import JSON

/// What the injector decided for one pod.
enum InjectionDecision {
    /// Leave the pod as it is, on purpose; the reason is for logs and tests.
    case skip(reason: String)
    /// Apply these operations (already self-checked: the pod passed in is now patched);
    /// `injected` says what they added, for the per-pod admissibility check.
    case inject(operations: [JSONPatchOperation], injected: InjectedParts)
    /// Our own logic could not inject the pod; admit it unchanged and report.
    case failOpen(InjectionFailure)
}
