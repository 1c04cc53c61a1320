/// One Pod Security Standards check, ported from a `check_*.go` file of
/// k8s.io/pod-security-admission/policy: its ID, its level, the first policy version it applies
/// to, and the violations it finds, one per subject (the upstream check lists the subjects in
/// one message; kept apart here so the admission core can tell whose violation each is).
struct PodSecurityCheck: Sendable {
    var id: String
    var level: PodSecurityLevel
    /// The check applies from policy version 1.`minimumVersion` on.
    var minimumVersion: Int
    /// Checks of a lower level this one replaces at its own level (upstream `OverrideCheckIDs`):
    /// restricted's volume and capability checks are stricter forms of baseline's.
    var overrides: [String] = []
    var evaluate: @Sendable (PodSecurityPod, PodSecurityVersion) -> [PodSecurityViolation]
}
