/// What one injection added to a pod, recorded by the `Injector` as it plans the patch, so the
/// per-pod check (`PodAdmissibility`) looks only at what the injection touched.
struct InjectedParts: Sendable {
    /// Init containers added (not those the pod already carried).
    var initContainers: [ConfiguredObject] = []
    /// Names of the volumes added.
    var volumes: [String] = []
    /// For each app container given volume mounts: its position in `spec.containers` and the mounts added.
    var containerMounts: [(position: Int, mounts: [ConfiguredObject])] = []
}
