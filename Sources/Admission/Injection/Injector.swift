// Injection: the decision for one pod (which profiles, what is already there) and the RFC 6902
// patch that adds env vars, volume mounts, init containers and volumes, with its self-check.

import JSON

/// Decides what to inject into one pod and builds the JSON Patch for it directly from the
/// pod and the selected profiles, in time linear in the pod's size: each of the pod's lists
/// is indexed by name once (`NameIndex`), and every lookup goes through that index.
struct Injector {
    let configuration: InjectionConfig

    /// Decides for `pod` and, when injecting, patches it in place (the self-check applies the
    /// patch to the request's own object, so nothing is copied). After `.failOpen` the pod may be
    /// partly patched and must not be used as the stored object.
    func decide(pod: inout JSONValue) -> InjectionDecision {
        let planned: (operations: [JSONPatchOperation], status: String, injected: InjectedParts)
        switch plan(pod: pod) {
        case .planned(let operations, let status, let injected): planned = (operations, status, injected)
        case .decided(let decision): return decision
        }
        do {
            try selfCheck(planned.operations, pod: &pod, status: planned.status)
            return .inject(operations: planned.operations, injected: planned.injected)
        } catch let failure as InjectionFailure {
            return .failOpen(failure)
        } catch {
            return .failOpen(InjectionFailure(.internalError, "\(error)"))
        }
    }

    private enum Plan {
        case planned(operations: [JSONPatchOperation], status: String, injected: InjectedParts)
        case decided(InjectionDecision)
    }

    /// Everything that reads the pod, kept apart from the self-check so none of its references
    /// into the pod are alive while the patch is applied in place.
    private func plan(pod: JSONValue) -> Plan {
        guard let podObject = pod.objectValue else {
            return .decided(.failOpen(InjectionFailure(.malformedPod, "request.object is \(pod.isNull ? "missing" : "not a JSON object"), so the pod could not be read")))
        }
        let metadata = podObject["metadata"]
        if let metadata, !metadata.isNull, metadata.objectValue == nil {
            return .decided(.failOpen(InjectionFailure(.malformedPod, "the pod's metadata is not an object")))
        }
        let annotations = metadata?["annotations"]
        if let annotations, !annotations.isNull, annotations.objectValue == nil {
            return .decided(.failOpen(InjectionFailure(.malformedPod, "the pod's metadata.annotations is not an object")))
        }
        if annotations?[Annotations.status] != nil {
            return .decided(.skip(reason: "already injected (\(Annotations.status) is set)"))
        }
        let profiles: [InjectionProfile]
        switch selectProfiles(annotation: annotations?[Annotations.inject]) {
        case .success(let selected): profiles = selected
        case .failure(let failure): return .decided(.failOpen(failure))
        }
        if profiles.isEmpty {
            return .decided(.skip(reason: "no profile selected"))
        }
        do {
            var injected = InjectedParts()
            injected.profiles = profiles
            let specOperations = try specOperations(pod: podObject, profiles: profiles, injected: &injected)
            if specOperations.isEmpty {
                return .decided(.skip(reason: "the pod already carries everything its profiles inject"))
            }
            let status = configuration.defaultStatus.flatMap { $0.profiles.elementsEqual(profiles.lazy.map(\.name)) ? $0.value : nil }
                ?? Self.statusValue(profiles)
            var operations: [JSONPatchOperation] = []
            operations.reserveCapacity(specOperations.count + 1)
            operations.append(try statusOperation(metadata: metadata, annotations: annotations, status: status))
            operations.append(contentsOf: specOperations)
            return .planned(operations: operations, status: status, injected: injected)
        } catch let failure as InjectionFailure {
            return .decided(.failOpen(failure))
        } catch {
            return .decided(.failOpen(InjectionFailure(.internalError, "\(error)")))
        }
    }

    // MARK: - Profiles

