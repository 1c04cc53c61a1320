/// What a Pod Security violation is about: the pod's own fields, one container, or one volume.
/// The admission core compares subjects to tell the injection's violations from the pod's own.
public enum PodSecuritySubject: Sendable, Hashable, CustomStringConvertible {
    case pod
    case container(kind: ContainerKind, name: String)
    case volume(name: String)

    public enum ContainerKind: String, Sendable, Hashable {
        case container
        case initContainer = "init container"
        case ephemeralContainer = "ephemeral container"
    }

    public var description: String {
        switch self {
        case .pod: return "pod"
        case .container(let kind, let name): return "\(kind.rawValue) \(name)"
        case .volume(let name): return "volume \(name)"
        }
    }
}
