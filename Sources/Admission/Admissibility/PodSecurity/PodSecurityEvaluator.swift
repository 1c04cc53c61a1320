// PodSecurity: the Pod Security Standards checks, by level and version, over a pod's view.

import JSON

/// Evaluates a pod against a Pod Security Standards level and version, as the API server's
/// PodSecurity admission does after the webhooks have run: every check of that level and the
/// levels below it that applies at that version, pod-level securityContext inherited by the
/// containers that set nothing themselves. Pure.
public enum PodSecurityEvaluator {
    /// Every violation of `policy` in `pod` (a Pod object: `metadata` and `spec`); empty when the
    /// pod is allowed. `privileged` allows everything.
    public static func violations(of pod: JSONValue, under policy: PodSecurityLevelVersion) -> [PodSecurityViolation] {
        if policy.level == .privileged { return [] }
        let view = PodSecurityPod(pod)
        return checks(for: policy).flatMap { $0.evaluate(view, policy.version) }
    }

    /// The violations of `policy` that the given containers and volumes have, judged under `pod`'s
    /// pod-level fields (what they inherit); the pod's own containers and volumes are not read.
    static func violations(
        of containers: [(PodSecuritySubject.ContainerKind, JSONValue)], volumes: [JSONValue], in pod: JSONValue, under policy: PodSecurityLevelVersion
    ) -> [PodSecurityViolation] {
        if policy.level == .privileged { return [] }
        let view = PodSecurityPod(pod, onlyContainers: containers, onlyVolumes: volumes)
        var found: [PodSecurityViolation] = []
        for check in checks(for: policy) {
            for violation in check.evaluate(view, policy.version) where violation.subject != .pod { found.append(violation) }
        }
        return found
    }

    /// The strictest level `pod` satisfies at `version`.
    public static func strictestLevel(of pod: JSONValue, version: PodSecurityVersion = .latest) -> PodSecurityLevel {
        for level in [PodSecurityLevel.restricted, .baseline] where violations(of: pod, under: PodSecurityLevelVersion(level: level, version: version)).isEmpty {
            return level
        }
        return .privileged
    }

    /// At `latest`, the usual label, the lists are made once.
    private static let latestBaseline = applicableChecks(for: PodSecurityLevelVersion(level: .baseline))
    private static let latestRestricted = applicableChecks(for: PodSecurityLevelVersion(level: .restricted))

    static func checks(for policy: PodSecurityLevelVersion) -> [PodSecurityCheck] {
        if policy.version == .latest {
            switch policy.level {
            case .restricted: return latestRestricted
            case .baseline: return latestBaseline
            case .privileged: return []
            }
        }
        return applicableChecks(for: policy)
    }

    private static func applicableChecks(for policy: PodSecurityLevelVersion) -> [PodSecurityCheck] {
        let applicable = PodSecurityChecks.all.filter { $0.level <= policy.level && policy.version.includes(minimum: $0.minimumVersion) }
        let overridden = Set(applicable.flatMap(\.overrides))
        return applicable.filter { !overridden.contains($0.id) }
    }
}

extension PodSecurityEvaluator {
    /// The strictest level the parts `profile` injects (init containers and volumes) satisfy
    /// in a pod that sets no pod-level securityContext, for `check-config`.
    public static func strictestLevel(ofInjectedPartsOf profile: InjectionProfile, version: PodSecurityVersion = .latest) -> PodSecurityLevel {
        let pod: JSONValue = [
            "metadata": [:],
            "spec": [
                "initContainers": .array(profile.initContainers.map(\.value)),
                "containers": [],
                "volumes": .array(profile.volumes.map(\.value)),
            ],
        ]
        return strictestLevel(of: pod, version: version)
    }
}
