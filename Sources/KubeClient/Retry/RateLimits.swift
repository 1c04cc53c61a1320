/// Client-side rate limits, as client-go's rest.Config defaults them.
public enum RateLimits {
    /// client-go's rest.Config defaults: 5 requests per second, bursts of 10.
    public static let clientQPS: Double = 5
    public static let clientBurst = 10
    /// Leader election has a limiter of its own, so nothing else can make a renewal wait: at most one
    /// request per retry period is needed, a burst of 4 covers the GET-then-update fallback and a release.
    public static let leaderElectionQPS: Double = 2
    public static let leaderElectionBurst = 4
}
