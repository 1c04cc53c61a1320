import KubernetesAPI

/// Whose writes the spam filter limits: the involved object and the reason. The message is left
/// out on purpose, so varying messages cannot dodge the limit.
struct SpamFilterKey: Hashable, Sendable {
    var involvedObject: ObjectIdentity
    var reason: String

    init(involvedObject: ObjectIdentity, reason: String) {
        self.involvedObject = involvedObject
        self.reason = reason
    }

    init(_ event: EventAggregationKey) {
        self.init(involvedObject: event.involvedObject, reason: event.reason)
    }
}
