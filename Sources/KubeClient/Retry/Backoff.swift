/// Jittered exponential backoff, as client-go's `wait.Backoff` steps it: `initial` doubling per consecutive
/// failure up to `cap`, then stretched by a random factor in [1, 1 + jitter] (`wait.Jitter`), so that clients
/// cut off together do not come back together and none comes back earlier than the doubling says.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    /// The doubling stops here; the jitter may stretch a wait past it by at most `jitter`.
    public var cap: Duration
    /// 0 for none; client-go's controllers use 1.0 for watches.
    public var jitter: Double

    public init(initial: Duration, cap: Duration, jitter: Double) {
        self.initial = initial
        self.cap = cap
        self.jitter = max(0, jitter)
    }

    /// The wait after `failures` consecutive failures (1 for the first); `random` in 0...1, injected so the
    /// result is testable.
    public func delay(failures: Int, random: Double) -> Duration {
        let exponent = max(0, min(failures - 1, 30))
        let base = min(initial.seconds * Double(1 << exponent), cap.seconds)
        let factor = 1 + jitter * min(max(random, 0), 1)
        return .milliseconds(Int64((base * factor * 1000).rounded()))
    }

    public func delay(failures: Int) -> Duration {
        delay(failures: failures, random: Double.random(in: 0...1))
    }
}
