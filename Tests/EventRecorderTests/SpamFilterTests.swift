import KubeClient
import KubernetesAPI
import XCTest
@testable import EventRecorder

final class SpamFilterTests: XCTestCase {
    private let pod = ObjectIdentity(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web", uid: "u1")
    private let other = ObjectIdentity(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api", uid: "u2")

    func testBurstPassesThenWritesAreHeldBack() {
        let start = ContinuousClock.now
        var filter = SpamFilter(burst: 25, refillInterval: .seconds(300), capacity: 16)
        let key = SpamFilterKey(involvedObject: pod, reason: "InjectionFailed")
        let allowed = (0..<30).filter { _ in filter.allow(key, now: start) }.count
        XCTAssertEqual(allowed, 25)
    }

    func testOneTokenReturnsPerRefillInterval() {
        let start = ContinuousClock.now
        var filter = SpamFilter(burst: 2, refillInterval: .seconds(300), capacity: 16)
        let key = SpamFilterKey(involvedObject: pod, reason: "InjectionFailed")
        XCTAssertTrue(filter.allow(key, now: start))
        XCTAssertTrue(filter.allow(key, now: start))
        XCTAssertFalse(filter.allow(key, now: start + .seconds(299)))
        XCTAssertTrue(filter.allow(key, now: start + .seconds(300)))
        XCTAssertFalse(filter.allow(key, now: start + .seconds(301)))
    }

    func testOneNoisyObjectDoesNotSilenceAnother() {
        let start = ContinuousClock.now
        var filter = SpamFilter(burst: 1, refillInterval: .seconds(300), capacity: 16)
        XCTAssertTrue(filter.allow(.init(involvedObject: pod, reason: "InjectionFailed"), now: start))
        XCTAssertFalse(filter.allow(.init(involvedObject: pod, reason: "InjectionFailed"), now: start))
        XCTAssertTrue(filter.allow(.init(involvedObject: other, reason: "InjectionFailed"), now: start))
        XCTAssertTrue(filter.allow(.init(involvedObject: pod, reason: "OtherReason"), now: start))
    }

    func testBucketsAreBoundedByCapacity() {
        let start = ContinuousClock.now
        var filter = SpamFilter(burst: 1, refillInterval: .seconds(300), capacity: 8)
        for i in 0..<1_000 {
            let object = ObjectIdentity(apiVersion: "v1", kind: "Pod", namespace: "n", name: "p\(i)", uid: "")
            _ = filter.allow(.init(involvedObject: object, reason: "r"), now: start)
        }
        XCTAssertEqual(filter.trackedKeys, 8)
    }

    func testClockGoingBackwardsAddsNoTokens() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(burst: 1, refillInterval: .seconds(10), now: start)
        XCTAssertTrue(bucket.take(now: start))
        XCTAssertFalse(bucket.take(now: start - .seconds(100)))
        XCTAssertFalse(bucket.take(now: start + .seconds(5)))
        XCTAssertTrue(bucket.take(now: start + .seconds(10)))
    }
}
