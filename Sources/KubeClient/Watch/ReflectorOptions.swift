/// Knobs of a Reflector, with client-go's defaults.
public struct ReflectorOptions: Sendable {
    /// Each watch asks the server to end it after a random number of seconds in this range, so that
    /// many clients do not renew at once (client-go: 5 to 10 minutes).
    public var timeoutSeconds: ClosedRange<Int> = 300...600
    /// First wait after a failure; doubles per consecutive failure up to `maximumBackoff`.
    public var initialBackoff: Duration = .milliseconds(800)
    public var maximumBackoff: Duration = .seconds(30)
    /// Each wait is scaled by a random factor in 1 ± jitter.
    public var jitter: Double = 0.2
    /// Ask for BOOKMARK events so a resumed watch starts from a recent resourceVersion.
    public var allowWatchBookmarks: Bool = true
    /// Page size of the list; nil lists everything at once.
    public var pageSize: Int? = 500

    public init(timeoutSeconds: ClosedRange<Int> = 300...600, initialBackoff: Duration = .milliseconds(800),
                maximumBackoff: Duration = .seconds(30), jitter: Double = 0.2, allowWatchBookmarks: Bool = true,
                pageSize: Int? = 500) {
        self.timeoutSeconds = timeoutSeconds
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.jitter = jitter
        self.allowWatchBookmarks = allowWatchBookmarks
        self.pageSize = pageSize
    }
}
