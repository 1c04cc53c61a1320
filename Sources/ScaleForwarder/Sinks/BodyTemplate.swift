#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import KubeClient

/// The `body` of a sink Secret: a JSON document whose string values may hold placeholders
/// (`_message_`, `_namespace_`, `_name_`, `_target_`, `_reason_`, `_event_reason_`, `_new_size_`,
/// `_time_`, `_time_ms_`, `_time_s_`, `_event_id_`: the same for every send of one scale, for sinks that
/// de-duplicate). Substitution walks the parsed document, so a message with
/// quotes or newlines stays inside its string; a string that is exactly one numeric placeholder
/// becomes a JSON number. Members keep the template's order, so a rendered body is the same
/// bytes for the same scale.
public struct BodyTemplate: Sendable, Equatable {
    public let document: JSONValue

    public init(document: JSONValue) {
        self.document = document
    }

    /// Parses the template; the error's offset is into `text`'s UTF-8.
    public init(parsing text: String) throws(JSONParseError) {
        do {
            self.document = try JSONParser.parse(text)
        } catch let error as JSONParseError {
            throw error
        } catch {
            throw JSONParseError(offset: 0, problem: String(describing: error))
        }
    }

    /// Every placeholder, longest first so `_time_ms_` is not read as `_time_` followed by `ms_`.
    public static let placeholders: [String] = [
        "_event_reason_", "_event_id_", "_namespace_", "_new_size_", "_time_ms_", "_message_",
        "_time_s_", "_target_", "_reason_", "_time_", "_name_",
    ]

    public func render(_ scale: ScaleEvent) -> JSONValue {
        let values = PlaceholderValues(scale)
        return Self.substitute(document, values)
    }

    public func renderedBody(_ scale: ScaleEvent) -> [UInt8] {
        JSONSerializer.serialize(render(scale))
    }

    private static func substitute(_ value: JSONValue, _ values: PlaceholderValues) -> JSONValue {
        switch value {
        case .string(let text):
            if let number = values.numbers[text] {
                return number.map { .number(String($0)) } ?? .null
            }
            return .string(replacePlaceholders(in: text, values.texts))
        case .array(let elements):
            return .array(elements.map { substitute($0, values) })
        case .object(let object):
            // Assigned one by one, so a key the template repeats is sent once, its last value.
            var rendered = JSONObject()
            for member in object.members { rendered[member.key] = substitute(member.value, values) }
            return .object(rendered)
        case .raw:
            return substitute(value.materialized, values)
        case .null, .bool, .number:
            return value
        }
    }

    /// One pass from left to right: text that came from a value is never scanned again, so a
    /// message that contains `_name_` stays as written.
    static func replacePlaceholders(in text: String, _ texts: [String: String]) -> String {
        guard text.contains("_") else { return text }
        var result = ""
        var index = text.startIndex
        scanning: while index < text.endIndex {
            if text[index] == "_" {
                for placeholder in placeholders where text[index...].hasPrefix(placeholder) {
                    result += texts[placeholder] ?? ""
                    index = text.index(index, offsetBy: placeholder.count)
                    continue scanning
                }
            }
            result.append(text[index])
            index = text.index(after: index)
        }
        return result
    }
}

/// The values a scale gives each placeholder, as text and, for the numeric ones, as numbers.
struct PlaceholderValues {
    var texts: [String: String]
    /// A numeric placeholder that is a whole string value; nil when the scale has no such number.
    var numbers: [String: Int64?]

    init(_ scale: ScaleEvent) {
        let milliseconds = Int64((scale.time.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = Int64(scale.time.timeIntervalSince1970.rounded(.down))
        let newSize = scale.newSize.map(Int64.init)
        texts = [
            "_message_": scale.message,
            "_namespace_": scale.namespace,
            "_name_": scale.name,
            "_target_": scale.target,
            "_reason_": scale.scaleReason,
            "_event_reason_": scale.eventReason,
            "_new_size_": newSize.map(String.init) ?? "",
            "_time_": KubernetesTimestamp.time(scale.time),
            "_time_ms_": String(milliseconds),
            "_time_s_": String(seconds),
            "_event_id_": scale.eventID,
        ]
        numbers = [
            "_new_size_": newSize,
            "_time_ms_": milliseconds,
            "_time_s_": seconds,
        ]
    }
}
