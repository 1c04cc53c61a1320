import Foundation
import Logging

/// Makes every drop visible in the log without letting a storm of drops become a storm of log
/// lines: the first drop is logged at once, later ones at most once per interval as counts by why.
final class DropLog: @unchecked Sendable {
    private let logger: Logger
    private let interval: Duration
    private let clock = ContinuousClock()

    // Guards the fields below; held only to add and swap, never while logging.
    private let lock = NSLock()
    private var lastLogged: ContinuousClock.Instant?
    private var unlogged: [DropReason: Int] = [:]

    init(logger: Logger, interval: Duration) {
        self.logger = logger
        self.interval = interval
    }

    func note(_ why: DropReason, count: Int = 1) {
        let now = clock.now
        let due: [DropReason: Int]? = lock.withLock {
            unlogged[why, default: 0] += count
            if let lastLogged, now - lastLogged < interval { return nil }
            lastLogged = now
            defer { unlogged = [:] }
            return unlogged
        }
        guard let due else { return }
        let summary = due.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " ")
        logger.warning("Kubernetes Events dropped; see kube_injector_events_dropped_total",
                       metadata: ["dropped": "\(summary)", "logInterval": "\(interval)"])
    }

    /// Logs whatever is still unlogged; called when the recorder stops.
    func flush() {
        let due = lock.withLock { () -> [DropReason: Int] in
            defer { unlogged = [:] }
            return unlogged
        }
        guard !due.isEmpty else { return }
        let summary = due.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " ")
        logger.warning("Kubernetes Events dropped; see kube_injector_events_dropped_total",
                       metadata: ["dropped": "\(summary)"])
    }
}
