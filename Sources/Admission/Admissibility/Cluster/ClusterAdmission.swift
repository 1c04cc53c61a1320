// Cluster: the cluster state the review may use (a snapshot of namespace policies, quotas and
// LimitRange defaults, loaded offline from files or fed by the server's caches) and its verdict.

import JSON

/// Checks a patched pod against the admission the API server runs after the webhooks — Pod
/// Security and ResourceQuota — for what the injection added: a violation only the injected
/// init containers or volumes have refuses the injection; one the pod's own parts already have
/// does not (the API server refuses that pod whatever the injector does). Never changes the pod.
struct ClusterAdmission {
    let namespace: NamespacePolicy
    let patchedPod: JSONValue
    let injectedInitContainers: Set<String>
    let injectedVolumes: Set<String>
    /// The injected init containers and volumes as the patch adds them.
    let injectedValues: (initContainers: [JSONValue], volumes: [JSONValue])

    /// The verdict for `patchedPod` in namespace `name` of `cluster`; `operations` is the patch,
    /// which says what was injected.
    static func verdict(cluster: ClusterSnapshot?, namespace name: String, patchedPod: JSONValue, operations: [JSONPatchOperation]) -> ClusterAdmissionVerdict {
        guard let cluster else { return .admissible }
        guard let namespace = cluster[namespace: name] else { return .unknownNamespace }
        guard namespace.constrainsPods else { return .admissible }
        var initContainers: [JSONValue] = []
        var volumes: [JSONValue] = []
        for operation in operations where operation.op == .add {
            let tokens = operation.path.tokens
            guard tokens.count >= 2, tokens[0] == "spec", tokens[1] == "initContainers" || tokens[1] == "volumes",
                  let value = operation.value else { continue }
            // Built once here (for a configured object, the tree it was written from): the checks
            // read each of them several times.
            let added = (tokens.count == 2 ? value.arrayValue ?? [] : [value]).map { value -> JSONValue in
                if case .raw(let raw) = value { return raw.parsed }
                return value
            }
            if tokens[1] == "initContainers" { initContainers += added } else { volumes += added }
        }
        if initContainers.isEmpty && volumes.isEmpty { return .admissible }
        let admission = ClusterAdmission(
            namespace: namespace, patchedPod: patchedPod,
            injectedInitContainers: Set(initContainers.compactMap { $0["name"]?.stringValue }),
            injectedVolumes: Set(volumes.compactMap { $0["name"]?.stringValue }),
            injectedValues: (initContainers, volumes))
        if let failure = admission.podSecurityRefusal() ?? admission.resourceQuotaRefusal() {
            return .refused(failure)
        }
        return .admissible
    }

    private func isInjected(_ subject: PodSecuritySubject) -> Bool {
        switch subject {
        case .pod: return false
        case .container(let kind, let name): return kind == .initContainer && injectedInitContainers.contains(name)
        case .volume(let name): return injectedVolumes.contains(name)
        }
    }

    // MARK: - Pod Security

    func podSecurityRefusal() -> InjectionFailure? {
        let policy = namespace.podSecurity
        guard policy.level != .privileged else { return nil }
        // First what was injected, under the pod's own pod-level fields: when that passes (the usual
        // case) the app containers are never read.
        let injected = PodSecurityEvaluator.violations(
            of: injectedValues.initContainers.map { (.initContainer, $0) }, volumes: injectedValues.volumes, in: patchedPod, under: policy)
        if injected.isEmpty { return nil }
        // Then the whole pod: a pod refused by itself is refused with or without the injection.
        if PodSecurityEvaluator.violations(of: patchedPod, under: policy).contains(where: { !isInjected($0.subject) }) {
            return nil
        }
        var subjects: [PodSecuritySubject] = []
        var reasons: [PodSecuritySubject: [String]] = [:]
        for violation in injected {
            if reasons[violation.subject] == nil { subjects.append(violation.subject) }
            if reasons[violation.subject, default: []].contains(violation.reason) { continue }
            reasons[violation.subject, default: []].append(violation.reason)
        }
        let detail = subjects.map { "\($0): \(reasons[$0, default: []].joined(separator: ", "))" }.joined(separator: "; ")
        return InjectionFailure(
            .podSecurity, "PodSecurity \"\(policy)\": \(detail) (namespace \(namespace.name) enforces \(policy.level.rawValue); the API server would refuse the injected pod, so it was admitted without injection; give the profile's parts a securityContext and volumes that meet this level)")
    }

    // MARK: - ResourceQuota

