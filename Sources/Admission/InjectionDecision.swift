/// What the injector decided for one pod.
enum InjectionDecision {
    /// Leave the pod as it is, on purpose; the reason is for logs and tests.
    case skip(reason: String)
    /// Apply these operations (already self-checked); `patchedPod` is the result.
    case inject(operations: [JSONPatchOperation], patchedPod: JSONValue)
    /// Our own logic could not inject the pod; admit it unchanged and report.
    case failOpen(InjectionFailure)
}
