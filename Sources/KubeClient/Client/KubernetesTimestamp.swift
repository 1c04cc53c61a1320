#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Formats and parses the API's two timestamp shapes: Time (RFC 3339, whole seconds, `2026-11-22T04:10:00Z`)
/// for Event first/lastTimestamp, and MicroTime (`2026-11-22T04:10:00.123456Z`) for Lease times and eventTime.
public enum KubernetesTimestamp {
    /// RFC 3339 with second precision, UTC.
    public static func time(_ date: Date) -> String {
        let parts = utcParts(date)
        return wholeSeconds(parts) + "Z"
    }

    /// RFC 3339 with microsecond precision, UTC.
    public static func microTime(_ date: Date) -> String {
        let parts = utcParts(date)
        return wholeSeconds(parts) + "." + padded(parts.microsecond, to: 6) + "Z"
    }

    /// Parses either shape (and any fraction length or numeric offset RFC 3339 allows); nil when malformed.
    public static func date(from string: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(string) { return date }
        return try? Date.ISO8601FormatStyle().parse(string)
    }

    /// `2026-11-22T04:10:00`, as `%04d-%02d-%02dT%02d:%02d:%02d` printed it.
    private static func wholeSeconds(_ parts: Parts) -> String {
        padded(parts.year, to: 4) + "-" + padded(parts.month, to: 2) + "-" + padded(parts.day, to: 2) + "T"
            + padded(parts.hour, to: 2) + ":" + padded(parts.minute, to: 2) + ":" + padded(parts.second, to: 2)
    }

    /// Zero-padded on the left to `width` digits, like `%0Nd` (a minus sign counts towards the width).
    private static func padded(_ value: Int, to width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        let zeros = max(0, width - sign.count - digits.count)
        return sign + String(repeating: "0", count: zeros) + digits
    }

    private struct Parts {
        var year, month, day, hour, minute, second, microsecond: Int
    }

    private static func utcParts(_ date: Date) -> Parts {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let whole = Date(timeIntervalSince1970: seconds)
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: whole)
        let micro = min(999_999, max(0, Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down))))
        return Parts(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1, hour: c.hour ?? 0,
                     minute: c.minute ?? 0, second: c.second ?? 0, microsecond: micro)
    }
}
