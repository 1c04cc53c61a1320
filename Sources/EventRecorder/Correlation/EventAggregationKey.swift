import KubernetesAPI

/// Which Event an occurrence counts towards: occurrences with the same object, type, reason and
/// message are one Event on the API server, its `count` raised rather than a new Event written.
struct EventAggregationKey: Hashable, Sendable {
    var involvedObject: ObjectIdentity
    var type: EventType
    var reason: String
    var message: String
}
