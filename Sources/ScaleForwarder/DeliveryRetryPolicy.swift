#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient

/// When to try a sink again: network errors, 429 and 5xx are retried with jittered exponential
/// backoff (a 429's Retry-After is honoured, up to `maximumRetryAfter`); any other status is final.
public struct DeliveryRetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maximumAttempts: Int = 6
    public var initialBackoff: Duration = .milliseconds(500)
    public var maximumBackoff: Duration = .seconds(30)
    /// Each wait is drawn from [backoff * (1 - jitter), backoff].
    public var jitter: Double = 0.5
    /// A Retry-After beyond this is cut to it, so one sink cannot park a scale for hours.
    public var maximumRetryAfter: Duration = .seconds(120)

    public init() {}

    /// How one attempt ended.
    public enum Outcome: Sendable, Equatable {
        case status(Int, retryAfter: Duration?)
        case transportError(String)
    }

    public enum Decision: Sendable, Equatable {
        case delivered
        case retry(after: Duration)
        case giveUp(reason: String)
    }

    /// `attempt` counts from 1; `random` is a number in [0, 1) for the jitter.
    public func decide(_ outcome: Outcome, attempt: Int, random: Double) -> Decision {
        let why: String
        var retryAfter: Duration?
        switch outcome {
        case .status(let code, _) where (200..<300).contains(code):
            return .delivered
        case .status(429, let after):
            why = "HTTP 429 Too Many Requests"
            retryAfter = after
        case .status(let code, _) where (500..<600).contains(code):
            why = "HTTP \(code)"
        case .status(let code, _):
            return .giveUp(reason: "the sink answered HTTP \(code), which is not retried")
        case .transportError(let message):
            why = message
        }
        guard attempt < maximumAttempts else {
            return .giveUp(reason: "\(why) after \(attempt) attempts")
        }
        if let retryAfter {
            return .retry(after: min(retryAfter, maximumRetryAfter))
        }
        return .retry(after: backoff(attempt: attempt, random: random))
    }

    func backoff(attempt: Int, random: Double) -> Duration {
        let doubling = Double(sign: .plus, exponent: max(attempt - 1, 0), significand: 1)   // 2^(attempt-1), exactly
        let base = min(initialBackoff.seconds * doubling, maximumBackoff.seconds)
        let factor = 1 - jitter * min(max(random, 0), 1)
        return .milliseconds(Int64((base * factor * 1000).rounded()))
    }

    /// Reads a Retry-After header: delay-seconds or an HTTP date.
    public static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingWhitespace()
        if let seconds = Int64(trimmed) {
            return seconds >= 0 ? .seconds(seconds) : nil
        }
        guard let date = HTTPDate.parse(trimmed) else { return nil }
        let delay = max(date.timeIntervalSince(now), 0)
        return .milliseconds(Int64((delay * 1000).rounded()))
    }
}
