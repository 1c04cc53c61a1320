/// What one injection added to a pod, recorded by the `Injector` as it plans the patch, so the
/// per-pod check (`PodAdmissibility`) looks only at what the injection touched. Entries point
/// into the selected profiles by position: recording them costs no copy of a configured object.
struct InjectedParts: Sendable {
    /// One configured object: `profiles[profile]`'s list entry at `index`.
    struct Item: Sendable, Equatable {
        var profile: Int
        var index: Int
    }

    /// The profiles the pod was given, in the order the items' `profile` refers to.
    var profiles: [InjectionProfile] = []
    /// Init containers added (not those the pod already carried), in the order the profiles list them.
    var initContainers: [Item] = []
    /// Volumes added.
    var volumes: [Item] = []
    /// Volume mounts added, each with the position of its app container in `spec.containers`,
    /// grouped by container.
    var mounts: [(container: Int, item: Item)] = []

    func initContainer(_ item: Item) -> ConfiguredObject { profiles[item.profile].initContainers[item.index] }
    func volume(_ item: Item) -> ConfiguredObject { profiles[item.profile].volumes[item.index] }
    func mount(_ item: Item) -> ConfiguredObject { profiles[item.profile].volumeMounts[item.index] }
}
