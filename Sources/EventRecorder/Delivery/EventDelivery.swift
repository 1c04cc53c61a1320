// Delivery: one write of an Event to the API server, with retries (this state machine), the sink
// that sends it, and how a correlated Event becomes a core/v1 Event.

import KubeClient

/// The life of one write of an Event to the API server, as a plain state machine: it decides,
/// the worker acts (sends the create or PATCH, sleeps the backoff) and reports back. Kept pure
/// so every path (PATCH target gone, retry after 429, give up after the last try, refusal) is
/// tested without a network.
struct EventDelivery: Sendable {
    enum State: Sendable, Equatable {
        /// Nothing sent yet.
        case new(Operation)
        /// A create or PATCH is on the wire; `attempt` counts from 1.
        case writing(Operation, attempt: Int)
        /// Waiting out a backoff before sending `operation` again.
        case retrying(Operation, attempt: Int)
        case delivered(AggregatedEvent)
        case givenUp(GiveUp)
    }

    enum Operation: Sendable, Equatable {
        case create(AggregatedEvent)
        case patch(AggregatedEvent)

        var event: AggregatedEvent {
            switch self {
            case .create(let event), .patch(let event): return event
            }
        }
    }

    enum GiveUp: Sendable, Equatable {
        /// The API server refused the Event; retrying would not help.
        case refused(detail: String)
        /// Every try failed with a retryable error.
        case exhausted(tries: Int, lastError: String)
    }

    enum Action: Sendable, Equatable {
        case send(Operation)
        case wait(Duration)
        /// Done: the API server holds the event.
        case succeeded(AggregatedEvent)
        /// Done: log and count, do not retry.
        case failed(GiveUp)
        /// The event was reported already; nothing more to do.
        case none
    }

    private(set) var state: State
    let policy: RetryPolicy

    init(_ operation: Operation, policy: RetryPolicy) {
        self.state = .new(operation)
        self.policy = policy
    }

    /// The attempt under way or just failed, from 1.
    var attempt: Int {
        switch state {
        case .writing(_, let attempt), .retrying(_, let attempt): return attempt
        default: return 0
        }
    }

    mutating func start() -> Action {
        guard case .new(let operation) = state else { return .none }
        state = .writing(operation, attempt: 1)
        return .send(operation)
    }

    mutating func writeSucceeded() -> Action {
        guard case .writing(let operation, _) = state else { return .none }
        state = .delivered(operation.event)
        return .succeeded(operation.event)
    }

    /// `jitter` in 0..<1 comes from the worker's random source, keeping this type deterministic.
    mutating func writeFailed(_ failure: WriteFailure, jitter: Double) -> Action {
        guard case .writing(let operation, let attempt) = state else { return .none }
        switch failure {
        case .notFound:
            guard case .patch(let event) = operation else {
                // A create answered 404: the namespace is gone; nothing to retry.
                return giveUp(.refused(detail: "the namespace \(operation.event.namespace) was not found"))
            }
            // The Event expired since it was written: create it again, same name, same count.
            let recreate = Operation.create(event)
            state = .writing(recreate, attempt: attempt)
            return .send(recreate)
        case .refused(let detail):
            return giveUp(.refused(detail: detail))
        case .retryable(let retryAfter, let detail):
            guard policy.allowsRetry(afterAttempt: attempt) else {
                return giveUp(.exhausted(tries: attempt, lastError: detail))
            }
            state = .retrying(operation, attempt: attempt)
            return .wait(policy.delay(afterAttempt: attempt, random: jitter, retryAfter: retryAfter))
        }
    }

    mutating func backoffElapsed() -> Action {
        guard case .retrying(let operation, let attempt) = state else { return .none }
        state = .writing(operation, attempt: attempt + 1)
        return .send(operation)
    }

    private mutating func giveUp(_ reason: GiveUp) -> Action {
        state = .givenUp(reason)
        return .failed(reason)
    }
}