    private func selectProfiles(annotation: JSONValue?) -> Result<[InjectionProfile], InjectionFailure> {
        var names: [String]
        switch annotation {
        case nil, .null?:
            names = configuration.defaultProfiles
        case .string(let text)?:
            let trimmed = text.trimmedOfSpaces
            if trimmed == "false" { return .success([]) }
            if trimmed == "true" || trimmed.isEmpty {
                names = configuration.defaultProfiles
            } else {
                names = trimmed.split(separator: ",").map { String($0).trimmedOfSpaces }.filter { !$0.isEmpty }
            }
        case .some:
            return .failure(InjectionFailure(.unknownProfile, "the \(Annotations.inject) annotation is not a string"))
        }
        // A pod names a profile or two: a scan of those already selected beats hashing.
        var profiles: [InjectionProfile] = []
        profiles.reserveCapacity(names.count)
        for name in names where !profiles.contains(where: { $0.name == name }) {
            guard let profile = configuration.profile(named: name) else {
                let known = configuration.profiles.map(\.name)
                return .failure(InjectionFailure(
                    .unknownProfile, "the pod's \(Annotations.inject) annotation names profile \"\(name)\", which the injection configuration does not define (defined: \(known.isEmpty ? "none" : known.joined(separator: ", "))); fix the annotation or add the profile"))
            }
            profiles.append(profile)
        }
        return .success(profiles)
    }

    /// `{"profiles":[...],"hash":"..."}`: which profiles were injected, and a hash of their
    /// definitions, so a pod injected under an older configuration can be recognised.
    static func statusValue(_ profiles: [InjectionProfile]) -> String {
        var hasher = FNV1a64()
        for profile in profiles { hasher.combine(profile.hash) }
        let status: JSONValue = .object(JSONObject([
            JSONMember(key: "profiles", value: .array(profiles.map { .string($0.name) })),
            JSONMember(key: "hash", value: .string(hasher.hex)),
        ]))
        return status.description
    }

    private func statusOperation(metadata: JSONValue?, annotations: JSONValue?, status: String) throws -> JSONPatchOperation {
        let annotation = JSONValue.object(JSONObject([JSONMember(key: Annotations.status, value: .string(status))]))
        guard let metadata, !metadata.isNull else {
            return .add(["metadata"], .object(JSONObject([JSONMember(key: "annotations", value: annotation)])))
        }
        guard let annotations, !annotations.isNull else {
            return .add(["metadata", "annotations"], annotation)
        }
        return .add(["metadata", "annotations", Annotations.status], .string(status))
    }

    // MARK: - Spec

    /// The operations on `spec`, in this order: init containers, volumes, then each targeted
    /// container's env and volume mounts. Empty when the pod already has everything.
    func specOperations(pod: JSONObject, profiles: [InjectionProfile], injected: inout InjectedParts) throws -> [JSONPatchOperation] {
        guard let spec = pod["spec"]?.objectValue else {
            throw InjectionFailure(.malformedPod, "the pod has no spec object")
        }
        guard let containers = spec["containers"]?.arrayValue else {
            throw InjectionFailure(.malformedPod, "the pod has no spec.containers list")
        }
        var containerNames: [String] = []
        containerNames.reserveCapacity(containers.count)
        for (index, container) in containers.enumerated() {
            guard let name = container["name"]?.stringValue else {
                throw InjectionFailure(.malformedPod, "spec.containers[\(index)] has no name")
            }
            containerNames.append(name)
        }
        var operations: [JSONPatchOperation] = []
        operations.reserveCapacity(8 + containers.count * 4)
        try initContainerOperations(spec: spec, appContainerNames: containerNames, profiles: profiles, injected: &injected, into: &operations)
        try volumeOperations(spec: spec, profiles: profiles, injected: &injected, into: &operations)
        // Most configurations target every container: then no per-container list of profiles.
        let allTargetEveryContainer = profiles.allSatisfy(\.targetsAllContainers)
        for (index, container) in containers.enumerated() {
            let targeting = allTargetEveryContainer ? profiles : profiles.filter { $0.targets(containerNamed: containerNames[index]) }
            if targeting.isEmpty { continue }
            let position = String(index)
            try envOperations(container: container, name: containerNames[index], position: position, profiles: targeting, into: &operations)
            try volumeMountOperations(
                container: container, name: containerNames[index], containerIndex: index, position: position, profiles: targeting,
                injected: &injected, into: &operations)
        }
        return operations
    }

