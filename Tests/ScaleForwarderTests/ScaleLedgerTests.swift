import Foundation
import KubeClient
import XCTest
@testable import ScaleForwarder

final class ScaleLedgerTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_795_320_000)

    func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    func testEachCountIncrementIsOneScale() {
        var ledger = ScaleLedger(checkpoint: ScaleCheckpoint(since: start))
        XCTAssertEqual(ledger.claim(eventUID: "e", count: 1, firstTimestamp: at(10), lastTimestamp: at(10), now: at(11)), 1...1)
        ledger.complete(eventUID: "e", count: 1, lastTimestamp: at(10))
        XCTAssertEqual(ledger.claim(eventUID: "e", count: 3, firstTimestamp: at(10), lastTimestamp: at(40), now: at(41)), 2...3)
    }

    func testSeeingTheSameCountAgainSendsNothing() {
        var ledger = ScaleLedger(checkpoint: ScaleCheckpoint(since: start))
        XCTAssertNotNil(ledger.claim(eventUID: "e", count: 2, firstTimestamp: at(10), lastTimestamp: at(20), now: at(21)))
        // Queued, not yet delivered: a relist must not queue it again.
        XCTAssertNil(ledger.claim(eventUID: "e", count: 2, firstTimestamp: at(10), lastTimestamp: at(20), now: at(22)))
        ledger.complete(eventUID: "e", count: 1, lastTimestamp: at(20))
        ledger.complete(eventUID: "e", count: 2, lastTimestamp: at(20))
        XCTAssertNil(ledger.claim(eventUID: "e", count: 2, firstTimestamp: at(10), lastTimestamp: at(20), now: at(23)))
    }

    func testRestartFromTheCheckpointResendsNothingAndSendsWhatWasMissed() throws {
        var ledger = ScaleLedger(checkpoint: ScaleCheckpoint(since: start))
        _ = ledger.claim(eventUID: "e", count: 2, firstTimestamp: at(10), lastTimestamp: at(20), now: at(21))
        ledger.complete(eventUID: "e", count: 2, lastTimestamp: at(20))
        let saved = ledger.checkpoint.serialized()

        var restarted = ScaleLedger(checkpoint: try ScaleCheckpoint(serialized: saved))
        XCTAssertNil(restarted.claim(eventUID: "e", count: 2, firstTimestamp: at(10), lastTimestamp: at(20), now: at(100)))
        // While we were down: one more increment, and a new Event.
        XCTAssertEqual(restarted.claim(eventUID: "e", count: 3, firstTimestamp: at(10), lastTimestamp: at(90), now: at(100)), 3...3)
        XCTAssertEqual(restarted.claim(eventUID: "f", count: 2, firstTimestamp: at(60), lastTimestamp: at(80), now: at(100)), 1...2)
    }

    func testEventsFromBeforeTheForwarderExistedAreNotSent() {
        var ledger = ScaleLedger(checkpoint: ScaleCheckpoint(since: start))
        XCTAssertNil(ledger.claim(eventUID: "old", count: 4, firstTimestamp: at(-600), lastTimestamp: at(-60), now: at(1)))
        // Updated after we began, but first seen before: only the latest count is known to be new.
        XCTAssertEqual(ledger.claim(eventUID: "straddles", count: 4, firstTimestamp: at(-600), lastTimestamp: at(5), now: at(6)), 4...4)
    }

    func testUnknownEventOlderThanRetentionIsNotSentAfterEviction() {
        var ledger = ScaleLedger(checkpoint: ScaleCheckpoint(since: start), retention: .seconds(3600))
        _ = ledger.claim(eventUID: "e", count: 1, firstTimestamp: at(10), lastTimestamp: at(10), now: at(11))
        ledger.complete(eventUID: "e", count: 1, lastTimestamp: at(10))
        ledger.evict(now: at(4000))
        XCTAssertNil(ledger.checkpoint.entries["e"])
        XCTAssertNil(ledger.claim(eventUID: "e", count: 1, firstTimestamp: at(10), lastTimestamp: at(10), now: at(4001)))
    }

    func testDroppedClaimsAreClaimedAgainByTheNextTerm() {
        var ledger = ScaleLedger(checkpoint: ScaleCheckpoint(since: start))
        XCTAssertEqual(ledger.claim(eventUID: "e", count: 2, firstTimestamp: at(10), lastTimestamp: at(20), now: at(21)), 1...2)
        ledger.complete(eventUID: "e", count: 1, lastTimestamp: at(20))
        ledger.dropClaims()
        XCTAssertEqual(ledger.claim(eventUID: "e", count: 2, firstTimestamp: at(10), lastTimestamp: at(20), now: at(22)), 2...2)
    }

    func testCheckpointCapacityKeepsTheNewest() {
        var checkpoint = ScaleCheckpoint(since: start)
        for index in 0..<10 {
            checkpoint.entries["e\(index)"] = .init(count: 1, lastSeen: at(TimeInterval(index)))
        }
        checkpoint.evict(now: at(20), retention: .seconds(3600), capacity: 3)
        XCTAssertEqual(Set(checkpoint.entries.keys), ["e7", "e8", "e9"])
    }

    func testCheckpointRoundTripsAndRejectsGarbage() throws {
        var checkpoint = ScaleCheckpoint(since: start)
        checkpoint.entries["2b8e-uid"] = .init(count: 7, lastSeen: at(30))
        XCTAssertEqual(try ScaleCheckpoint(serialized: checkpoint.serialized()), checkpoint)
        XCTAssertThrowsError(try ScaleCheckpoint(serialized: "{nope"))
        XCTAssertThrowsError(try ScaleCheckpoint(serialized: #"{"version":2,"since":"2026-11-22T04:00:00Z","sent":{}}"#)) {
            XCTAssertEqual($0 as? ScaleCheckpointError, .unsupportedVersion(2))
        }
    }
}

