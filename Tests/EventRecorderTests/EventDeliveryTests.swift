import Foundation
import KubeClient
import XCTest
@testable import EventRecorder

final class EventDeliveryTests: XCTestCase {
    private let event = AggregatedEvent(
        key: .init(involvedObject: .init(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web", uid: "d"),
                   type: .warning, reason: "InjectionFailed", message: "m"),
        name: "web.1", count: 3, firstTimestamp: Date(timeIntervalSince1970: 0), lastTimestamp: Date(timeIntervalSince1970: 9))
    private let policy = RetryPolicy(maxTries: 3, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1), jitter: 0)

    func testCreateThatSucceedsIsDelivered() {
        var delivery = EventDelivery(.create(event), policy: policy)
        XCTAssertEqual(delivery.start(), .send(.create(event)))
        XCTAssertEqual(delivery.writeSucceeded(), .succeeded(event))
        XCTAssertEqual(delivery.state, .delivered(event))
    }

    func testPatchOfAMissingEventFallsBackToCreate() {
        var delivery = EventDelivery(.patch(event), policy: policy)
        XCTAssertEqual(delivery.start(), .send(.patch(event)))
        XCTAssertEqual(delivery.writeFailed(.notFound, jitter: 0), .send(.create(event)))
        XCTAssertEqual(delivery.writeSucceeded(), .succeeded(event))
    }

    func testCreateAnsweredNotFoundIsRefused() {
        var delivery = EventDelivery(.create(event), policy: policy)
        _ = delivery.start()
        guard case .failed(.refused) = delivery.writeFailed(.notFound, jitter: 0) else {
            return XCTFail("a create cannot fall back to anything")
        }
    }

    func testRetryableFailureWaitsThenSendsAgain() {
        var delivery = EventDelivery(.create(event), policy: policy)
        _ = delivery.start()
        XCTAssertEqual(delivery.writeFailed(.retryable(retryAfter: nil, detail: "500"), jitter: 1),
                       .wait(.milliseconds(100)))
        XCTAssertEqual(delivery.state, .retrying(.create(event), attempt: 1))
        XCTAssertEqual(delivery.backoffElapsed(), .send(.create(event)))
        XCTAssertEqual(delivery.state, .writing(.create(event), attempt: 2))
    }

    func testGivesUpAfterTheLastTry() {
        var delivery = EventDelivery(.create(event), policy: policy)
        _ = delivery.start()
        for _ in 1..<3 {
            guard case .wait = delivery.writeFailed(.retryable(retryAfter: nil, detail: "down"), jitter: 0.5) else {
                return XCTFail("expected a backoff")
            }
            _ = delivery.backoffElapsed()
        }
        XCTAssertEqual(delivery.writeFailed(.retryable(retryAfter: nil, detail: "down"), jitter: 0.5),
                       .failed(.exhausted(tries: 3, lastError: "down")))
        XCTAssertEqual(delivery.state, .givenUp(.exhausted(tries: 3, lastError: "down")))
    }

    func testDefiniteRefusalIsNotRetried() {
        var delivery = EventDelivery(.create(event), policy: policy)
        _ = delivery.start()
        XCTAssertEqual(delivery.writeFailed(.refused(detail: "422"), jitter: 0), .failed(.refused(detail: "422")))
        XCTAssertEqual(delivery.backoffElapsed(), .none)
    }
}
