import JSON

/// Why the core admitted a pod unchanged, as a small closed set with stable snake_case names:
/// the `reason` label of `kube_injector_admission_failed_open_total`. Never free text or
/// anything from the pod, so the label's cardinality is this enum's size.
public enum FailOpenReason: String, Sendable, CaseIterable {
    /// The pod could not be read as one: `request.object`, its metadata, annotations, spec,
    /// containers or one of their lists is missing or of the wrong JSON type.
    case malformedPod = "malformed_pod"
    /// The `kube-injector.io/inject` annotation is not a string or names a profile the
    /// configuration does not define.
    case unknownProfile = "unknown_profile"
    /// The pod already has a differently defined init container or volume of an injected name,
    /// or a mountPath the injection needs.
    case injectionConflict = "injection_conflict"
    /// The built patch did not apply to the pod, or the patched pod did not hold what it added:
    /// a kube-injector bug.
    case patchSelfCheck = "patch_self_check"
    /// The injected pod breaks one of the API server's per-pod validation rules.
    case invalidPod = "invalid_pod"
    /// The namespace's Pod Security level would refuse the injected pod.
    case podSecurity = "pod_security"
    /// A ResourceQuota would refuse the injected pod (no limit for a tracked resource).
    case resourceQuota = "resource_quota"
    /// Any other failure of the core's own logic: a kube-injector bug.
    case internalError = "internal_error"
}
