import Foundation
import TestSupport
import XCTest

/// Volumes of real AdmissionReviews through curl: sequential on one keep-alive connection and
/// concurrent over many, each answered with its own uid and patched.
final class ReviewTrafficTests: XCTestCase {
    private var pki: TestCertificates!
    private var server: WebhookTestServer!

    override func setUp() async throws {
        pki = try TestCertificates.make()
        server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "serving", organization: "first"))
    }

    override func tearDown() async throws {
        try await server?.stop()
        pki?.remove()
    }

    func testAThousandSequentialReviewsOnOneConnectionEachGetTheirOwnUID() async throws {
        let count = 1000
        let config = try writeRequests(count: count, parallel: false)
        let result = try await server.curl(["-K", config], limit: 120)
        XCTAssertEqual(result.status, 0, result.standardError)
        let connectsPerRequest = result.standardOutput.split(separator: "\n").compactMap { Int($0) }
        XCTAssertEqual(connectsPerRequest.count, count)
        XCTAssertEqual(connectsPerRequest.reduce(0, +), 1, "keep-alive: one connection for all requests")
        try assertAnswers(count: count)
        let injected = try await server.metric(#"kube_injector_admission_requests_total{outcome="injected"}"#)
        XCTAssertEqual(injected, Double(count))
    }

    func testAHundredConcurrentReviewsEachGetTheirOwnUID() async throws {
        let count = 100
        let config = try writeRequests(count: count, parallel: true)
        let result = try await server.curl(["-K", config], limit: 120)
        XCTAssertEqual(result.status, 0, result.standardError)
        try assertAnswers(count: count)
    }

    func testABodyThatIsNotAnAdmissionReviewIs400AndCountedAsError() async throws {
        let result = try await server.curl(["-w", "\n%{http_code}", "-H", "Content-Type: application/json",
                                            "--data-binary", "{\"kind\":", "\(server.baseURL)/mutate"])
        XCTAssertTrue(result.standardOutput.hasSuffix("\n400"), result.standardOutput)
        let errors = try await server.metric(#"kube_injector_admission_requests_total{outcome="error"}"#)
        XCTAssertEqual(errors, 1)
    }

    /// A curl config with one request per uid, each body in its own file and each answer to its own file.
    private func writeRequests(count: Int, parallel: Bool) throws -> String {
        var config = parallel ? "parallel\nparallel-max = \(count)\n" : ""
        for index in 0..<count {
            if index > 0 { config += "next\n" }
            let request = pki.directory.appendingPathComponent("request-\(index).json")
            try Data(AdmissionReviewSamples.podCreate(uid: AdmissionReviewSamples.uid(index), containerName: "app-\(index)").utf8).write(to: request)
            config += """
                url = "\(server.baseURL)/mutate"
                cacert = "\(pki.caCertificatePath)"
                write-out = "%{num_connects}\\n"
                header = "Content-Type: application/json"
                data-binary = "@\(request.path)"
                output = "\(pki.directory.appendingPathComponent("response-\(index).json").path)"

                """
        }
        let path = pki.directory.appendingPathComponent("curl-\(parallel ? "parallel" : "sequential").conf")
        try Data(config.utf8).write(to: path)
        return path.path
    }

    private func assertAnswers(count: Int) throws {
        for index in 0..<count {
            let body = try String(contentsOf: pki.directory.appendingPathComponent("response-\(index).json"), encoding: .utf8)
            let response = try XCTUnwrap(AdmissionReviewSamples.response(body), "answer \(index): \(body)")
            XCTAssertEqual(response.uid, AdmissionReviewSamples.uid(index))
            XCTAssertTrue(response.allowed)
            let patch = try XCTUnwrap(response.patch, "answer \(index) has no patch")
            XCTAssertTrue(patch.contains("CLUSTER_NAME"), patch)
        }
    }
}
