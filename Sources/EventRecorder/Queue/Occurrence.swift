#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubernetesAPI

/// Identical calls of `record`, coalesced while they wait for the worker: what happened, how
/// often, and when first and last. A storm of one failure is one of these with a large count.
struct Occurrence: Sendable {
    enum Subject: Sendable {
        /// A pod failure: the worker finds the owning controller.
        case pod(FailureReport)
        /// An Event about this object directly (the forwarder's HPA).
        case object(ObjectIdentity)
    }

    /// What makes two calls of `record` the same occurrence before the owner is known: the key
    /// correlation uses, with the pod's owner reference standing in for the owner.
    enum Key: Hashable, Sendable {
        case pod(PodFailureKey)
        case object(EventAggregationKey)
    }

    var subject: Subject
    var type: EventType
    var reason: String
    /// Already cut to the message limit.
    var message: String
    /// How many calls of `record` this stands for (at least 1).
    var count: Int
    var firstTimestamp: Date
    var lastTimestamp: Date

    init(subject: Subject, type: EventType, reason: String, message: String, timestamp: Date, count: Int = 1) {
        self.subject = subject
        self.type = type
        self.reason = reason
        self.message = message
        self.count = count
        firstTimestamp = timestamp
        lastTimestamp = timestamp
    }

    var key: Key {
        switch subject {
        case .pod(let failure):
            return .pod(PodFailureKey(failure, message: message))
        case .object(let object):
            return .object(EventAggregationKey(involvedObject: object, type: type, reason: reason, message: message))
        }
    }

    /// One more identical call, at `timestamp`.
    mutating func repeated(at timestamp: Date) {
        count += 1
        firstTimestamp = min(firstTimestamp, timestamp)
        lastTimestamp = max(lastTimestamp, timestamp)
    }
}
