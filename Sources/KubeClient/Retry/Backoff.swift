/// Jittered exponential backoff: `initial` doubling per consecutive failure up to `maximum`, each wait scaled
/// by a random factor in 1 ± jitter so that many clients cut off together do not return together.
struct Backoff: Sendable {
    var initial: Duration
    var maximum: Duration
    var jitter: Double

    /// `random` in 0...1 (injected so the result is testable).
    func delay(failures: Int, random: Double) -> Duration {
        let exponent = max(0, min(failures - 1, 30))
        let base = min(initial.seconds * Double(1 << exponent), maximum.seconds)
        let factor = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
        return .milliseconds(Int((base * factor * 1000).rounded()))
    }

    func delay(failures: Int) -> Duration {
        delay(failures: failures, random: Double.random(in: 0...1))
    }
}
