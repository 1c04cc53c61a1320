import NIOCore

/// Parses the duration format of the API server's `?timeout=` query parameter (Go's
/// time.Duration: "10s", "1m30s", "500ms", "1.5s").
enum GoDuration {
    static func parse<S: StringProtocol>(_ text: S) -> TimeAmount? {
        var nanoseconds = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !$0.isNumber && $0 != "." }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            default: return nil
            }
            nanoseconds += value * scale
        }
        guard nanoseconds.isFinite, nanoseconds < 1e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }
}
