#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads an HTTP date in the IMF-fixdate form RFC 9110 requires senders to use (`Sun, 22 Nov 2026 04:10:30 GMT`),
/// as a Retry-After header may carry one. FoundationEssentials has no `DateFormatter`.
enum HTTPDate {
    private static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    private static let months = ["january", "february", "march", "april", "may", "june", "july", "august",
                                 "september", "october", "november", "december"]

    /// The date, or nil when `text` is not an IMF-fixdate. As DateFormatter did, names may be written out in full
    /// and in any case, and the day and time fields may drop a leading zero.
    static func parse(_ text: String) -> Date? {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 6, fields[0].hasSuffix(","),
              name(fields[0].dropLast(), in: weekdays) != nil,
              let day = number(fields[1], digits: 1...2),
              let month = name(fields[2], in: months).map({ $0 + 1 }),
              let year = number(fields[3], digits: 4...4),
              ["gmt", "utc"].contains(fields[5].lowercased()) else { return nil }
        let clock = fields[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3,
              let hour = number(clock[0], digits: 1...2), hour < 24,
              let minute = number(clock[1], digits: 1...2), minute < 60,
              let second = number(clock[2], digits: 1...2), second < 60,
              day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }

    /// The index of the name `text` abbreviates to three letters or spells out.
    private static func name(_ text: Substring, in names: [String]) -> Int? {
        let lowercased = text.lowercased()
        return names.firstIndex { $0 == lowercased || $0.prefix(3) == lowercased }
    }

    private static func number(_ text: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's days_from_civil).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
