/// core/v1 Event `type`: Kubernetes knows only these two.
public enum EventType: String, Sendable, Hashable, CaseIterable {
    case normal = "Normal"
    case warning = "Warning"
}
