/// Where a profile's init containers go among the pod's own.
public enum InitContainerPosition: String, Sendable {
    /// Before the pod's init containers.
    case first
    /// After them (the default: the pod's own ordering, e.g. a mesh's network set-up, runs first).
    case last
}
