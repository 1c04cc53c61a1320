/// What the cluster's own admission would make of an injected pod.
enum ClusterAdmissionVerdict {
    /// Nothing in the namespace stands in the way (or no cluster state is given at all).
    case admissible
    /// A cluster is known but this namespace is not in it yet: inject as before, and count it.
    case unknownNamespace
    /// The API server would refuse the pod with the injection, and not without it.
    case refused(InjectionFailure)
}
