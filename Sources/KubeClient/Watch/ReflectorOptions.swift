/// Knobs of a Reflector, with client-go's defaults.
public struct ReflectorOptions: Sendable {
    /// Each watch asks the server to end it after a random number of seconds in this range, so that
    /// many clients do not renew at once (client-go: 5 to 10 minutes).
    public var timeoutSeconds: ClosedRange<Int> = 300...600
    /// Waits after a failed list or watch, or a watch that ended within a second (`Backoff.reflector`).
    public var backoff: Backoff = .reflector
    /// A watch that ends sooner than this after it opened counts as a failure and is backed off, so a
    /// server that ends every watch at once is not hammered (client-go: 1 s).
    public var minimumWatchDuration: Duration = .seconds(1)
    /// Ask for BOOKMARK events so a resumed watch starts from a recent resourceVersion.
    public var allowWatchBookmarks: Bool = true
    /// Page size of the list; nil lists everything at once.
    public var pageSize: Int? = 500

    public init(timeoutSeconds: ClosedRange<Int> = 300...600, initialBackoff: Duration = Backoff.reflector.initial,
                maximumBackoff: Duration = Backoff.reflector.cap, jitter: Double = Backoff.reflector.jitter,
                allowWatchBookmarks: Bool = true, pageSize: Int? = 500,
                minimumWatchDuration: Duration = .seconds(1)) {
        self.timeoutSeconds = timeoutSeconds
        self.backoff = Backoff(initial: initialBackoff, cap: maximumBackoff, jitter: jitter)
        self.minimumWatchDuration = minimumWatchDuration
        self.allowWatchBookmarks = allowWatchBookmarks
        self.pageSize = pageSize
    }
}