final class SinkDeliveryDecisionTests: XCTestCase {
    let policy = RetryPolicy.sinkDelivery

    private func decide(_ outcome: SinkDelivery.Outcome, attempt: Int, random: Double,
                        policy: RetryPolicy = .sinkDelivery) -> SinkDelivery.Decision {
        SinkDelivery.decide(outcome, attempt: attempt, policy: policy, random: random)
    }

    func testSuccessIsDelivered() {
        XCTAssertEqual(decide(.status(202, retryAfter: nil), attempt: 1, random: 0), .delivered)
    }

    func testServerErrorsAndNetworkErrorsAreRetriedWithGrowingBackoff() {
        XCTAssertEqual(decide(.status(503, retryAfter: nil), attempt: 1, random: 0), .retry(after: .milliseconds(500)))
        XCTAssertEqual(decide(.transportError("connection refused"), attempt: 3, random: 0), .retry(after: .seconds(2)))
        XCTAssertEqual(decide(.status(500, retryAfter: nil), attempt: 3, random: 1), .retry(after: .seconds(3)))
        XCTAssertEqual(decide(.status(500, retryAfter: nil), attempt: 5, random: 0), .retry(after: .seconds(8)))
    }

    func testBackoffIsCapped() {
        var policy = RetryPolicy.sinkDelivery
        policy.maxTries = 50
        XCTAssertEqual(decide(.status(500, retryAfter: nil), attempt: 20, random: 0, policy: policy), .retry(after: .seconds(30)))
    }

    func testTooManyRequestsHonoursRetryAfterUpToTheCap() {
        XCTAssertEqual(decide(.status(429, retryAfter: .seconds(7)), attempt: 1, random: 0.9), .retry(after: .seconds(7)))
        XCTAssertEqual(decide(.status(429, retryAfter: .seconds(3600)), attempt: 1, random: 0), .retry(after: .seconds(120)))
    }

    func testOtherClientErrorsAreFinal() {
        guard case .giveUp(let reason) = decide(.status(401, retryAfter: nil), attempt: 1, random: 0) else {
            return XCTFail("401 must not be retried")
        }
        XCTAssertTrue(reason.contains("401"))
        XCTAssertEqual(decide(.status(404, retryAfter: nil), attempt: 1, random: 0),
                       .giveUp(reason: "the sink answered HTTP 404, which is not retried"))
    }

    func testAttemptsRunOut() {
        XCTAssertEqual(decide(.status(500, retryAfter: nil), attempt: 6, random: 0), .giveUp(reason: "HTTP 500 after 6 attempts"))
    }
}
