/// Decides what a Reflector does next; the Reflector performs the actions. Plain data, so every transition
/// is testable without a server: list, then watch from the list's resourceVersion, keep the newest version
/// seen (events and bookmarks), renew the watch at once when the server ends it (backing off when it ended
/// within a second), relist on 410 Gone, and back off (with a growing count of consecutive failures) on
/// anything else. Lists ask for resourceVersion "0" (the API server's watch cache, no etcd read) and fall
/// back to a quorum read ("") after a 410 or a failed list, as client-go's Reflector (relistResourceVersion).
struct ReflectorStateMachine: Sendable {
    enum State: Equatable, Sendable {
        case idle
        /// `relist`: a previous list's resourceVersion expired (410), the caller's cache must be replaced.
        case listing(relist: Bool)
        case watching(resourceVersion: String)
        case backingOff(failures: Int, then: Resumption)
    }

    /// What to do once a backoff is over.
    enum Resumption: Equatable, Sendable {
        case list(relist: Bool)
        case watch(resourceVersion: String)
    }

    enum Action: Equatable, Sendable {
        case list
        case watch(resourceVersion: String)
        /// Sleep the backoff for this many consecutive failures, then call `backoffElapsed()`.
        case backOff(failures: Int)
    }

    private(set) var state: State = .idle
    private(set) var resourceVersion: String?
    private var failures = 0
    /// The resourceVersion the next list asks for: "0" (any recent state, from the cache) unless that was
    /// just found wanting, then "" (the latest, from etcd).
    private(set) var listResourceVersion = "0"

    mutating func start() -> Action {
        state = .listing(relist: false)
        return .list
    }

    mutating func listSucceeded(resourceVersion: String) -> Action {
        failures = 0
        listResourceVersion = "0"
        self.resourceVersion = resourceVersion
        state = .watching(resourceVersion: resourceVersion)
        return .watch(resourceVersion: resourceVersion)
    }

    mutating func listFailed() -> Action {
        listResourceVersion = ""
        let relist: Bool
        if case .listing(let wasRelist) = state { relist = wasRelist } else { relist = false }
        return backOff(then: .list(relist: relist))
    }

    /// An event or bookmark arrived: remember its version; the connection evidently works.
    mutating func observed(resourceVersion: String?) {
        failures = 0
        guard let resourceVersion, !resourceVersion.isEmpty else { return }
        self.resourceVersion = resourceVersion
        if case .watching = state {
            state = .watching(resourceVersion: resourceVersion)
        }
    }

    /// The server closed the watch cleanly (its timeoutSeconds elapsed): start the next one from where we are.
    /// `tooSoon`: it ended within the minimum watch duration, which is a server in trouble, not a timeout:
    /// back off before the next (client-go's watchHandler: "very short watch").
    mutating func watchEnded(tooSoon: Bool = false) -> Action {
        guard let resourceVersion else { return relist() }
        if tooSoon { return backOff(then: .watch(resourceVersion: resourceVersion)) }
        state = .watching(resourceVersion: resourceVersion)
        return .watch(resourceVersion: resourceVersion)
    }

    /// Transport failure, 429, 5xx or a non-410 ERROR event: wait, then resume from the last version.
    mutating func watchFailed() -> Action {
        guard let resourceVersion else { return backOff(then: .list(relist: true)) }
        return backOff(then: .watch(resourceVersion: resourceVersion))
    }

    /// 410 Gone (HTTP, or an ERROR event with code 410): the version is too old to resume from. Relist now;
    /// waiting would only make the gap larger.
    mutating func gone() -> Action {
        relist()
    }

    mutating func backoffElapsed() -> Action {
        guard case .backingOff(_, let then) = state else { return start() }
        switch then {
        case .list(let relist):
            state = .listing(relist: relist)
            return .list
        case .watch(let resourceVersion):
            state = .watching(resourceVersion: resourceVersion)
            return .watch(resourceVersion: resourceVersion)
        }
    }

    private mutating func relist() -> Action {
        resourceVersion = nil
        listResourceVersion = ""
        state = .listing(relist: true)
        return .list
    }

    private mutating func backOff(then resumption: Resumption) -> Action {
        failures += 1
        state = .backingOff(failures: failures, then: resumption)
        return .backOff(failures: failures)
    }
}
