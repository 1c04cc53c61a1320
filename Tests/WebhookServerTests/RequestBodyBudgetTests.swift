@testable import WebhookServer
import XCTest

/// The shared body budget's arithmetic: reservations fit or wait, and one body larger than the
/// whole budget is let through alone rather than never.
final class RequestBodyBudgetTests: XCTestCase {
    func testReservationsBeyondTheLimitWaitUntilOthersAreReleased() {
        let budget = RequestBodyBudget(limit: 10)
        XCTAssertTrue(budget.tryReserve(6))
        XCTAssertFalse(budget.tryReserve(5), "6 + 5 exceeds 10")
        XCTAssertTrue(budget.tryReserve(4))
        XCTAssertEqual(budget.inUse, 10)
        budget.release(6)
        XCTAssertTrue(budget.tryReserve(5))
        XCTAssertEqual(budget.inUse, 9)
    }

    func testABodyLargerThanTheBudgetIsLetThroughWhenNothingElseIsReserved() {
        let budget = RequestBodyBudget(limit: 10)
        XCTAssertTrue(budget.tryReserve(1))
        XCTAssertFalse(budget.tryReserve(20))
        budget.release(1)
        XCTAssertTrue(budget.tryReserve(20))
        XCTAssertFalse(budget.tryReserve(1), "nothing else while it is in flight")
    }
}