    /// pkg/quota/v1/evaluator/core/pods.go `enforcePodContainerConstraints`: with a quota that
    /// applies to the pod (its scopes match) and tracks a compute resource, every container must
    /// request (or limit) it, after the API server's defaulting (requests default to limits) and
    /// LimitRange defaults. The injection can change which quotas apply (a BestEffort pod that
    /// gains an init container with resources is no longer BestEffort), so the pod as sent is
    /// judged by the quotas that apply to it, and the patched pod by those that apply to it.
    func resourceQuotaRefusal() -> InjectionFailure? {
        let quotas = namespace.resourceQuotas.filter { !$0.tracked.isEmpty }
        guard !quotas.isEmpty, let spec = patchedPod["spec"]?.objectValue else { return nil }
        let defaultLimits = namespace.limitRanges.reduce(into: Set<String>()) { $0.formUnion($1.defaultLimits) }
        let defaultRequests = namespace.limitRanges.reduce(into: Set<String>()) { $0.formUnion($1.defaultRequests) }
        typealias Declared = (limits: Set<String>, requests: Set<String>)
        func declared(_ container: JSONObject) -> Declared {
            let resources = container["resources"]
            let limits = Set(resources?["limits"]?.objectValue?.keys ?? []).union(defaultLimits)
            return (limits, Set(resources?["requests"]?.objectValue?.keys ?? []).union(limits).union(defaultRequests))
        }
        func missing(_ resources: Declared, _ required: Set<ComputeResource>) -> [ComputeResource] {
            required.filter { !($0.isLimit ? resources.limits : resources.requests).contains($0.resourceName) }.sorted()
        }
        let injected = injectedValues.initContainers.compactMap(\.objectValue).map { ($0["name"]?.stringValue ?? "", declared($0)) }
        let isScoped = quotas.contains { !$0.scopes.isEmpty }
        let isTerminating = spec["activeDeadlineSeconds"].flatMap(SecurityContextFields.integer).map { $0 >= 0 } ?? false
        let priorityClassName = spec["priorityClassName"]?.stringValue ?? ""
        func applicable(bestEffort: Bool) -> [ResourceQuotaSummary] {
            quotas.filter { quota in
                quota.scopes.allSatisfy { $0.matches(isTerminating: isTerminating, isBestEffort: bestEffort, priorityClassName: priorityClassName) }
            }
        }
        func required(bestEffort: Bool) -> Set<ComputeResource> {
            applicable(bestEffort: bestEffort).reduce(into: Set<ComputeResource>()) { $0.formUnion($1.tracked) }
        }
        func isBestEffort(_ all: [Declared]) -> Bool {
            all.allSatisfy { $0.limits.isDisjoint(with: ["cpu", "memory"]) && $0.requests.isDisjoint(with: ["cpu", "memory"]) }
        }
        // The usual case: no scopes, and the injected containers declare every tracked resource.
        var patchedRequired = required(bestEffort: false)
        if !isScoped && injected.allSatisfy({ missing($0.1, patchedRequired).isEmpty }) { return nil }
        // The pod's own containers, read only now.
        var own: [(name: String, resources: Declared, isInit: Bool)] = []
        for (key, isInit) in [("initContainers", true), ("containers", false)] {
            for value in spec[key]?.arrayValue ?? [] {
                let container = value.objectValue ?? JSONObject()  // parsed once when raw
                let name = container["name"]?.stringValue ?? ""
                if isInit && injectedInitContainers.contains(name) { continue }
                own.append((name, declared(container), isInit))
            }
        }
        let originalRequired = required(bestEffort: isBestEffort(own.map(\.resources)))
        if own.contains(where: { !missing($0.resources, originalRequired).isEmpty }) { return nil }  // refused anyway
        let patchedBestEffort = isBestEffort(own.map(\.resources) + injected.map(\.1))
        patchedRequired = required(bestEffort: patchedBestEffort)
        var lacking: [(subject: String, missing: [ComputeResource])] = []
        for (name, resources) in injected where !missing(resources, patchedRequired).isEmpty {
            lacking.append(("init container \(name)", missing(resources, patchedRequired)))
        }
        for container in own where !missing(container.resources, patchedRequired).isEmpty {
            lacking.append(("\(container.isInit ? "init container" : "container") \(container.name)", missing(container.resources, patchedRequired)))
        }
        guard !lacking.isEmpty else { return nil }
        let quotaNames = applicable(bestEffort: patchedBestEffort).filter { quota in lacking.contains { !quota.tracked.isDisjoint(with: $0.missing) } }.map(\.name)
        let detail = lacking.map { "\($0.subject) must specify \($0.missing.map(\.rawValue).joined(separator: ", "))" }.joined(separator: "; ")
        return InjectionFailure(
            .resourceQuota, "ResourceQuota \(quotaNames.map { "\"\($0)\"" }.joined(separator: ", ")): \(detail) (namespace \(namespace.name) has no LimitRange default for it; the API server would refuse the injected pod, so it was admitted without injection; give the profile's init containers resources)")
    }
}
