/// A Kubernetes resource quantity (`100m`, `64Mi`, `1.5`, `2e3`) as apimachinery's
/// `resource.ParseQuantity` reads it: a signed decimal number and one suffix, a binary SI one
/// (Ki..Ei), a decimal SI one (n, u, m, k, M..E) or a decimal exponent (e3, E-2).
struct Quantity: Sendable {
    /// The digits with the decimal point removed; the value is `digits × 10^exponent × 2^binaryExponent`.
    private let digits: [UInt8]
    private let exponent: Int
    private let binaryExponent: Int
    let isNegative: Bool

    static let syntax = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

    /// nil when `text` is not a quantity.
    init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenPoint = false
        while let byte = bytes.first, byte == UInt8(ascii: ".") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
            } else {
                digits.append(byte - UInt8(ascii: "0"))
                if seenPoint { fractionDigits += 1 }
            }
            bytes = bytes.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        let suffix = String(decoding: bytes, as: UTF8.self)
        var exponent = -fractionDigits
        var binaryExponent = 0
        switch suffix {
        case "": break
        case "Ki": binaryExponent = 10
        case "Mi": binaryExponent = 20
        case "Gi": binaryExponent = 30
        case "Ti": binaryExponent = 40
        case "Pi": binaryExponent = 50
        case "Ei": binaryExponent = 60
        case "n": exponent -= 9
        case "u": exponent -= 6
        case "m": exponent -= 3
        case "k": exponent += 3
        case "M": exponent += 6
        case "G": exponent += 9
        case "T": exponent += 12
        case "P": exponent += 15
        case "E": exponent += 18
        default:
            // A decimal exponent: e or E, an optional sign, digits.
            var rest = bytes
            guard let marker = rest.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") else { return nil }
            rest = rest.dropFirst()
            var exponentNegative = false
            if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                exponentNegative = sign == UInt8(ascii: "-")
                rest = rest.dropFirst()
            }
            guard !rest.isEmpty, rest.count <= 6, rest.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            let value = rest.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            exponent += exponentNegative ? -value : value
        }
        self.digits = digits
        self.exponent = exponent
        self.binaryExponent = binaryExponent
        isNegative = negative && digits.contains(where: { $0 != 0 })
    }

    /// Whether the quantity is a whole number (extended resources must be).
    var isInteger: Bool {
        if binaryExponent > 0 || exponent >= 0 { return true }
        return digits.suffix(-exponent).allSatisfy { $0 == 0 }
    }

    /// `self ≤ other`, exactly when both fit in 64-bit integers at a common scale, otherwise
    /// in floating point (only quantities beyond 10^18 differ, which no pod asks for).
    func isLessThanOrEqual(to other: Quantity) -> Bool {
        if isNegative != other.isNegative { return isNegative }
        if let mine = scaled(), let theirs = other.scaled() {
            let common = min(mine.exponent, theirs.exponent)
            if let left = Self.multiply(mine.significand, byPowerOfTen: mine.exponent - common),
                let right = Self.multiply(theirs.significand, byPowerOfTen: theirs.exponent - common)
            {
                return isNegative ? left >= right : left <= right
            }
        }
        let left = doubleValue, right = other.doubleValue
        return left <= right
    }

    var doubleValue: Double {
        var value = 0.0
        for digit in digits { value = value * 10 + Double(digit) }
        var scale = 1.0
        for _ in 0..<abs(exponent) { scale *= 10 }
        value = exponent < 0 ? value / scale : value * scale
        for _ in 0..<binaryExponent { value *= 2 }
        return isNegative ? -value : value
    }

    /// The magnitude as `significand × 10^exponent` with an integer significand.
    private func scaled() -> (significand: Int, exponent: Int)? {
        var significand = 0
        for digit in digits {
            let (times, overflowTimes) = significand.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(Int(digit))
            if overflowTimes || overflowSum { return nil }
            significand = sum
        }
        if binaryExponent > 0 {
            let (product, overflow) = significand.multipliedReportingOverflow(by: 1 << binaryExponent)
            if overflow { return nil }
            significand = product
        }
        return (significand, exponent)
    }

    private static func multiply(_ value: Int, byPowerOfTen power: Int) -> Int? {
        var result = value
        for _ in 0..<power {
            let (product, overflow) = result.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            result = product
        }
        return result
    }
}
