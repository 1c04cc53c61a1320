import Synchronization
import Logging

/// Makes every drop visible in the log without letting a storm of drops become a storm of log
/// lines: the first drop is logged at once, later ones at most once per interval as counts by why.
final class DropLog: Sendable {
    private let logger: Logger
    private let interval: Duration
    private let clock = ContinuousClock()

    private struct State {
        var lastLogged: ContinuousClock.Instant?
        var unlogged: [DropReason: Int] = [:]
    }

    // Held only to add and swap, never while logging.
    private let state = Mutex(State())

    init(logger: Logger, interval: Duration) {
        self.logger = logger
        self.interval = interval
    }

    func note(_ why: DropReason, count: Int = 1) {
        let now = clock.now
        let interval = self.interval
        let due: [DropReason: Int]? = state.withLock { state in
            state.unlogged[why, default: 0] += count
            if let lastLogged = state.lastLogged, now - lastLogged < interval { return nil }
            state.lastLogged = now
            defer { state.unlogged = [:] }
            return state.unlogged
        }
        guard let due else { return }
        let summary = due.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " ")
        logger.warning("Kubernetes Events dropped; see kube_injector_events_dropped_total",
                       metadata: ["dropped": "\(summary)", "logInterval": "\(interval)"])
    }

    /// Logs whatever is still unlogged; called when the recorder stops.
    func flush() {
        let due = state.withLock { state -> [DropReason: Int] in
            defer { state.unlogged = [:] }
            return state.unlogged
        }
        guard !due.isEmpty else { return }
        let summary = due.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " ")
        logger.warning("Kubernetes Events dropped; see kube_injector_events_dropped_total",
                       metadata: ["dropped": "\(summary)"])
    }
}
