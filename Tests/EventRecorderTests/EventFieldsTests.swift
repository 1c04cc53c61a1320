import Foundation
import KubeClient
import KubernetesAPI
import XCTest
@testable import EventRecorder

final class EventFieldsTests: XCTestCase {
    func testMessageIsCutToTheLimitOnACharacterBoundary() {
        XCTAssertEqual(EventMessage.truncated("short", limit: 1_024), "short")
        let long = String(repeating: "x", count: 2_000)
        XCTAssertEqual(EventMessage.truncated(long, limit: 1_024).utf8.count, 1_024)
        // "é" is two bytes: a cut at an odd byte must step back, not split it.
        let accents = String(repeating: "é", count: 600)
        let cut = EventMessage.truncated(accents, limit: 1_023)
        XCTAssertEqual(cut.utf8.count, 1_022)
        XCTAssertEqual(cut, String(repeating: "é", count: 511))
        // A four-byte emoji at the boundary is left out whole.
        let emoji = "ab" + "😀"
        XCTAssertEqual(EventMessage.truncated(emoji, limit: 4), "ab")
    }

    func testEventCarriesTheFieldsKubectlShows() {
        var options = EventRecorderOptions()
        options.reportingInstance = "kube-injector-7f9-abc"
        let aggregated = AggregatedEvent(
            key: .init(involvedObject: .init(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop",
                                             name: "web", uid: "d-1"),
                       type: .warning, reason: "InjectionFailed", message: "volume agent already exists"),
            name: "web.187a", count: 4,
            firstTimestamp: Date(timeIntervalSince1970: 1_795_000_000),
            lastTimestamp: Date(timeIntervalSince1970: 1_795_000_060))
        let event = Event(aggregated, options: options)
        XCTAssertEqual(event.metadata.name, "web.187a")
        XCTAssertEqual(event.metadata.namespace, "shop")
        XCTAssertEqual(event.involvedObject, ObjectReference(apiVersion: "apps/v1", kind: "Deployment", name: "web",
                                                             namespace: "shop", uid: "d-1"))
        XCTAssertEqual(event.type, "Warning")
        XCTAssertEqual(event.reason, "InjectionFailed")
        XCTAssertEqual(event.message, "volume agent already exists")
        XCTAssertEqual(event.source?.component, "kube-injector")
        XCTAssertNil(event.source?.host)
        XCTAssertEqual(event.reportingComponent, "kube-injector")
        XCTAssertEqual(event.reportingInstance, "kube-injector-7f9-abc")
        XCTAssertEqual(event.count, 4)
        XCTAssertEqual(event.firstTimestamp, KubernetesTimestamp.time(aggregated.firstTimestamp))
        XCTAssertEqual(event.lastTimestamp, KubernetesTimestamp.time(aggregated.lastTimestamp))
    }

    func testFailureWithoutReachableOwnerFallsBackToDirectOwnerThenPodThenNamespace() {
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d9c", uid: "rs", controller: true)
        let withOwner = FailureReport(message: "m", namespace: "shop", name: "", generateName: "web-5d9c-",
                                      ownerReferences: [owner])
        XCTAssertEqual(withOwner.fallbackInvolvedObject,
                       .init(apiVersion: "apps/v1", kind: "ReplicaSet", namespace: "shop", name: "web-5d9c", uid: "rs"))
        let bare = FailureReport(message: "m", namespace: "shop", name: "debug")
        XCTAssertEqual(bare.fallbackInvolvedObject.kind, "Pod")
        let unnamed = FailureReport(message: "m", namespace: "shop", name: "", generateName: "x-")
        XCTAssertEqual(unnamed.fallbackInvolvedObject,
                       .init(apiVersion: "v1", kind: "Namespace", namespace: "", name: "shop", uid: ""))
    }

    func testErrorsAreSortedIntoRetryAndRefusal() {
        let status = Status(code: 500, reason: nil, message: "x")
        XCTAssertEqual(EventSink.writeFailure(for: KubernetesError.notFound(status)), .notFound)
        guard case .retryable(let after, _) = EventSink.writeFailure(for: KubernetesError.tooManyRequests(retryAfter: .seconds(2), status)) else {
            return XCTFail("429 is retryable")
        }
        XCTAssertEqual(after, .seconds(2))
        guard case .retryable = EventSink.writeFailure(for: KubernetesError.server(code: 503, status)),
              case .retryable = EventSink.writeFailure(for: KubernetesError.transport("connection refused")),
              case .retryable = EventSink.writeFailure(for: KubernetesError.unauthorized(status)),
              case .refused = EventSink.writeFailure(for: KubernetesError.invalid(status)),
              case .refused = EventSink.writeFailure(for: KubernetesError.namespaceTerminating(status)),
              case .refused = EventSink.writeFailure(for: KubernetesError.forbidden(status)) else {
            return XCTFail("misclassified")
        }
    }
}
