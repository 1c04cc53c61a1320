/// The component that reported an Event (core/v1 EventSource).
public struct EventSource: Codable, Sendable, Equatable {
    public var component: String?
    public var host: String?

    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}
