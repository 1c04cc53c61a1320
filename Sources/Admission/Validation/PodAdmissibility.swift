/// The per-pod admissibility check: after the self-check, the patched pod is checked with the
/// API server's rules wherever the injection meets the pod's own parts. Each profile's objects
/// were validated on their own when the configuration loaded; what remains depends on the pod:
/// - `validateInitContainers` / `validateEphemeralContainers`: an injected init container's
///   name must differ from every app, init and ephemeral container's name;
/// - `ValidateVolumes`: an injected volume's name appears once in `spec.volumes`;
/// - `ValidateVolumeMounts`: each injected mount names a volume of the final pod, and its
///   mountPath appears once in its container.
/// Only what the injection touched is read, so the check stays cheap on the admission path.
struct PodAdmissibility {
    let injected: InjectedParts

    /// nil when the pod is admissible as far as the injection is concerned; otherwise why not,
    /// naming the rule and the field.
    func check(pod: JSONValue) -> InjectionFailure? {
        guard let spec = pod["spec"]?.objectValue else { return nil }
        let volumes = spec["volumes"]?.arrayValue ?? []
        for name in injected.volumes {
            var count = 0
            for volume in volumes where volume["name"]?.stringValue == name { count += 1 }
            if count != 1 {
                return failure(rule: "ValidateVolumes", field: "spec.volumes", "volume \"\(name)\" is defined \(count) times")
            }
        }
        let initContainers = spec["initContainers"]?.arrayValue ?? []
        if !injected.initContainers.isEmpty {
            let containers = spec["containers"]?.arrayValue ?? []
            let ephemeral = spec["ephemeralContainers"]?.arrayValue ?? []
            for container in injected.initContainers {
                let name = container.key
                guard let index = initContainers.firstIndex(where: { $0["name"]?.stringValue == name }) else { continue }
                let field = "spec.initContainers[\(index)].name"
                if containers.contains(where: { $0["name"]?.stringValue == name }) {
                    return failure(rule: "validateInitContainers", field: field, "\"\(name)\" is also the name of an app container")
                }
                if initContainers.lazy.filter({ $0["name"]?.stringValue == name }).count > 1 {
                    return failure(rule: "validateInitContainers", field: field, "\"\(name)\" is the name of two init containers")
                }
                if ephemeral.contains(where: { $0["name"]?.stringValue == name }) {
                    return failure(rule: "validateEphemeralContainers", field: field, "\"\(name)\" is also the name of an ephemeral container")
                }
                for (mountIndex, mount) in (container.value["volumeMounts"]?.arrayValue ?? []).enumerated() {
                    if let problem = missingVolume(mount, volumes: volumes, field: "spec.initContainers[\(index)].volumeMounts[\(mountIndex)].name") {
                        return problem
                    }
                }
            }
        }
        guard !injected.containerMounts.isEmpty, let containers = spec["containers"]?.arrayValue else { return nil }
        for (position, mounts) in injected.containerMounts where position < containers.count {
            let finalMounts = containers[position]["volumeMounts"]?.arrayValue ?? []
            for mount in mounts {
                guard let mountPath = mount.value["mountPath"]?.stringValue else { continue }
                let at = finalMounts.lastIndex(where: { $0["mountPath"]?.stringValue == mountPath }) ?? 0
                let field = "spec.containers[\(position)].volumeMounts[\(at)]"
                if let problem = missingVolume(mount.value, volumes: volumes, field: "\(field).name") { return problem }
                if finalMounts.lazy.filter({ $0["mountPath"]?.stringValue == mountPath }).count > 1 {
                    return failure(rule: "ValidateVolumeMounts", field: "\(field).mountPath", "\"\(mountPath)\" is mounted twice in this container")
                }
            }
        }
        return nil
    }

    private func missingVolume(_ mount: JSONValue, volumes: [JSONValue], field: String) -> InjectionFailure? {
        guard let name = mount["name"]?.stringValue else { return nil }
        if volumes.contains(where: { $0["name"]?.stringValue == name }) { return nil }
        return failure(rule: "ValidateVolumeMounts", field: field, "mounts volume \"\(name)\", which the pod does not define")
    }

    private func failure(rule: String, field: String, _ problem: String) -> InjectionFailure {
        InjectionFailure(
            "the injected pod would be refused by the API server (Kubernetes rule \(rule)): \(field): \(problem); kube-injector admitted the pod unchanged")
    }
}
