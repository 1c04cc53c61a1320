#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubernetesAPI

/// A scale waiting in its sink's queue, with what is needed to report on it.
struct PendingScale: Sendable {
    var scale: ScaleEvent
    var sink: SinkReference
    /// The HPA the Event is about: where a failure is reported.
    var hpa: ObjectIdentity
    /// The Event's lastTimestamp, kept in the checkpoint with the count.
    var lastTimestamp: Date
}