    private func initContainerOperations(
        spec: JSONObject, appContainerNames: [String], profiles: [InjectionProfile], injected: inout InjectedParts,
        into operations: inout [JSONPatchOperation]
    ) throws {
        guard profiles.contains(where: { !$0.initContainers.isEmpty }) else { return }
        let existing = try list(spec["initContainers"], named: "spec.initContainers")
        let existingByName = try index(existing, by: "name", list: "spec.initContainers")
        // The configuration's init containers are few: a scanned list beats hashing here.
        var first: [JSONValue] = []
        var last: [JSONValue] = []
        var pending: [String] = []
        for (profileIndex, profile) in profiles.enumerated() {
            for (itemIndex, container) in profile.initContainers.enumerated() where !pending.contains(container.key) {
                if let index = existingByName[container.key], let existing {
                    if container.value.isContained(in: existing[index]) { continue }
                    throw InjectionFailure(
                        .injectionConflict, "the pod already has an init container named \"\(container.key)\" that differs from the one profile \"\(profile.name)\" injects; rename one of them")
                }
                if appContainerNames.contains(container.key) {
                    throw InjectionFailure(
                        .injectionConflict, "profile \"\(profile.name)\" injects an init container named \"\(container.key)\", the name of one of the pod's containers; rename one of them")
                }
                pending.append(container.key)
                injected.initContainers.append(.init(profile: profileIndex, index: itemIndex))
                switch profile.initContainerPosition {
                case .first: first.append(container.encoded)
                case .last: last.append(container.encoded)
                }
            }
        }
        if first.isEmpty && last.isEmpty { return }
        guard existing != nil else {
            operations.append(.add(["spec", "initContainers"], .array(first + last)))
            return
        }
        for (offset, container) in first.enumerated() {
            operations.append(.add(["spec", "initContainers", String(offset)], container))
        }
        for container in last {
            operations.append(.add(["spec", "initContainers", "-"], container))
        }
    }

    private func volumeOperations(
        spec: JSONObject, profiles: [InjectionProfile], injected: inout InjectedParts, into operations: inout [JSONPatchOperation]
    ) throws {
        guard profiles.contains(where: { !$0.volumes.isEmpty }) else { return }
        let existing = try list(spec["volumes"], named: "spec.volumes")
        let existingByName = try index(existing, by: "name", list: "spec.volumes")
        var added: [JSONValue] = []
        var pending: [String] = []
        for (profileIndex, profile) in profiles.enumerated() {
            for (itemIndex, volume) in profile.volumes.enumerated() where !pending.contains(volume.key) {
                if let index = existingByName[volume.key], let existing {
                    if volume.value.isContained(in: existing[index]) { continue }
                    throw InjectionFailure(
                        .injectionConflict, "the pod already has a volume named \"\(volume.key)\" that differs from the one profile \"\(profile.name)\" injects; rename one of them")
                }
                pending.append(volume.key)
                injected.volumes.append(.init(profile: profileIndex, index: itemIndex))
                added.append(volume.encoded)
            }
        }
        appendOperations(added, existing: existing, path: { $0.map { ["spec", "volumes", $0] } ?? ["spec", "volumes"] }, into: &operations)
    }

    private func envOperations(
        container: JSONValue, name: String, position: String, profiles: [InjectionProfile], into operations: inout [JSONPatchOperation]
    ) throws {
        guard profiles.contains(where: { !$0.env.isEmpty }) else { return }
        let existing = try list(container["env"], named: "container \"\(name)\" env")
        let existingByName = try index(existing, by: "name", list: "container \"\(name)\" env")
        var replacements: [(index: Int, value: JSONValue)] = []
        var added: [JSONValue] = []
        added.reserveCapacity(profiles.count == 1 ? profiles[0].env.count : 16)
        // Only needed when two selected profiles set the same variable; most reviews select one.
        let mayRepeat = profiles.count > 1
        var addedByName = NameIndex()
        for profile in profiles {
            for variable in profile.env {
                if let index = existingByName[variable.key], let existing {
                    guard profile.overrideEnv else { continue }
                    if mayRepeat, let position = replacements.firstIndex(where: { $0.index == index }) {
                        replacements[position].value = variable.encoded
                    } else if !variable.value.isContained(in: existing[index]) {
                        replacements.append((index, variable.encoded))
                    }
                } else if mayRepeat, let position = addedByName[variable.key] {
                    if profile.overrideEnv { added[position] = variable.encoded }
                } else {
                    if mayRepeat { addedByName.insert(variable.key, at: added.count) }
                    added.append(variable.encoded)
                }
            }
        }
        for replacement in replacements {
            operations.append(.replace(Self.containerPath(position, "env", String(replacement.index)), replacement.value))
        }
        appendOperations(added, existing: existing, path: { Self.containerPath(position, "env", $0) }, into: &operations)
    }

