#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The members an object's `ParseShape` names, each with its own shape, and the shape of the
/// rest. The parser matches a member's name as read, its bytes, against these keys, so a named
/// member's String is the one prebuilt here and a dropped member's name is never built at all.
final class ObjectShape: Sendable {
    let keys: [String]
    let shapes: [ParseShape]
    let others: ParseShape
    /// The keys' UTF-8 back to back; key `i` is `utf8[starts[i]..<starts[i + 1]]`.
    private let utf8: [UInt8]
    private let starts: [Int]

    init(_ members: [(key: String, shape: ParseShape)], others: ParseShape) {
        keys = members.map(\.key)
        shapes = members.map(\.shape)
        self.others = others
        var utf8: [UInt8] = []
        var starts = [0]
        for key in keys {
            utf8 += Array(key.utf8)
            starts.append(utf8.count)
        }
        self.utf8 = utf8
        self.starts = starts
    }

    /// The position of the member named by `name` (a key's bytes as read), or nil.
    @inline(__always)
    func index(of name: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let nameBase = name.baseAddress else { return keys.firstIndex(of: "") }
        return utf8.withUnsafeBufferPointer { all in
            for index in 0..<keys.count where starts[index + 1] - starts[index] == name.count {
                if memcmp(all.baseAddress! + starts[index], nameBase, name.count) == 0 { return index }
            }
            return nil
        }
    }

    /// The same for a name that had escapes, decoded.
    func index(of key: String) -> Int? {
        keys.firstIndex(of: key)
    }

    /// The shape of the member named `key`.
    func shape(forMember key: String) -> ParseShape {
        index(of: key).map { shapes[$0] } ?? others
    }
}
