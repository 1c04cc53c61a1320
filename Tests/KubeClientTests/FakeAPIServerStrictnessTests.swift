import Foundation
import KubeClient
import KubernetesAPI
import TestSupport
import XCTest

/// The fake must refuse what the real API server refuses, or the client tests would prove little.
final class FakeAPIServerStrictnessTests: FakeServerTestCase {
    private func send(_ method: String, _ path: String, contentType: String?, body: String) async throws -> HTTPResponse {
        var headers = [("Authorization", "Bearer \(server.token)")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        return try await HTTPTransport().send(HTTPRequest(
            method: method, url: server.url + path, headers: headers, body: Array(body.utf8),
            certificateAuthorityPEM: server.certificates.caCertificatePEM))
    }

    func testWrongContentTypesAreUnsupportedMediaType() async throws {
        let event = #"{"metadata":{"name":"a"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"R"}"#
        let noType = try await send("POST", "/api/v1/namespaces/default/events", contentType: nil, body: event)
        XCTAssertEqual(noType.status, 415)
        let created = try await send("POST", "/api/v1/namespaces/default/events", contentType: "application/json", body: event)
        XCTAssertEqual(created.status, 201)
        let plainJSONPatch = try await send("PATCH", "/api/v1/namespaces/default/events/a",
                                            contentType: "application/json", body: #"{"count":2}"#)
        XCTAssertEqual(plainJSONPatch.status, 415)
    }

    func testMismatchedAPIVersionAndNamespaceAreRefused() async throws {
        let wrongVersion = try await send("POST", "/apis/apps/v1/namespaces/default/deployments",
                                          contentType: "application/json",
                                          body: #"{"apiVersion":"v1","kind":"Deployment","metadata":{"name":"d"}}"#)
        XCTAssertEqual(wrongVersion.status, 400)
        let wrongNamespace = try await send("POST", "/api/v1/namespaces/default/configmaps",
                                            contentType: "application/json",
                                            body: #"{"metadata":{"name":"c","namespace":"other"}}"#)
        XCTAssertEqual(wrongNamespace.status, 400)
        let unknownPath = try await send("GET", "/api/v1/namespaces/default", contentType: nil, body: "")
        XCTAssertEqual(unknownPath.status, 404, "the Namespace object itself was never created")
        let badPath = try await send("GET", "/api/v1/namespaces/default/pods/p/exec/extra", contentType: nil, body: "")
        XCTAssertEqual(badPath.status, 404)
    }

    func testEventInvolvingAnotherNamespaceIsInvalid() async throws {
        let client = try makeClient()
        var event = warningEvent(name: "x.1")
        event.involvedObject.namespace = "elsewhere"
        do {
            _ = try await client.create(path: "/api/v1/namespaces/default/events", body: event)
            XCTFail("expected invalid")
        } catch KubernetesError.invalid(let status) {
            XCTAssertEqual(status.details?.causes?.first?.field, "involvedObject.namespace")
        }
    }

    func testLeaseTimesMustBeMicroTime() async throws {
        let client = try makeClient()
        let leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
        let now = Date()
        let good = Lease(metadata: ObjectMeta(name: "forwarder"),
                         spec: .init(holderIdentity: "pod-a", leaseDurationSeconds: 15,
                                     acquireTime: KubernetesTimestamp.microTime(now),
                                     renewTime: KubernetesTimestamp.microTime(now), leaseTransitions: 0))
        let created = try await client.create(path: leases, body: good)
        XCTAssertEqual(created.spec?.holderIdentity, "pod-a")

        var bad = good
        bad.metadata.name = "other"
        bad.spec?.renewTime = KubernetesTimestamp.time(now)
        do {
            _ = try await client.create(path: leases, body: bad)
            XCTFail("expected invalid")
        } catch KubernetesError.invalid(let status) {
            XCTAssertEqual(status.details?.causes?.first?.field, "spec.renewTime")
        }
    }

    func testSecretDataDecodes() async throws {
        try await server.seed(path: "/api/v1/namespaces/default/secrets", object: [
            "metadata": ["name": "sink"], "type": "Opaque",
            "data": ["url": Data("https://sink.example/hook".utf8).base64EncodedString()]])
        let secret = try await makeClient().get(Secret.self, path: "/api/v1/namespaces/default/secrets/sink")
        XCTAssertEqual(secret.value(forKey: "url"), "https://sink.example/hook")
        XCTAssertNil(secret.value(forKey: "missing"))
    }

    /// Not a pass/fail test: prints request rates over TLS to the fake when KUBE_CLIENT_FIGURES=1.
    func testFigureRequestRate() async throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["KUBE_CLIENT_FIGURES"] == "1", "figures only on demand")
        let client = try makeClient(options: ClientOptions(qps: 0, burst: 1))
        let path = "/api/v1/namespaces/default/events"
        let sequential = 300
        var started = ContinuousClock.now
        for _ in 0..<sequential { _ = try await client.list(Event.self, path: path) }
        let sequentialTime = ContinuousClock.now - started
        started = ContinuousClock.now
        let events = (0..<sequential).map { warningEvent(name: "f.\($0)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for event in events {
                group.addTask { _ = try await client.create(path: path, body: event) }
            }
            try await group.waitForAll()
        }
        let concurrentTime = ContinuousClock.now - started
        let peers = Set(try await server.requests(pathPrefix: path).map(\.peer)).count
        print("FIGURE sequential GET: \(sequential) in \(sequentialTime); concurrent POST: \(sequential) in "
              + "\(concurrentTime); connections used: \(peers)")
    }
}
