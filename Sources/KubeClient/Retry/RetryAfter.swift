#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one Retry-After reader (RFC 9110 §10.2.3), for the API server and for sinks alike: delay-seconds or an
/// HTTP-date. client-go's `rest/request.go` (checkWait/retryAfterSeconds) reads the seconds form only, since
/// that is all the API server sends; sinks behind CDNs send dates too.
public enum RetryAfter {
    /// The wait the header asks for, nil when it is not one of the two forms. A date in the past is zero.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingWhitespace()
        if let seconds = Int64(trimmed) {
            return seconds >= 0 ? .seconds(seconds) : nil
        }
        guard let date = HTTPDate.parse(trimmed) else { return nil }
        let delay = max(date.timeIntervalSince(now), 0)
        return .milliseconds(Int64((delay * 1000).rounded()))
    }
}
