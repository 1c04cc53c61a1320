/// What a Reflector hands its caller: the full set after every (re)list, then changes one by one.
public enum ReflectorDelta<T: Sendable>: Sendable {
    /// Replace your cache with these: a list just completed (first start, or after 410 Gone).
    case listed([T])
    case added(T)
    case modified(T)
    case deleted(T)
}
