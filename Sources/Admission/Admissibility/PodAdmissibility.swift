// Admissibility: would the API server admit the patched pod? Validation/ checks the injected
// parts with the API server's field rules, PodSecurity/ evaluates Pod Security levels, and
// Cluster/ applies what the cluster says (namespace labels, quotas, LimitRanges).

import JSON

/// The per-pod admissibility check: after the self-check, the patched pod is checked with the
/// API server's rules wherever the injection meets the pod's own parts. Each profile's objects
/// were validated on their own when the configuration loaded; what remains depends on the pod:
/// - `validateInitContainers` / `validateEphemeralContainers`: an injected init container's
///   name must differ from every app, init and ephemeral container's name;
/// - `ValidateVolumes`: an injected volume's name appears once in `spec.volumes`;
/// - `ValidateVolumeMounts`: each injected mount names a volume of the final pod, and its
///   mountPath appears once in its container.
///
/// Only what the injection touched is read. In the patched pod, the pod's own entries are the
/// parser's objects and the injected ones are the configuration's raw bytes (the self-check
/// verified each landed where the patch says); an injected entry is named from the
/// configuration rather than parsed again, which keeps the check off the hot path's costs.
struct PodAdmissibility {
    let injected: InjectedParts

    /// nil when the pod is admissible as far as the injection is concerned; otherwise why not,
    /// naming the rule and the field.
    func check(pod: JSONValue) -> InjectionFailure? {
        if injected.initContainers.isEmpty && injected.volumes.isEmpty && injected.mounts.isEmpty { return nil }
        guard let spec = pod["spec"]?.objectValue else { return nil }
        // The final pod's volume names, read once: the pod's own, then the injected ones.
        var volumes: [String] = []
        for entry in spec["volumes"]?.arrayValue ?? [] where !entry.isRawBytes {
            if let name = entry["name"]?.stringValue { volumes.append(name) }
        }
        for item in injected.volumes { volumes.append(injected.volume(item).key) }
        for item in injected.volumes {
            let name = injected.volume(item).key
            let count = volumes.lazy.filter { $0 == name }.count
            if count != 1 {
                return failure(rule: "ValidateVolumes", field: "spec.volumes", "volume \"\(name)\" is defined \(count) times")
            }
        }
        // Every injected mount looks its volume up, in each container it goes to: past a few
        // volumes a set keeps that linear in the pod, not containers times volumes.
        let volumeSet = volumes.count > Self.scannedVolumeLimit ? Set(volumes) : nil
        if let problem = checkInitContainers(spec: spec, volumes: volumes, volumeSet: volumeSet) { return problem }
        return checkMounts(spec: spec, volumes: volumes, volumeSet: volumeSet)
    }

    /// Volume names looked up by a scan; past this many, through a set.
    private static let scannedVolumeLimit = 16

    private func checkInitContainers(spec: JSONObject, volumes: [String], volumeSet: Set<String>?) -> InjectionFailure? {
        guard !injected.initContainers.isEmpty else { return nil }
        let containers = spec["containers"]?.arrayValue ?? []
        let initContainers = spec["initContainers"]?.arrayValue ?? []
        let ephemeral = spec["ephemeralContainers"]?.arrayValue ?? []
        for (order, item) in injected.initContainers.enumerated() {
            let container = injected.initContainer(item)
            let name = container.key
            // Only a failure needs the entry's position; it is worked out then.
            var field: String { "spec.initContainers[\(initContainerPosition(order, ownCount: initContainers.count - injected.initContainers.count))].name" }
            if Self.ownCount(containers, "name", name) > 0 {
                return failure(rule: "validateInitContainers", field: field, "\"\(name)\" is also the name of an app container")
            }
            if Self.ownCount(initContainers, "name", name) + injected.initContainers.lazy.filter({ injected.initContainer($0).key == name }).count > 1 {
                return failure(rule: "validateInitContainers", field: field, "\"\(name)\" is the name of two init containers")
            }
            if Self.ownCount(ephemeral, "name", name) > 0 {
                return failure(rule: "validateEphemeralContainers", field: field, "\"\(name)\" is also the name of an ephemeral container")
            }
            for (mountIndex, mount) in (container.value["volumeMounts"]?.arrayValue ?? []).enumerated() {
                let ownCount = initContainers.count - injected.initContainers.count
                if let problem = missingVolume(
                    mount, volumes: volumes, volumeSet: volumeSet,
                    field: "spec.initContainers[\(initContainerPosition(order, ownCount: ownCount))].volumeMounts[\(mountIndex)].name")
                {
                    return problem
                }
            }
        }
        return nil
    }

    /// Where the `order`-th injected init container sits in the final list: the injected ones go
    /// first or last around the pod's own `ownCount`, in profile order.
    private func initContainerPosition(_ order: Int, ownCount: Int) -> Int {
        let position = injected.profiles[injected.initContainers[order].profile].initContainerPosition
        let before = injected.initContainers[..<order].lazy.filter { injected.profiles[$0.profile].initContainerPosition == position }.count
        if position == .first { return before }
        let firstCount = injected.initContainers.lazy.filter { injected.profiles[$0.profile].initContainerPosition == .first }.count
        return firstCount + ownCount + before
    }

    private func checkMounts(spec: JSONObject, volumes: [String], volumeSet: Set<String>?) -> InjectionFailure? {
        guard !injected.mounts.isEmpty, let containers = spec["containers"]?.arrayValue else { return nil }
        var start = 0
        while start < injected.mounts.count {
            let position = injected.mounts[start].container
            var end = start
            while end < injected.mounts.count && injected.mounts[end].container == position { end += 1 }
            let added = injected.mounts[start..<end]
            start = end
            guard position < containers.count else { continue }
            let finalMounts = containers[position]["volumeMounts"]?.arrayValue ?? []
            let ownMounts = finalMounts.lazy.filter { !$0.isRawBytes }.count
            for (offset, entry) in added.enumerated() {
                let mount = injected.mount(entry.item)
                var field: String { "spec.containers[\(position)].volumeMounts[\(ownMounts + offset)]" }
                if let problem = missingVolume(mount.value, volumes: volumes, volumeSet: volumeSet, field: "\(field).name") { return problem }
                let count = Self.ownCount(finalMounts, "mountPath", mount.key) + added.lazy.filter { injected.mount($0.item).key == mount.key }.count
                if count > 1 {
                    return failure(rule: "ValidateVolumeMounts", field: "\(field).mountPath", "\"\(mount.key)\" is mounted twice in this container")
                }
            }
        }
        return nil
    }

    private func missingVolume(_ mount: JSONValue, volumes: [String], volumeSet: Set<String>?, field: @autoclosure () -> String) -> InjectionFailure? {
        guard let name = mount["name"]?.stringValue else { return nil }
        if volumeSet.map({ $0.contains(name) }) ?? volumes.contains(name) { return nil }
        return failure(rule: "ValidateVolumeMounts", field: field(), "mounts volume \"\(name)\", which the pod does not define")
    }

    /// How many of the pod's own entries (not the injected raw ones) have `key` equal to `value`.
    private static func ownCount(_ list: [JSONValue], _ key: String, _ value: String) -> Int {
        var count = 0
        for entry in list where !entry.isRawBytes && entry[key]?.stringValue == value { count += 1 }
        return count
    }

    private func failure(rule: String, field: String, _ problem: String) -> InjectionFailure {
        InjectionFailure(
            .invalidPod, "the injected pod would be refused by the API server (Kubernetes rule \(rule)): \(field): \(problem); kube-injector admitted the pod unchanged")
    }
}
