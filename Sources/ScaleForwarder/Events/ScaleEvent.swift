// Events: what a scale is, and the HPAs it is read against (the annotation naming the sink,
// the scale target).

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One scale of a HorizontalPodAutoscaler, as the body template sees it: one increment of the
/// `count` of an HPA controller Event.
public struct ScaleEvent: Sendable, Equatable {
    /// The Event's uid and the count this scale stands for: together they name the scale once.
    public var eventUID: String
    public var count: Int
    public var namespace: String
    /// The HorizontalPodAutoscaler's name.
    public var name: String
    /// The HPA's scale target as `Kind/name` (as `kubectl get hpa` shows it); empty when unknown.
    public var target: String
    /// The Event's reason: `SuccessfulRescale` or `FailedRescale`.
    public var eventReason: String
    /// The Event's message, e.g. "New size: 3; reason: cpu resource utilization (percentage of request) above target".
    public var message: String
    /// When the scale happened: the Event's lastTimestamp (or eventTime, or firstTimestamp).
    public var time: Date

    public init(eventUID: String, count: Int, namespace: String, name: String, target: String,
                eventReason: String, message: String, time: Date) {
        self.eventUID = eventUID
        self.count = count
        self.namespace = namespace
        self.name = name
        self.target = target
        self.eventReason = eventReason
        self.message = message
        self.time = time
    }

    /// Names this scale and no other, the same on every send (retries, a new leader's resend): the Event's
    /// uid and the count, so a sink that de-duplicates on it drops the resend.
    public var eventID: String {
        "\(eventUID)-\(count)"
    }

    /// The new replica count the HPA controller wrote into the message ("New size: 3; ..."), if any.
    public var newSize: Int? {
        guard let field = Self.field("New size", in: message) else { return nil }
        return Int(field)
    }

    /// Why the HPA scaled, from the message ("reason: cpu resource utilization ... above target"),
    /// else the Event's reason.
    public var scaleReason: String {
        Self.field("reason", in: message) ?? eventReason
    }

    /// The HPA controller writes `New size: %d; reason: %s` (and `; error: %v` on failure).
    private static func field(_ name: String, in message: String) -> String? {
        for part in message.split(separator: ";") {
            let trimmed = part.trimmingWhitespace()
            let prefix = name + ":"
            if trimmed.hasPrefix(prefix) {
                return trimmed.dropFirst(prefix.count).trimmingWhitespace()
            }
        }
        return nil
    }
}