    private func volumeMountOperations(
        container: JSONValue, name: String, containerIndex: Int, position: String, profiles: [InjectionProfile],
        injected: inout InjectedParts, into operations: inout [JSONPatchOperation]
    ) throws {
        guard profiles.contains(where: { !$0.volumeMounts.isEmpty }) else { return }
        let existing = try list(container["volumeMounts"], named: "container \"\(name)\" volumeMounts")
        let existingByPath = try index(existing, by: "mountPath", list: "container \"\(name)\" volumeMounts")
        var added: [JSONValue] = []
        var pendingVolumeByPath: [String: String] = [:]
        for profile in profiles {
            // `profiles` may be the subset targeting this container; the record points into all selected.
            guard let profileIndex = injected.profiles.firstIndex(where: { $0.name == profile.name }) else {
                throw InjectionFailure(.internalError, "profile \"\(profile.name)\" targets container \"\(name)\" but was not selected; this is a kube-injector bug")
            }
            for (itemIndex, mount) in profile.volumeMounts.enumerated() {
                let volume = mount.value["name"]?.stringValue ?? ""
                if let index = existingByPath[mount.key], let existing {
                    let existingVolume = existing[index]["name"]?.stringValue ?? ""
                    if existingVolume == volume { continue }
                    throw InjectionFailure(
                        .injectionConflict, "container \"\(name)\" already mounts volume \"\(existingVolume)\" at \(mount.key), where profile \"\(profile.name)\" mounts \"\(volume)\"; change one of the mountPaths")
                }
                if let pendingVolume = pendingVolumeByPath[mount.key] {
                    if pendingVolume == volume { continue }
                    throw InjectionFailure(
                        .injectionConflict, "the selected profiles mount both \"\(pendingVolume)\" and \"\(volume)\" at \(mount.key) in container \"\(name)\"; change one of the mountPaths")
                }
                pendingVolumeByPath[mount.key] = volume
                added.append(mount.encoded)
                injected.mounts.append((containerIndex, .init(profile: profileIndex, index: itemIndex)))
            }
        }
        appendOperations(added, existing: existing, path: { Self.containerPath(position, "volumeMounts", $0) }, into: &operations)
    }

    /// A missing list is created with everything in one `add`; an existing one is appended to.
    /// `path(last)` gives the list's tokens, then `last` when given (`-` to append): each
    /// pointer's token array is built whole, once, and only when something is added.
    private func appendOperations(
        _ values: [JSONValue], existing: [JSONValue]?, path: (String?) -> [String], into operations: inout [JSONPatchOperation]
    ) {
        if values.isEmpty { return }
        guard existing != nil else {
            operations.append(.add(path(nil), .array(values)))
            return
        }
        let end = JSONPointer(tokens: path("-"))  // one token array shared by every append
        for value in values {
            operations.append(JSONPatchOperation(op: .add, path: end, value: value))
        }
    }

    /// `/spec/containers/<position>/<field>`, then `last` when given.
    private static func containerPath(_ position: String, _ field: String, _ last: String?) -> [String] {
        if let last { return ["spec", "containers", position, field, last] }
        return ["spec", "containers", position, field]
    }

    /// A list field of the pod: nil when absent or null, a failure when it is something else.
    private func list(_ value: JSONValue?, named name: @autoclosure () -> String) throws -> [JSONValue]? {
        switch value {
        case nil, .null?: return nil
        case .array(let array)?: return array
        case .some: throw InjectionFailure(.malformedPod, "the pod's \(name()) is not a list")
        }
    }

