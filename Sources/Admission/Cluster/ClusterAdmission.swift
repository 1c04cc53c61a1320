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
            "PodSecurity \"\(policy)\": \(detail) (namespace \(namespace.name) enforces \(policy.level.rawValue); the API server would refuse the injected pod, so it was admitted without injection; give the profile's parts a securityContext and volumes that meet this level)")
    }

    // MARK: - ResourceQuota

    /// pkg/quota/v1/evaluator/core/pods.go `enforcePodContainerConstraints`: with a quota that
    /// tracks a compute resource, every container must request (or limit) it, after the
    /// API server's defaulting (requests default to limits) and LimitRange defaults.
    func resourceQuotaRefusal() -> InjectionFailure? {
        let quotas = namespace.resourceQuotas.filter { !$0.tracked.isEmpty }
        guard !quotas.isEmpty, let spec = patchedPod["spec"]?.objectValue else { return nil }
        let required = quotas.reduce(into: Set<ComputeResource>()) { $0.formUnion($1.tracked) }
        let defaultLimits = namespace.limitRanges.reduce(into: Set<String>()) { $0.formUnion($1.defaultLimits) }
        let defaultRequests = namespace.limitRanges.reduce(into: Set<String>()) { $0.formUnion($1.defaultRequests) }
        func missing(_ container: JSONObject) -> [ComputeResource] {
            let resources = container["resources"]
            let limits = Set(resources?["limits"]?.objectValue?.keys ?? []).union(defaultLimits)
            let requests = Set(resources?["requests"]?.objectValue?.keys ?? []).union(limits).union(defaultRequests)
            return required.filter { !($0.isLimit ? limits : requests).contains($0.resourceName) }.sorted()
        }
        // First the injected init containers; the pod's own containers are read only when one of
        // those lacks something, to tell whether the pod is refused anyway.
        var injectedMissing: [(name: String, missing: [ComputeResource])] = []
        for container in injectedValues.initContainers.compactMap(\.objectValue) {
            let lacking = missing(container)
            if !lacking.isEmpty { injectedMissing.append((container["name"]?.stringValue ?? "", lacking)) }
        }
        guard !injectedMissing.isEmpty else { return nil }
        for (key, isInit) in [("initContainers", true), ("containers", false)] {
            for value in spec[key]?.arrayValue ?? [] {
                let container = value.objectValue ?? JSONObject()  // parsed once when raw
                if isInit, let name = container["name"]?.stringValue, injectedInitContainers.contains(name) { continue }
                if !missing(container).isEmpty { return nil }  // refused anyway
            }
        }
        let quotaNames = quotas.filter { quota in injectedMissing.contains { !quota.tracked.isDisjoint(with: $0.missing) } }.map(\.name)
        let detail = injectedMissing.map { "init container \($0.name) must specify \($0.missing.map(\.rawValue).joined(separator: ", "))" }
            .joined(separator: "; ")
        return InjectionFailure(
            "ResourceQuota \(quotaNames.map { "\"\($0)\"" }.joined(separator: ", ")): \(detail) (namespace \(namespace.name) has no LimitRange default for it; the API server would refuse the injected pod, so it was admitted without injection; give the profile's init containers resources)")
    }
}
