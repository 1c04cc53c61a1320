import NIOCore
@testable import WebhookServer
import XCTest

/// The API server's `?timeout=` values, in Go's duration format.
final class GoDurationTests: XCTestCase {
    func testParsesTheFormsTheAPIServerSends() {
        XCTAssertEqual(GoDuration.parse("10s"), .seconds(10))
        XCTAssertEqual(GoDuration.parse("500ms"), .milliseconds(500))
        XCTAssertEqual(GoDuration.parse("1m30s"), .seconds(90))
        XCTAssertEqual(GoDuration.parse("1.5s"), .milliseconds(1500))
        XCTAssertEqual(GoDuration.parse("2h1m"), .seconds(7260))
        XCTAssertEqual(GoDuration.parse("250us"), .microseconds(250))
        XCTAssertEqual(GoDuration.parse("250µs"), .microseconds(250), "micro sign")
        XCTAssertEqual(GoDuration.parse("250μs"), .microseconds(250), "Greek mu, which Go also takes")
        XCTAssertEqual(GoDuration.parse("7ns"), .nanoseconds(7))
    }

    func testRejectsWhatIsNotADuration() {
        XCTAssertNil(GoDuration.parse(""))
        XCTAssertNil(GoDuration.parse("10"))
        XCTAssertNil(GoDuration.parse("ten seconds"))
        XCTAssertNil(GoDuration.parse("5x"))
        XCTAssertNil(GoDuration.parse("s"))
        XCTAssertNil(GoDuration.parse("1.2.3s"))
        XCTAssertNil(GoDuration.parse("-1s"))
        XCTAssertNil(GoDuration.parse("٣s"), "Arabic-Indic digits are not Go's")
        XCTAssertNil(GoDuration.parse("99999999999h"), "beyond what a deadline can hold")
    }
}
