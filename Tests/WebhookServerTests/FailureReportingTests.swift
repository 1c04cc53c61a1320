import Foundation
import TestSupport
import XCTest

/// When the admission core fails on a pod, the server still admits it and hands the failure on.
final class FailureReportingTests: XCTestCase {
    func testOwnFailureAdmitsThePodUnchangedAndReachesTheFailureReporter() async throws {
        let pki = try TestCertificates.make()
        defer { pki.remove() }
        let reporter = RecordingFailureReporter()
        let server = try await WebhookTestServer(
            pki: pki, pair: try pki.makeServingPair(name: "serving", organization: "first"), reporter: reporter)
        // A container without a name: the injector cannot address it and must fail open.
        let body = AdmissionReviewSamples.podCreate(uid: "broken-1")
            .replacingOccurrences(of: #""name":"app","image""#, with: #""image""#)
        let file = pki.directory.appendingPathComponent("broken.json")
        try Data(body.utf8).write(to: file)
        let result = try await server.curl(["-H", "Content-Type: application/json", "--data-binary", "@\(file.path)",
                                            "\(server.baseURL)/mutate"])
        let response = try XCTUnwrap(AdmissionReviewSamples.response(result.standardOutput), result.standardOutput)
        XCTAssertEqual(response.uid, "broken-1")
        XCTAssertTrue(response.allowed)
        XCTAssertNil(response.patch)
        XCTAssertEqual(reporter.records.map(\.requestUID), ["broken-1"])
        XCTAssertEqual(reporter.records.first?.ownerReferences.first?.name, "checkout-7d9c6b5f4d")
        let failedOpen = try await server.metric(#"kube_injector_admission_requests_total{outcome="failed-open"}"#)
        XCTAssertEqual(failedOpen, 1)
        try await server.stop()
    }
}
