/// A core/v1 Event: what `kubectl describe` shows under "Events" for the involved object.
public struct Event: Codable, Sendable, Equatable, KubernetesObject {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String?
    public var message: String?
    /// "Normal" or "Warning".
    public var type: String?
    public var source: EventSource?
    /// RFC 3339, second precision (`KubernetesTimestamp.time`).
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var count: Int?
    /// MicroTime (`KubernetesTimestamp.microTime`); optional for core/v1 Events.
    public var eventTime: String?
    public var action: String?
    public var reportingComponent: String?
    public var reportingInstance: String?
    /// Set by events.k8s.io/v1 writers (and shown in the core/v1 view) for an Event that recurs: they count
    /// repeats here and may leave `count` unset.
    public var series: EventSeries?

    /// How many times it happened, whichever API wrote it: the larger of `count` and `series.count`, at least 1.
    public var occurrences: Int {
        max(count ?? 0, series?.count ?? 0, 1)
    }

    /// When it last happened: series.lastObservedTime, lastTimestamp, eventTime, in that order.
    public var lastOccurrence: String? {
        series?.lastObservedTime ?? lastTimestamp ?? eventTime
    }

    public init(metadata: ObjectMeta, involvedObject: ObjectReference, reason: String? = nil, message: String? = nil,
                type: String? = nil, source: EventSource? = nil, firstTimestamp: String? = nil,
                lastTimestamp: String? = nil, count: Int? = nil, eventTime: String? = nil, action: String? = nil,
                reportingComponent: String? = nil, reportingInstance: String? = nil) {
        self.apiVersion = "v1"
        self.kind = "Event"
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.source = source
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.count = count
        self.eventTime = eventTime
        self.action = action
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
    }
}
