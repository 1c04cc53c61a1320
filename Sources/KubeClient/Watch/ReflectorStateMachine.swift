/// Decides what a Reflector does next; the Reflector performs the actions. Plain data, so every transition
/// is testable without a server: list, then watch from the list's resourceVersion, keep the newest version
/// seen (events and bookmarks), renew the watch at once when the server ends it, relist on 410 Gone, and
/// back off (with a growing count of consecutive failures) on anything else.
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

    mutating func start() -> Action {
        state = .listing(relist: false)
        return .list
    }

    mutating func listSucceeded(resourceVersion: String) -> Action {
        failures = 0
        self.resourceVersion = resourceVersion
        state = .watching(resourceVersion: resourceVersion)
        return .watch(resourceVersion: resourceVersion)
    }

    mutating func listFailed() -> Action {
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
    mutating func watchEnded() -> Action {
        guard let resourceVersion else { return relist() }
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
        state = .listing(relist: true)
        return .list
    }

    private mutating func backOff(then resumption: Resumption) -> Action {
        failures += 1
        state = .backingOff(failures: failures, then: resumption)
        return .backOff(failures: failures)
    }
}
