import Admission
import Foundation
import Prometheus
import TestSupport
@testable import WebhookServer
import XCTest

/// `kube_injector_admission_failed_open_total{reason}`: every reason's series exists from start,
/// and a failed-open review counts under its own reason and no other.
final class FailOpenReasonMetricsTests: XCTestCase {
    private static let family = WebhookMetrics.failedOpenLabel

    /// `reason` -> value of every `kube_injector_admission_failed_open_total` sample in `text`.
    private static func failedOpenSamples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        let prefix = "\(family){reason=\""
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count)
            guard let quote = rest.firstIndex(of: "\""), let space = rest.lastIndex(of: " ") else { continue }
            samples[String(rest[..<quote])] = Double(rest[rest.index(after: space)...])
        }
        return samples
    }

    private static var zeroForEveryReason: [String: Double] {
        Dictionary(uniqueKeysWithValues: FailOpenReason.allCases.map { ($0.rawValue, 0) })
    }

    func testEveryReasonIncrementsExactlyItsOwnSeries() throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = WebhookMetrics(factory: WebhookMetrics.prometheusFactory(registry: registry))
        var expected = Self.zeroForEveryReason
        XCTAssertEqual(Self.failedOpenSamples(String(decoding: registry.emitToBuffer(), as: UTF8.self)), expected)
        for (count, reason) in FailOpenReason.allCases.enumerated() {
            // A different number of reviews per reason, so a swapped counter shows.
            for _ in 0...count {
                metrics.reviewStarted()
                metrics.reviewFinished(.failedOpen, failOpenReason: reason, patchOperations: 0, nanoseconds: 1_000)
            }
            expected[reason.rawValue] = Double(count + 1)
            XCTAssertEqual(Self.failedOpenSamples(String(decoding: registry.emitToBuffer(), as: UTF8.self)), expected, "\(reason)")
        }
        // The other outcomes leave the reasons alone.
        metrics.reviewStarted()
        metrics.reviewFinished(.injected, patchOperations: 3, nanoseconds: 1_000)
        metrics.reviewStarted()
        metrics.reviewFinished(.skipped, patchOperations: 0, nanoseconds: 1_000)
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        XCTAssertEqual(Self.failedOpenSamples(text), expected)
        let total = FailOpenReason.allCases.count * (FailOpenReason.allCases.count + 1) / 2
        XCTAssertTrue(text.contains("kube_injector_admission_requests_total{outcome=\"failed-open\"} \(total)\n"), text)
    }

    func testFailedOpenReviewsOverHTTPCountUnderTheirReason() async throws {
        let pki = try TestCertificates.make()
        defer { pki.remove() }
        let reporter = RecordingFailureReporter()
        let server = try await WebhookTestServer(
            pki: pki, pair: try pki.makeServingPair(name: "serving", organization: "first"), reporter: reporter)
        // Every series is there, at 0, before the first failure.
        let atStart = try await server.metricsText()
        XCTAssertEqual(Self.failedOpenSamples(atStart), Self.zeroForEveryReason)

        let sample = AdmissionReviewSamples.podCreate(uid: "u")
        let reviews: [(FailOpenReason, String)] = [
            // A container without a name: the pod cannot be addressed.
            (.malformedPod, sample.replacingOccurrences(of: #""name":"app","image""#, with: #""image""#)),
            // The annotation names a profile the configuration does not define.
            (.unknownProfile, sample.replacingOccurrences(
                of: #""metadata":{"#, with: #""metadata":{"annotations":{"\#(Annotations.inject)":"nope"},"#)),
            // The injected init container's name is the app container's.
            (.injectionConflict, AdmissionReviewSamples.podCreate(uid: "u", containerName: "test-init")),
            // validateEphemeralContainers: the injected init container's name is an ephemeral container's.
            (.invalidPod, sample.replacingOccurrences(
                of: #""spec":{"#, with: #""spec":{"ephemeralContainers":[{"name":"test-init","image":"debug:1"}],"#)),
        ]
        var expected = Self.zeroForEveryReason
        for (index, (reason, body)) in reviews.enumerated() {
            let file = pki.directory.appendingPathComponent("review-\(index).json")
            try Data(body.utf8).write(to: file)
            let result = try await server.curl(["-H", "Content-Type: application/json", "--data-binary", "@\(file.path)",
                                                "\(server.baseURL)/mutate"])
            let response = try XCTUnwrap(AdmissionReviewSamples.response(result.standardOutput), result.standardOutput)
            XCTAssertTrue(response.allowed, "\(reason)")
            XCTAssertNil(response.patch, "\(reason)")
            expected[reason.rawValue] = 1
            // Counted just after the answer is written: wait for it rather than race it.
            _ = try await server.waitForMetric("\(Self.family){reason=\"\(reason.rawValue)\"}", limit: 30) { $0 >= 1 }
            let text = try await server.metricsText()
            XCTAssertEqual(Self.failedOpenSamples(text), expected, "\(reason)")
        }
        XCTAssertEqual(reporter.records.count, reviews.count)
        let failedOpen = try await server.metric(#"kube_injector_admission_requests_total{outcome="failed-open"}"#)
        XCTAssertEqual(failedOpen, Double(reviews.count))
        try await server.stop()
    }
}
