#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decides which failed requests are logged: the first of each (resource, verb, code) at once, then at most
/// one per interval, carrying the count of those left out since. A dead API server thus says so within a
/// request and keeps saying so, without a line per retry. Pure, so the rule is tested on its own.
struct APIServerFailureLog: Sendable {
    struct Key: Hashable, Sendable {
        var resource: String
        var verb: String
        /// The HTTP status, or "error" for a transport failure.
        var code: String
    }

    enum Decision: Equatable, Sendable {
        case log(suppressedSince: Int)
        case suppress
    }

    private struct Entry {
        var loggedAt: ContinuousClock.Instant
        var suppressed: Int
    }

    let interval: Duration
    /// Distinct keys remembered; beyond this the oldest are forgotten (and would log again).
    let capacity: Int
    private var entries: [Key: Entry] = [:]

    init(interval: Duration, capacity: Int = 512) {
        self.interval = interval
        self.capacity = max(1, capacity)
    }

    mutating func failed(_ key: Key, now: ContinuousClock.Instant) -> Decision {
        if var entry = entries[key], now - entry.loggedAt < interval {
            entry.suppressed += 1
            entries[key] = entry
            return .suppress
        }
        let suppressed = entries[key]?.suppressed ?? 0
        if entries[key] == nil, entries.count >= capacity,
           let oldest = entries.min(by: { $0.value.loggedAt < $1.value.loggedAt })?.key {
            entries[oldest] = nil
        }
        entries[key] = Entry(loggedAt: now, suppressed: 0)
        return .log(suppressedSince: suppressed)
    }

    /// Whether a failure with this code is news to a person: 404, 409 and 410 are how the API server answers
    /// routine questions (is the Lease there, was it changed, is this resourceVersion too old) and are only
    /// counted.
    static func isWorthLogging(code: Int?) -> Bool {
        guard let code else { return true }
        return ![404, 409, 410].contains(code) && code >= 400
    }

    /// The line a person reads: what was asked, what came back, and what to do about it.
    static func message(for target: APIRequestTarget, error: KubernetesError) -> String {
        switch error {
        case .namespaceTerminating:
            return "forbidden: cannot \(target.verb) \(target.resource)\(where_(target)): the namespace is being deleted"
        case .forbidden:
            return "forbidden: cannot \(target.verb) \(target.resource)\(where_(target)): add it to the chart's RBAC"
        case .unauthorized:
            return "unauthorized: the API server did not accept our credentials to \(target.verb) \(target.resource)\(where_(target)): check the service account token (expired or revoked?)"
        case .transport(let detail):
            return "API server unreachable: \(target): \(detail)"
        case .tooManyRequests(let retryAfter, _):
            return "API server throttled \(target) (429\(retryAfter.map { ", retry after \($0)" } ?? ""))"
        default:
            return "API server answered \(error.code ?? 0) to \(target): \(error.status?.message ?? "no message")"
        }
    }

    private static func where_(_ target: APIRequestTarget) -> String {
        target.namespace.map { " in namespace \($0)" } ?? " in all namespaces"
    }
}
