import Foundation
import KubernetesAPI
import XCTest
@testable import EventRecorder

/// The table between `record` and the worker, without a lock or a worker around it.
final class PendingOccurrencesTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_795_000_000)

    private func occurrence(_ name: String, message: String = "sink down", at offset: TimeInterval = 0) -> Occurrence {
        let hpa = ObjectIdentity(apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler",
                                 namespace: "shop", name: name, uid: "")
        return Occurrence(subject: .object(hpa), type: .warning, reason: "ScaleEventForwardFailed", message: message,
                          timestamp: start.addingTimeInterval(offset))
    }

    private func add(_ occurrence: Occurrence, to table: inout PendingOccurrences) -> PendingOccurrences.AddResult {
        table.add(occurrence, key: occurrence.key)
    }

    func testOnlyTheFirstEntryIntoAnEmptyTableWakesTheWorker() {
        var table = PendingOccurrences(capacity: 10)
        XCTAssertEqual(add(occurrence("a"), to: &table), .added(wakeWorker: true))
        XCTAssertEqual(add(occurrence("a"), to: &table), .coalesced)
        XCTAssertEqual(add(occurrence("b"), to: &table), .added(wakeWorker: false))
        _ = table.takeAll()
        XCTAssertEqual(add(occurrence("a"), to: &table), .added(wakeWorker: true), "taken: the next one is new again")
    }

    func testRepeatsBecomeOneEntryWithCountAndFirstAndLastTimestamps() {
        var table = PendingOccurrences(capacity: 10)
        _ = add(occurrence("a", at: 5), to: &table)
        _ = add(occurrence("a", at: 9), to: &table)
        _ = add(occurrence("a", at: 2), to: &table)
        let batch = table.takeAll()
        XCTAssertEqual(batch.occurrences.count, 1)
        XCTAssertEqual(batch.occurrences.first?.count, 3)
        XCTAssertEqual(batch.occurrences.first?.firstTimestamp, start.addingTimeInterval(2))
        XCTAssertEqual(batch.occurrences.first?.lastTimestamp, start.addingTimeInterval(9))
        XCTAssertEqual(table.takeAll().occurrences.count, 0, "taking empties the table")
    }

    func testDistinctMessagesAreSeparateEntriesInTheOrderTheyCame() {
        var table = PendingOccurrences(capacity: 10)
        for message in ["timed out", "answered 503", "timed out", "refused"] {
            _ = add(occurrence("a", message: message), to: &table)
        }
        let batch = table.takeAll()
        XCTAssertEqual(batch.occurrences.map(\.message), ["timed out", "answered 503", "refused"])
        XCTAssertEqual(batch.occurrences.map(\.count), [2, 1, 1])
    }

    func testPodsOfOneOwnerShareAnEntryAndPodsWithoutOneDoNot() {
        var table = PendingOccurrences(capacity: 10)
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d9c", uid: "rs-1",
                                   controller: true)
        func pod(_ name: String, owners: [OwnerReference]) -> Occurrence {
            Occurrence(subject: .pod(FailureReport(message: "boom", namespace: "shop", name: name, ownerReferences: owners)),
                       type: .warning, reason: "InjectionFailed", message: "boom", timestamp: start)
        }
        _ = add(pod("web-5d9c-aaaaa", owners: [owner]), to: &table)
        XCTAssertEqual(add(pod("web-5d9c-bbbbb", owners: [owner]), to: &table), .coalesced)
        XCTAssertEqual(add(pod("lonely-1", owners: []), to: &table), .added(wakeWorker: false))
        XCTAssertEqual(add(pod("lonely-2", owners: []), to: &table), .added(wakeWorker: false))
        XCTAssertEqual(table.takeAll().occurrences.map(\.count), [2, 1, 1])
    }

    func testAFullTableRefusesNewEntriesButCountsRepeats() {
        var table = PendingOccurrences(capacity: 2)
        _ = add(occurrence("a"), to: &table)
        _ = add(occurrence("b"), to: &table)
        XCTAssertEqual(add(occurrence("c"), to: &table), .full)
        XCTAssertEqual(add(occurrence("b"), to: &table), .coalesced)
        XCTAssertEqual(table.takeAll().occurrences.map(\.count), [1, 2])
        XCTAssertEqual(add(occurrence("c"), to: &table), .added(wakeWorker: true), "room again once taken")
    }

    func testAClosedTableRefusesEverythingButGivesUpWhatItHolds() {
        var table = PendingOccurrences(capacity: 10)
        _ = add(occurrence("a"), to: &table)
        table.close()
        XCTAssertEqual(add(occurrence("a"), to: &table), .closed)
        XCTAssertNil(table.requestDeferredWritesCheck())
        XCTAssertEqual(table.takeAll().occurrences.map(\.count), [1])
    }

    func testTheClockWakesAnIdleWorkerOnceAndRidesWithEntries() {
        var table = PendingOccurrences(capacity: 10)
        XCTAssertEqual(table.requestDeferredWritesCheck(), true)
        XCTAssertEqual(table.requestDeferredWritesCheck(), false, "one wake-up is already on its way")
        XCTAssertEqual(add(occurrence("a"), to: &table), .added(wakeWorker: false))
        let batch = table.takeAll()
        XCTAssertTrue(batch.deferredWritesCheckDue)
        XCTAssertEqual(batch.occurrences.count, 1)
        XCTAssertFalse(table.takeAll().deferredWritesCheckDue)
    }
}
