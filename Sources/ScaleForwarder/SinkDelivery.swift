#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient
import Metrics

/// Sends one rendered request to a sink over libcurl, retrying as `DeliveryRetryPolicy` says.
/// Cancellation (leadership lost, shutdown) ends it at once without a verdict.
struct SinkDelivery: Sendable {
    enum Result: Sendable, Equatable {
        case delivered(attempts: Int)
        case failed(reason: String, attempts: Int)
        case cancelled
    }

    let transport: HTTPTransport
    let policy: DeliveryRetryPolicy
    let timeout: Duration
    let certificateAuthorityPEM: String?
    let metrics: ScaleForwarderMetrics

    func send(_ request: SinkRequest) async -> Result {
        let started = ContinuousClock.now
        var attempt = 1
        while true {
            if Task.isCancelled { return .cancelled }
            let outcome: DeliveryRetryPolicy.Outcome
            do {
                let response = try await transport.send(HTTPRequest(
                    method: "POST", url: request.url, headers: request.headers, body: request.body,
                    timeout: timeout, certificateAuthorityPEM: certificateAuthorityPEM))
                let retryAfter = response.headers["retry-after"].flatMap {
                    DeliveryRetryPolicy.parseRetryAfter($0, now: Date())
                }
                outcome = .status(response.status, retryAfter: retryAfter)
            } catch {
                if Task.isCancelled { return .cancelled }
                outcome = .transportError(Self.describe(error))
            }
            switch policy.decide(outcome, attempt: attempt, random: Double.random(in: 0..<1)) {
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
