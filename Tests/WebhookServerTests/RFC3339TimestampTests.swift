import WebhookServer
import XCTest

/// Certificate notAfter in logs is RFC 3339 in UTC, as Kubernetes writes times, not epoch seconds.
final class RFC3339TimestampTests: XCTestCase {
    func testEpochSecondsAreWrittenAsRFC3339InUTC() {
        XCTAssertEqual(RFC3339Timestamp.string(secondsSinceEpoch: 0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(RFC3339Timestamp.string(secondsSinceEpoch: 951_782_400), "2000-02-29T00:00:00Z")
        XCTAssertEqual(RFC3339Timestamp.string(secondsSinceEpoch: 1_798_761_599), "2026-12-31T23:59:59Z")
        XCTAssertEqual(RFC3339Timestamp.string(secondsSinceEpoch: 4_102_444_800), "2100-01-01T00:00:00Z")
    }
}
