import Foundation

/// Formats and parses the API's two timestamp shapes: Time (RFC 3339, whole seconds, `2026-11-22T04:10:00Z`)
/// for Event first/lastTimestamp, and MicroTime (`2026-11-22T04:10:00.123456Z`) for Lease times and eventTime.
public enum KubernetesTimestamp {
    /// RFC 3339 with second precision, UTC.
    public static func time(_ date: Date) -> String {
        let parts = utcParts(date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ",
                      parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second)
    }

    /// RFC 3339 with microsecond precision, UTC.
    public static func microTime(_ date: Date) -> String {
        let parts = utcParts(date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                      parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second, parts.microsecond)
    }

    /// Parses either shape (and any fraction length or numeric offset RFC 3339 allows); nil when malformed.
    public static func date(from string: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: string) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: string)
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
