import NIOCore

/// Parses the duration format of the API server's `?timeout=` query parameter (Go's
/// time.Duration: "10s", "1m30s", "500ms", "1.5s"). Read as bytes: it comes with every review.
enum GoDuration {
    static func parse<S: StringProtocol>(_ text: S) -> TimeAmount? {
        var text = String(text)
        return text.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> TimeAmount? {
        guard !bytes.isEmpty else { return nil }
        var nanoseconds = 0.0
        var index = 0
        while index < bytes.count {
            let numberStart = index
            while index < bytes.count, isNumberByte(bytes[index]) { index += 1 }
            guard index > numberStart,
                  let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[numberStart..<index]), as: UTF8.self))
            else { return nil }
            let unitStart = index
            while index < bytes.count, !isNumberByte(bytes[index]) { index += 1 }
            guard let scale = scale(of: UnsafeBufferPointer(rebasing: bytes[unitStart..<index])) else { return nil }
            nanoseconds += value * scale
        }
        guard nanoseconds.isFinite, nanoseconds < 1e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
    }

    /// Nanoseconds per unit, for Go's unit names (microseconds as `us`, `µs` or `μs`, as Go takes them).
    private static let units: [(name: [UInt8], nanoseconds: Double)] = [
        (Array("ns".utf8), 1), (Array("us".utf8), 1e3), (Array("µs".utf8), 1e3), (Array("μs".utf8), 1e3),
        (Array("ms".utf8), 1e6), (Array("s".utf8), 1e9), (Array("m".utf8), 60e9), (Array("h".utf8), 3600e9),
    ]

    private static func scale(of unit: UnsafeBufferPointer<UInt8>) -> Double? {
        units.first { $0.name.elementsEqual(unit) }?.nanoseconds
    }
}