    /// Position of each entry by one of its string fields; entries without it are not indexed
    /// (the API server's validation, not ours, answers for those).
    private func index(_ list: [JSONValue]?, by key: String, list name: @autoclosure () -> String) throws -> NameIndex {
        guard let list else { return NameIndex() }
        var positions = NameIndex(capacity: list.count)
        for (position, entry) in list.enumerated() {
            guard let object = entry.objectValue else {
                throw InjectionFailure(.malformedPod, "an entry of the pod's \(name()) is not an object")
            }
            if let value = object[key]?.stringValue { positions.insert(value, at: position) }
        }
        return positions
    }

    // MARK: - Self-check

    /// Applies the patch to the pod with our own RFC 6902 implementation and checks the
    /// result: every operation's value is where it says (an append at the end of its list, in
    /// order) and the status annotation is set. The API server rejects a pod whose patch does
    /// not apply, whatever the failurePolicy, so a patch that fails here is never sent.
    /// Lists appended to that the self-check finds by a scan; past this many it hashes them.
    private static let scannedListLimit = 16

    private func selfCheck(_ operations: [JSONPatchOperation], pod patched: inout JSONValue, status: String) throws {
        do {
            try JSONPatch(operations).applyInPlace(to: &patched)
        } catch {
            throw InjectionFailure(.patchSelfCheck, "the patch kube-injector built does not apply to the pod (\(error)); this is a kube-injector bug, please report it with the pod spec")
        }
        // Walk backwards so each append's place can be counted from the end of its list.
        // Appends to one list are contiguous in the patch, so the previous list is checked
        // first; a list not seen before is looked up among the others, scanned while they are
        // few and hashed beyond that, since a pod with thousands of containers has an env list
        // each and a scan per list would make the check quadratic in the containers.
        var appendsAfter: [(list: ArraySlice<String>, count: Int)] = []
        var appendsAfterByList: [ArraySlice<String>: Int]?
        // The list the previous append went to: appends to one list share their token array.
        var lookedUpTokens: [String] = []
        var lookedUpList: [JSONValue]?
        for operation in operations.reversed() {
            guard let value = operation.value else { continue }
            var landed = false
            if operation.path.tokens.last == "-" {
                let list = operation.path.tokens.dropLast()
                let fromEnd: Int
                let position: Int?
                if let previous = appendsAfter.last, previous.list == list {
                    position = appendsAfter.count - 1
                } else if let appendsAfterByList {
                    position = appendsAfterByList[list]
                } else {
                    position = appendsAfter.lastIndex(where: { $0.list == list })
                }
                if let position {
                    fromEnd = appendsAfter[position].count
                    appendsAfter[position].count += 1
                } else {
                    fromEnd = 0
                    appendsAfterByList?[list] = appendsAfter.count
                    appendsAfter.append((list, 1))
                    if appendsAfterByList == nil && appendsAfter.count > Self.scannedListLimit {
                        var byList = [ArraySlice<String>: Int](minimumCapacity: appendsAfter.count * 2)
                        for (position, entry) in appendsAfter.enumerated() { byList[entry.list] = position }
                        appendsAfterByList = byList
                    }
                }
                if operation.path.tokens != lookedUpTokens {
                    lookedUpTokens = operation.path.tokens
                    lookedUpList = try? JSONPatch.value(at: list, of: operation.path, in: patched).arrayValue
                }
                if let array = lookedUpList, array.count > fromEnd {
                    landed = array[array.count - 1 - fromEnd] == value
                }
            } else if let actual = try? JSONPatch.value(at: operation.path, in: patched) {
                landed = actual == value
            }
            guard landed else {
                throw InjectionFailure(.patchSelfCheck, "the patched pod does not hold what the patch added at \(operation.path); this is a kube-injector bug, please report it with the pod spec")
            }
        }
        guard patched["metadata"]?["annotations"]?[Annotations.status]?.stringValue == status else {
            throw InjectionFailure(.patchSelfCheck, "the patched pod lacks the \(Annotations.status) annotation; this is a kube-injector bug")
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (annotation values are typed by hand).
    var trimmedOfSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
