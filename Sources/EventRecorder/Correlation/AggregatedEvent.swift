#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One Event as the correlator means it to be on the API server: which object, what happened,
/// under which name, how often and when. The worker turns it into a core/v1 Event.
struct AggregatedEvent: Sendable, Equatable {
    var key: EventAggregationKey
    /// metadata.name: `<involved object name>.<hex nanoseconds>`, as client-go names Events.
    var name: String
    var count: Int
    var firstTimestamp: Date
    var lastTimestamp: Date

    /// Where the Event is written: the object's own namespace, or `default` for a cluster-scoped
    /// object such as a Namespace (as kubectl and client-go do).
    var namespace: String {
        key.involvedObject.namespace.isEmpty ? "default" : key.involvedObject.namespace
    }
}
