import Foundation
@testable import KubeClient
import XCTest

/// The one backoff, token bucket, Retry-After reader and retry policy every module uses.
final class RetryVocabularyTests: XCTestCase {
    func testBackoffDoublesUpToTheCapAndJitterOnlyStretchesIt() {
        // client-go util/wait Backoff.Step: duration doubles, capped; wait.Jitter adds up to jitter * duration.
        let backoff = Backoff(initial: .milliseconds(800), cap: .seconds(30), jitter: 0.5)
        XCTAssertEqual(backoff.delay(failures: 1, random: 0), .milliseconds(800))
        XCTAssertEqual(backoff.delay(failures: 2, random: 0), .milliseconds(1600))
        XCTAssertEqual(backoff.delay(failures: 3, random: 0), .milliseconds(3200))
        XCTAssertEqual(backoff.delay(failures: 20, random: 0), .seconds(30))
        XCTAssertEqual(backoff.delay(failures: 1, random: 1), .milliseconds(1200))
        XCTAssertEqual(backoff.delay(failures: 200, random: 1), .seconds(45))
        for failures in 1...12 {
            XCTAssertLessThanOrEqual(backoff.delay(failures: failures, random: 0), backoff.delay(failures: failures, random: 0.99))
        }
    }

    func testTokenBucketAllowsTheBurstThenPacesAtQPS() {
        // client-go util/flowcontrol NewTokenBucketRateLimiter: burst at once, then qps per second.
        let start = ContinuousClock.now
        var bucket = TokenBucket(qps: 10, burst: 3, now: start)
        XCTAssertEqual(bucket.reserve(now: start), .zero)
        XCTAssertEqual(bucket.reserve(now: start), .zero)
        XCTAssertEqual(bucket.reserve(now: start), .zero)
        XCTAssertEqual(bucket.reserve(now: start).seconds, 0.1, accuracy: 0.002)
        XCTAssertEqual(bucket.reserve(now: start).seconds, 0.2, accuracy: 0.002)
        XCTAssertEqual(bucket.reserve(now: start + .seconds(1)), .zero)
    }

    func testTokenBucketTakeRefusesWithoutATokenAndIgnoresAClockGoingBack() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(burst: 1, refillInterval: .seconds(10), now: start)
        XCTAssertTrue(bucket.take(now: start))
        XCTAssertFalse(bucket.take(now: start - .seconds(100)))
        XCTAssertFalse(bucket.take(now: start + .seconds(5)))
        XCTAssertTrue(bucket.take(now: start + .seconds(10)))
    }

    func testRetryAfterReadsSecondsAndHTTPDates() {
        // RFC 9110 10.2.3; client-go rest/request.go reads the seconds form (retryAfterSeconds).
        let now = Date(timeIntervalSince1970: 1_795_320_600)   // 2026-11-22T04:10:00Z
        XCTAssertEqual(RetryAfter.parse("12", now: now), .seconds(12))
        XCTAssertEqual(RetryAfter.parse(" 3 ", now: now), .seconds(3))
        XCTAssertEqual(RetryAfter.parse("Sun, 22 Nov 2026 04:10:30 GMT", now: now), .seconds(30))
        XCTAssertEqual(RetryAfter.parse("Sun, 22 Nov 2026 04:09:00 GMT", now: now), .zero)
        XCTAssertNil(RetryAfter.parse("soon", now: now))
        XCTAssertNil(RetryAfter.parse("-4", now: now))
    }

    func testRetryPolicyHonoursALongerRetryAfterUpToItsLimit() {
        let policy = RetryPolicy(maxTries: 12, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1),
                                 jitter: 0, retryAfterLimit: .seconds(10))
        XCTAssertEqual(policy.delay(afterAttempt: 1, random: 0, retryAfter: .seconds(3)), .seconds(3))
        XCTAssertEqual(policy.delay(afterAttempt: 1, random: 0, retryAfter: .seconds(600)), .seconds(10))
        XCTAssertEqual(policy.delay(afterAttempt: 1, random: 1, retryAfter: .zero), .milliseconds(100))
        XCTAssertTrue(policy.allowsRetry(afterAttempt: 11))
        XCTAssertFalse(policy.allowsRetry(afterAttempt: 12))
    }

    func testClientDefaultsAreClientGosRestConfigDefaults() {
        // client-go rest/config.go: DefaultQPS 5, DefaultBurst 10.
        XCTAssertEqual(ClientOptions().qps, 5)
        XCTAssertEqual(ClientOptions().burst, 10)
    }
}
