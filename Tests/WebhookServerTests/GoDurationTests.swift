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
    }

    func testRejectsWhatIsNotADuration() {
        XCTAssertNil(GoDuration.parse(""))
        XCTAssertNil(GoDuration.parse("10"))
        XCTAssertNil(GoDuration.parse("ten seconds"))
        XCTAssertNil(GoDuration.parse("5x"))
    }
}
