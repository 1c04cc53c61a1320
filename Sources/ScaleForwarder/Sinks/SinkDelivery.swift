// Sinks: where scales go. The `hpa-event` annotation's reference, the Secret it names (url,
// headers, body template), and sending a scale there with retries.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient
import Metrics

/// Sends one rendered request to a sink over libcurl: network errors, 429 and 5xx are retried as the
/// `RetryPolicy` says (a Retry-After honoured up to its limit); any other status is final.
/// Cancellation (leadership lost, shutdown) ends it at once without a verdict.
struct SinkDelivery: Sendable {
    enum Result: Sendable, Equatable {
        case delivered(attempts: Int)
        case failed(reason: String, attempts: Int)
        case cancelled
    }

    /// How one attempt ended.
    enum Outcome: Sendable, Equatable {
        case status(Int, retryAfter: Duration?)
        case transportError(String)
    }

    enum Decision: Sendable, Equatable {
        case delivered
        case retry(after: Duration)
        case giveUp(reason: String)
    }

    let transport: HTTPTransport
    let policy: RetryPolicy
    let timeout: Duration
    let certificateAuthorityPEM: String?
    let metrics: ScaleForwarderMetrics

    func send(_ request: SinkRequest) async -> Result {
        let started = ContinuousClock.now
        var attempt = 1
        while true {
            if Task.isCancelled { return .cancelled }
            let outcome: Outcome
            do {
                let response = try await transport.send(HTTPRequest(
                    method: "POST", url: request.url, headers: request.headers, body: request.body,
                    timeout: timeout, certificateAuthorityPEM: certificateAuthorityPEM))
                let retryAfter = response.headers["retry-after"].flatMap {
                    RetryAfter.parse($0, now: Date())
                }
                outcome = .status(response.status, retryAfter: retryAfter)
            } catch {
                if Task.isCancelled { return .cancelled }
                outcome = .transportError(Self.describe(error))
            }
            switch Self.decide(outcome, attempt: attempt, policy: policy, random: Double.random(in: 0..<1)) {
            case .delivered:
                metrics.deliveryLatency.recordInterval(since: started)
                return .delivered(attempts: attempt)
            case .giveUp(let reason):
                return .failed(reason: reason, attempts: attempt)
            case .retry(let delay):
                metrics.retried.increment()
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    return .cancelled
                }
                attempt += 1
            }
        }
    }

    /// What to do after attempt number `attempt` (from 1); `random` in 0...1 for the jitter.
    static func decide(_ outcome: Outcome, attempt: Int, policy: RetryPolicy, random: Double) -> Decision {
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
        guard policy.allowsRetry(afterAttempt: attempt) else {
            return .giveUp(reason: "\(why) after \(attempt) attempts")
        }
        return .retry(after: policy.delay(afterAttempt: attempt, random: random, retryAfter: retryAfter))
    }

    /// Transport errors name the host and the failure, never a header.
    private static func describe(_ error: Error) -> String {
        if case KubernetesError.transport(let message) = error { return message }
        return String(describing: error)
    }
}

extension Metrics.Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
