/// One line of a watch stream, decoded.
public enum WatchEvent<T: Sendable>: Sendable {
    case added(T)
    case modified(T)
    case deleted(T)
    /// Only a resourceVersion to resume from; the server sends these when `allowWatchBookmarks` is set.
    case bookmark(resourceVersion: String)
    /// The server ended the watch with a Status; code 410 means the resourceVersion is too old: relist.
    case error(Status)
}
