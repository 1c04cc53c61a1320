/// Why a byte sequence is not the strict JSON the parser accepts, and where it stops being so.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset from the start of the input where the problem was found.
    public var offset: Int
    public var problem: String

    public init(offset: Int, problem: String) {
        self.offset = offset
        self.problem = problem
    }

    public var description: String { "invalid JSON at byte \(offset): \(problem)" }
}

extension JSONParseError {
    /// Where `offset` falls in `input` (the bytes that were parsed), counted from 1 as editors
    /// do: lines end at a line feed, columns count characters (UTF-8 sequences), not bytes.
    public func lineAndColumn(in input: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in input.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
