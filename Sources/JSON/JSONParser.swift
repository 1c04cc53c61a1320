/// A strict RFC 8259 parser over bytes: no comments, no trailing commas, no lone surrogates,
/// no control characters in strings, a nesting limit, and errors that carry the byte offset.
/// Written for the admission path, where Foundation's decoders cost more than the rest of
/// the review together.
public struct JSONParser {
    /// Deeper nesting than any Kubernetes object needs; keeps recursion bounded.
    public static let maximumDepth = 128

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0
    /// Scratch stacks for the members and elements of the containers being parsed, so each
    /// finished container is copied once into an array of its exact size instead of growing
    /// its own array one append at a time.
    private let memberStack = ParserStack<JSONMember>()
    private let elementStack = ParserStack<JSONValue>()
    /// The array `bytes` points into, for raw values to share; nil when none are kept.
    private var source: JSONSource?
    /// Set whenever whitespace is skipped, so a raw value knows whether it is compact.
    private var sawWhitespace = false

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses exactly one JSON value; only whitespace may follow it.
    public static func parse(_ input: [UInt8]) throws -> JSONValue {
        try input.withUnsafeBufferPointer { try parse(buffer: $0) }
    }

    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Array(text.utf8))
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
        var parser = JSONParser(bytes: buffer)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        try parser.expectEnd()
        return value
    }

    /// Parses `input` building only what `shape` asks for: the rest is checked as strictly,
    /// and kept as raw bytes or dropped.
    public static func parse(_ input: [UInt8], shape: ParseShape) throws -> JSONValue {
        try input.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            parser.source = input.count < Int(UInt32.max >> 1) ? JSONSource(input) : nil
            parser.skipWhitespace()
            let value = try parser.parseValue(shape: shape)
            try parser.expectEnd()
            return value
        }
    }

    /// The strings at `paths` (each a list of member names from the root object), read in one pass
    /// without building the tree: other members are skipped, checked only as far as finding their
    /// end needs. An entry is nil when its member is missing or not a string; the whole answer is
    /// nil when the input stops being JSON before the scan is done.
    public static func strings(at paths: [[String]], in input: [UInt8]) -> [String?]? {
        input.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            var found = [String?](repeating: nil, count: paths.count)
            do {
                try parser.scanStrings(at: paths, matching: Array(paths.indices.filter { !paths[$0].isEmpty }), level: 0, into: &found)
            } catch {
                return nil
            }
            return found
        }
    }

    /// The object at the current position, looking for the members of `paths[matching]` whose
    /// first `level` names led here.
    private mutating func scanStrings(at paths: [[String]], matching: [Int], level: Int, into found: inout [String?]) throws {
        try forEachMember { parser, key in
            let here = matching.filter { paths[$0][level] == key }
            if here.isEmpty {
                try parser.skipValue()
            } else if let leaf = here.first(where: { paths[$0].count == level + 1 }) {
                found[leaf] = try parser.parseValue().stringValue
            } else {
                try parser.scanStrings(at: paths, matching: here, level: level + 1, into: &found)
            }
        }
    }

    // MARK: - Values

    private mutating func parseValue() throws -> JSONValue {
        guard position < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object(try parseObject())
        case UInt8(ascii: "["): return .array(try parseArray())
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character \(describe(bytes[position])), expected a value")
        }
    }

    private mutating func expectEnd() throws {
        skipWhitespace()
        if position < bytes.count {
            throw error("unexpected content after the JSON value")
        }
    }

    private mutating func parseValue(shape: ParseShape) throws -> JSONValue {
        guard position < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch shape {
        case .full:
            return try parseValue()
        case .raw:
            return try parseRaw()
        case .drop:
            try skipValueQuickly()
            return .null
        case .object(let shape):
            guard bytes[position] == UInt8(ascii: "{") else { return try parseValue() }
            return .object(try parseObject(shape: shape))
        case .array(let elementShape):
            guard bytes[position] == UInt8(ascii: "[") else { return try parseValue() }
            let base = elementStack.count
            try forEachElement { parser in
                let value = try parser.parseValue(shape: elementShape)
                parser.elementStack.push(value)
            }
            return .array(elementStack.popArray(from: base))
        }
    }

    /// An object read as `shape` says. A member's name is matched as the bytes it was sent as
    /// (the grammar steps are `forEachMember`'s, so errors read the same): a named member gets
    /// the shape's prebuilt key, a dropped one is never built, and only a name with escapes or
    /// non-ASCII bytes is decoded first.
    private mutating func parseObject(shape: ObjectShape) throws -> JSONObject {
        let base = memberStack.count
        guard try openObject() else { return JSONObject() }
        repeat {
            try expectMemberName()
            let key: String?
            let memberShape: ParseShape
            let nameStart = position + 1
            let nameEnd = StringScanner.plainRunEnd(bytes, from: nameStart)
            if nameEnd < bytes.count, bytes[nameEnd] == UInt8(ascii: "\"") {
                let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd])
                position = nameEnd + 1
                if let index = shape.index(of: name) {
                    key = shape.keys[index]
                    memberShape = shape.shapes[index]
                } else {
                    memberShape = shape.others
                    if case .drop = memberShape {
                        key = nil
                    } else {
                        key = KnownKeys.lookup(name) ?? String(decoding: name, as: UTF8.self)
                    }
                }
            } else {
                let decoded = try parseString()
                key = decoded
                memberShape = shape.shape(forMember: decoded)
            }
            try expectColon()
            if let key, !memberShape.isDrop {
                let value = try parseValue(shape: memberShape)
                memberStack.push(JSONMember(key: key, value: value))
            } else {
                try skipValueQuickly()
            }
        } while try memberFollows()
        return JSONObject(memberStack.popArray(from: base))
    }

    /// Checks the value and keeps its bytes. Containers and strings stay raw; other scalars
    /// are cheaper to build than to wrap.
    private mutating func parseRaw() throws -> JSONValue {
        let first = bytes[position]
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\""), let source else {
            return try parseValue()
        }
        let start = position
        let outerWhitespace = sawWhitespace
        sawWhitespace = false
        try skipValueQuickly()
        let raw = RawJSON(source: source, range: start..<position, isCompact: !sawWhitespace)
        sawWhitespace = outerWhitespace || sawWhitespace
        return .raw(raw)
    }

    /// `skipValue` through `JSONSkipper`'s single loop when it can, else the full path, which
    /// then also gives the error. Only the values the shape keeps raw or drops come here, never
    /// the full path's own recursion, so a value the loop gives up on is walked twice at most.
    private mutating func skipValueQuickly() throws {
        if let skipped = JSONSkipper.skip(bytes, from: position, depthAllowance: Self.maximumDepth - depth) {
            position = skipped.end
            sawWhitespace = sawWhitespace || skipped.sawWhitespace
            return
        }
        try skipValue()
    }

    private mutating func enterContainer() throws {
        depth += 1
        if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func parseObject() throws -> JSONObject {
        let base = memberStack.count
        try forEachMember { parser, key in
            let value = try parser.parseValue()
            parser.memberStack.push(JSONMember(key: key, value: value))
        }
        return JSONObject(memberStack.popArray(from: base))
    }

    /// Walks the members of the object at the current position, calling `body` with the
    /// parser positioned at each member's value; `body` must consume that value.
    private mutating func forEachMember(_ body: (inout JSONParser, String) throws -> Void) throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else { throw error("expected an object") }
        guard try openObject() else { return }
        repeat {
            try expectMemberName()
            let key = try parseString()
            try expectColon()
            try body(&self, key)
        } while try memberFollows()
    }

    // The steps of an object's grammar, shared by the walk that reads members and the one that
    // skips them, so both accept and refuse exactly the same input with the same messages.

    /// At `{`: enters it; false when the object is empty (and already closed).
    @inline(__always)
    private mutating func openObject() throws -> Bool {
        try enterContainer()
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return false
        }
        return true
    }

    /// Before a member: the opening quote of its name must come next.
    @inline(__always)
    private mutating func expectMemberName() throws {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input inside an object") }
        guard bytes[position] == UInt8(ascii: "\"") else {
            throw error("unexpected character \(describe(bytes[position])), expected a member name in quotes")
        }
    }

    /// After a member name: the `:`, leaving the parser at the value.
    @inline(__always)
    private mutating func expectColon() throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            throw error(position < bytes.count ? "expected ':' after member name" : "unexpected end of input inside an object")
        }
        position += 1
        skipWhitespace()
    }

    /// After a member's value: true at `,` (another member follows), false at `}` (closed).
    @inline(__always)
    private mutating func memberFollows() throws -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input inside an object") }
        switch bytes[position] {
        case UInt8(ascii: ","):
            position += 1
            return true
        case UInt8(ascii: "}"):
            position += 1
            depth -= 1
            return false
        default:
            throw error("unexpected character \(describe(bytes[position])), expected ',' or '}'")
        }
    }

    private mutating func parseArray() throws -> [JSONValue] {
        let base = elementStack.count
        try forEachElement { parser in
            let value = try parser.parseValue()
            parser.elementStack.push(value)
        }
        return elementStack.popArray(from: base)
    }

    private mutating func forEachElement(_ body: (inout JSONParser) throws -> Void) throws {
        try enterContainer()
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input inside an array") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return
            default:
                throw error("unexpected character \(describe(bytes[position])), expected ',' or ']'")
            }
        }
    }

    /// Checks a value and moves past it without keeping it: no strings, keys included, are built.
    private mutating func skipValue() throws {
        guard position < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try skipObject()
        case UInt8(ascii: "["): try forEachElement { parser in try parser.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: _ = try parseValue()
        }
    }

    private mutating func skipObject() throws {
        guard try openObject() else { return }
        repeat {
            try expectMemberName()
            try skipString()
            try expectColon()
            try skipValue()
        } while try memberFollows()
    }

    // MARK: - Scalars

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("unexpected end of input in literal \(literal)") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[position + offset] != start[offset] {
            throw error("invalid literal, expected \(literal)")
        }
        position += count
    }

    private mutating func parseNumber() throws -> String {
        let start = position
        try skipNumber()
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func skipNumber() throws {
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw error("a number needs a digit here") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw error("a number must not have a leading zero") }
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw error("a fraction needs a digit after '.'") }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw error("an exponent needs a digit") }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
    }

    private mutating func skipString() throws {
        // Plain ASCII strings are skipped here; escapes and non-ASCII take the full, checking path.
        let start = position
        let end = StringScanner.plainRunEnd(bytes, from: position + 1)
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            position = end + 1
            return
        }
        position = start
        _ = try parseString()
    }

    private mutating func parseString() throws -> String {
        let openingQuote = position
        position += 1
        let start = position
        // Fast path: no escapes, decode the bytes in one go. The scan stops at each non-ASCII
        // byte; those strings are checked as UTF-8 once whole.
        var sawNonASCII = false
        var index = StringScanner.plainRunEnd(bytes, from: start)
        while index < bytes.count, bytes[index] >= 0x80 {
            sawNonASCII = true
            index = StringScanner.plainRunEnd(bytes, from: index + 1)
        }
        if index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                position = index + 1
                if !sawNonASCII {
                    return KnownKeys.lookup(slice) ?? String(decoding: slice, as: UTF8.self)
                }
                guard let string = String(validating: slice, as: UTF8.self) else {
                    throw JSONParseError(offset: start, problem: "string is not valid UTF-8")
                }
                return string
            }
            if byte < 0x20 {
                position = index
                throw error("control character \(describe(byte)) must be escaped in a string")
            }
        }
        position = index
        guard position < bytes.count else {
            throw JSONParseError(offset: openingQuote, problem: "unterminated string")
        }
        // Slow path: copy what was scanned, then decode escapes.
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw JSONParseError(offset: start, problem: "string is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0..<0x20:
                throw error("control character \(describe(byte)) must be escaped in a string")
            default:
                utf8.append(byte)
                position += 1
            }
        }
        throw JSONParseError(offset: openingQuote, problem: "unterminated string")
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws {
        position += 1
        guard position < bytes.count else { throw error("unexpected end of input in an escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            let escapeStart = position - 2
            var scalar = try parseHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw JSONParseError(offset: escapeStart, problem: "high surrogate \\u\(hex(scalar)) is not followed by a low surrogate")
                }
                position += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParseError(offset: escapeStart, problem: "high surrogate \\u\(hex(scalar)) is followed by \\u\(hex(low)), not a low surrogate")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw JSONParseError(offset: escapeStart, problem: "lone low surrogate \\u\(hex(scalar))")
            }
            guard let unicodeScalar = Unicode.Scalar(scalar) else {
                throw JSONParseError(offset: escapeStart, problem: "\\u escape is not a Unicode scalar")
            }
            utf8.append(contentsOf: UTF8.encode(unicodeScalar).map { Array($0) } ?? [])
        default:
            throw JSONParseError(offset: position - 2, problem: "invalid escape \\\(describe(byte))")
        }
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("unexpected end of input in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("\\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    // MARK: - Helpers

    /// Called before and after every token, and most of the time there is no whitespace
    /// (the API server sends compact JSON): one comparison decides that, since every byte JSON
    /// allows outside strings, other than whitespace, is above 0x20.
    @inline(__always)
    private mutating func skipWhitespace() {
        guard position < bytes.count, bytes[position] <= 0x20 else { return }
        skipWhitespaceRun()
    }

    private mutating func skipWhitespaceRun() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D:
                position += 1
                sawWhitespace = true
            default: return
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func error(_ problem: String) -> JSONParseError {
        JSONParseError(offset: position, problem: problem)
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "0x" + hex(UInt32(byte))
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
