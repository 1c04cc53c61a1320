import Foundation
import JSON
import XCTest
@testable import ScaleForwarder

final class BodyTemplateTests: XCTestCase {
    static let scaleTime = Date(timeIntervalSince1970: 1_795_320_600)  // 2026-11-22T04:10:00Z

    static func scale(message: String = "New size: 3; reason: cpu resource utilization (percentage of request) above target",
                      reason: String = "SuccessfulRescale") -> ScaleEvent {
        ScaleEvent(eventUID: "uid-1", count: 1, namespace: "shop", name: "php-apache", target: "Deployment/php-apache",
                   eventReason: reason, message: message, time: scaleTime)
    }

    func testEveryPlaceholderIsReplacedInsideStrings() throws {
        let template = try BodyTemplate(parsing: """
        {"text": "_namespace_/_name_ (_target_) _event_reason_: _reason_ -> _new_size_ at _time_ [_time_s_/_time_ms_]",
         "details": "_message_"}
        """)
        let rendered = template.render(Self.scale())
        XCTAssertEqual(rendered["text"]?.stringValue,
                       "shop/php-apache (Deployment/php-apache) SuccessfulRescale: cpu resource utilization (percentage of request) above target -> 3 at 2026-11-22T04:10:00Z [1795320600/1795320600000]")
        XCTAssertEqual(rendered["details"]?.stringValue, Self.scale().message)
    }

    func testEventIDIsTheSameForEverySendOfOneScaleAndDiffersBetweenScales() throws {
        let template = try BodyTemplate(parsing: #"{"aggregation_key": "_event_id_"}"#)
        var scale = Self.scale()
        XCTAssertEqual(template.render(scale)["aggregation_key"]?.stringValue, "uid-1-1")
        XCTAssertEqual(template.render(scale), template.render(scale))
        scale.count = 2
        XCTAssertEqual(template.render(scale)["aggregation_key"]?.stringValue, "uid-1-2")
        scale.message = "another message"
        XCTAssertEqual(template.render(scale)["aggregation_key"]?.stringValue, "uid-1-2", "uid and count only")
    }

    func testWholeNumericPlaceholderBecomesANumber() throws {
        let template = try BodyTemplate(parsing: #"{"startTime": "_time_ms_", "at": "_time_s_", "size": "_new_size_", "label": "size _new_size_"}"#)
        let rendered = template.render(Self.scale())
        XCTAssertEqual(rendered["startTime"], .number("1795320600000"))
        XCTAssertEqual(rendered["at"], .number("1795320600"))
        XCTAssertEqual(rendered["size"], .number("3"))
        XCTAssertEqual(rendered["label"], .string("size 3"))
    }

    func testMissingNewSizeBecomesNullNotAnInventedNumber() throws {
        let template = try BodyTemplate(parsing: #"{"size": "_new_size_"}"#)
        XCTAssertEqual(template.render(Self.scale(message: "something else"))["size"], .null)
    }

    func testQuotesAndNewlinesInTheMessageCannotInjectFields() throws {
        let template = try BodyTemplate(parsing: #"{"details": "_message_", "severity": "info"}"#)
        let hostile = "x\", \"severity\": \"critical\"}\n{\"a\": \"b"
        let body = template.renderedBody(Self.scale(message: hostile))
        let reparsed = try JSONParser.parse(body)
        XCTAssertEqual(reparsed["severity"], .string("info"))
        XCTAssertEqual(reparsed["details"], .string(hostile))
        guard case .object(let members) = reparsed else { return XCTFail("not an object") }
        XCTAssertEqual(Set(members.keys), ["details", "severity"])
    }

    func testTheBodyIsTheSameBytesEveryTimeInTheTemplatesOrder() throws {
        let template = try BodyTemplate(parsing: #"{"zeta": "_name_", "alpha": {"y": 1, "x": "_time_s_"}, "zeta": "_namespace_"}"#)
        let body = template.renderedBody(Self.scale())
        XCTAssertEqual(String(decoding: body, as: UTF8.self), #"{"zeta":"shop","alpha":{"y":1,"x":1795320600}}"#,
                       "members in the template's order; a repeated key is sent once, with its last value")
        XCTAssertEqual(template.renderedBody(Self.scale()), body)
    }

    func testPlaceholderTextInsideAValueIsNotExpandedAgain() {
        let texts = PlaceholderValues(Self.scale(message: "_name_ and _time_ms_")).texts
        XCTAssertEqual(BodyTemplate.replacePlaceholders(in: "m=_message_", texts), "m=_name_ and _time_ms_")
    }

    func testNestedArraysAndOtherTypesAreKept() throws {
        let template = try BodyTemplate(parsing: #"{"tags": ["scale", "_namespace_"], "n": 1.5, "ok": true, "none": null, "keep": "_unknown_"}"#)
        let rendered = template.render(Self.scale())
        XCTAssertEqual(rendered["tags"], .array([.string("scale"), .string("shop")]))
        XCTAssertEqual(rendered["n"], .number("1.5"))
        XCTAssertEqual(rendered["ok"], .bool(true))
        XCTAssertEqual(rendered["none"], .null)
        XCTAssertEqual(rendered["keep"], .string("_unknown_"))
    }

    func testReasonFallsBackToTheEventReason() {
        XCTAssertEqual(Self.scale(message: "no fields here", reason: "FailedRescale").scaleReason, "FailedRescale")
        XCTAssertNil(Self.scale(message: "no fields here").newSize)
    }

    func testMalformedBodyIsAnError() {
        XCTAssertThrowsError(try BodyTemplate(parsing: #"{"a": "#)) {
            XCTAssertEqual($0 as? JSONParseError, JSONParseError(offset: 6, problem: "unexpected end of input, expected a value"))
        }
    }
}
