/// Event message rules shared by the recorder and the logging fallback.
enum EventMessage {
    /// `message` cut to at most `limit` bytes of UTF-8, never inside a character's encoding,
    /// so the API server never receives invalid UTF-8 or an over-long message.
    static func truncated(_ message: String, limit: Int) -> String {
        let utf8 = message.utf8
        guard utf8.count > limit else { return message }
        guard limit > 0 else { return "" }
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        // Step back over continuation bytes (10xxxxxx) to the start of the cut scalar.
        while end > utf8.startIndex, (utf8[end] & 0b1100_0000) == 0b1000_0000 {
            end = utf8.index(before: end)
        }
        return String(decoding: utf8[utf8.startIndex..<end], as: UTF8.self)
    }
}
