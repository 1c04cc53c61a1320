/// core/v1 EventSeries: repeats of an Event as events.k8s.io/v1 writers record them.
public struct EventSeries: Codable, Sendable, Equatable {
    public var count: Int?
    /// MicroTime.
    public var lastObservedTime: String?

    public init(count: Int? = nil, lastObservedTime: String? = nil) {
        self.count = count
        self.lastObservedTime = lastObservedTime
    }
}
