import Foundation
import KubeClient
import KubernetesAPI
import TestSupport
import XCTest

final class KubernetesClientTests: FakeServerTestCase {
    private let events = "/api/v1/namespaces/default/events"

    func testCreateThenGetReturnsTheStoredEvent() async throws {
        let client = try makeClient()
        let created = try await client.create(path: events, body: warningEvent(name: "web.1"))
        XCTAssertEqual(created.metadata.name, "web.1")
        XCTAssertNotNil(created.metadata.uid)
        XCTAssertNotNil(created.metadata.resourceVersion)

        let fetched = try await client.get(Event.self, path: "\(events)/web.1")
        XCTAssertEqual(fetched.reason, "InjectionFailed")
        XCTAssertEqual(fetched.involvedObject.kind, "Deployment")

        let log = try await server.requests(pathPrefix: events)
        XCTAssertEqual(log.first?.method, "POST")
        XCTAssertEqual(log.first?.contentType, "application/json")
        XCTAssertEqual(log.first?.authentication, "token")
    }

    func testMergePatchChangesOnlyTheGivenFields() async throws {
        let client = try makeClient()
        _ = try await client.create(path: events, body: warningEvent(name: "web.2"))
        let patched = try await client.patch(Event.self, path: "\(events)/web.2", patchType: .merge,
                                             body: Array(#"{"count": 7}"#.utf8))
        XCTAssertEqual(patched.count, 7)
        XCTAssertEqual(patched.reason, "InjectionFailed")
        let log = try await server.requests(pathPrefix: "\(events)/web.2")
        XCTAssertEqual(log.last?.contentType, "application/merge-patch+json")
    }

    func testStrategicMergeAndJSONPatchUseTheirContentTypes() async throws {
        let client = try makeClient()
        _ = try await client.create(path: events, body: warningEvent(name: "web.3"))
        let strategic = try await client.patch(Event.self, path: "\(events)/web.3", patchType: .strategicMerge,
                                               body: Array(#"{"message": "changed"}"#.utf8))
        XCTAssertEqual(strategic.message, "changed")
        let json = try await client.patch(Event.self, path: "\(events)/web.3", patchType: .json,
                                          body: Array(#"[{"op": "replace", "path": "/count", "value": 3}]"#.utf8))
        XCTAssertEqual(json.count, 3)
        let types = try await server.requests(pathPrefix: "\(events)/web.3").map(\.contentType)
        XCTAssertEqual(types, ["application/strategic-merge-patch+json", "application/json-patch+json"])
    }

    func testUpdateWithAStaleResourceVersionIsAConflict() async throws {
        let client = try makeClient()
        let created = try await client.create(path: events, body: warningEvent(name: "web.4"))
        var first = created
        first.count = 2
        let updated = try await client.update(path: "\(events)/web.4", body: first)
        XCTAssertEqual(updated.count, 2)
        XCTAssertNotEqual(updated.metadata.resourceVersion, created.metadata.resourceVersion)

        var stale = created
        stale.count = 3
        let error = await expectKubernetesError { try await client.update(path: "\(self.events)/web.4", body: stale) }
        guard case .conflict(let status)? = error else { return XCTFail("expected conflict, got \(String(describing: error))") }
        XCTAssertEqual(status.code, 409)
        XCTAssertEqual(error?.isRetryable, false)
    }

    func testListReturnsItemsAndAResourceVersion() async throws {
        let client = try makeClient()
        for index in 1...3 {
            _ = try await client.create(path: events, body: warningEvent(name: "web.l\(index)"))
        }
        let list = try await client.list(Event.self, path: events, query: ["fieldSelector": "reason=InjectionFailed"])
        XCTAssertEqual(list.items.map { $0.metadata.name }, ["web.l1", "web.l2", "web.l3"])
        XCTAssertNotNil(list.metadata.resourceVersion)
        let page = try await client.list(Event.self, path: events, query: ["limit": "2"])
        XCTAssertEqual(page.items.count, 2)
        XCTAssertNotNil(page.metadata.continue)
    }

    func testDeleteThenGetIsNotFound() async throws {
        let client = try makeClient()
        _ = try await client.create(path: events, body: warningEvent(name: "web.5"))
        try await client.delete(path: "\(events)/web.5")
        let error = await expectKubernetesError { try await client.get(Event.self, path: "\(self.events)/web.5") }
        guard case .notFound(let status)? = error else { return XCTFail("expected notFound, got \(String(describing: error))") }
        XCTAssertEqual(status.reason, "NotFound")
    }

    func testEventWithoutReasonIsInvalidWithTheFieldNamed() async throws {
        let client = try makeClient()
        var event = warningEvent(name: "web.6")
        event.reason = nil
        let error = await expectKubernetesError { try await client.create(path: self.events, body: event) }
        guard case .invalid(let status)? = error else { return XCTFail("expected invalid, got \(String(describing: error))") }
        XCTAssertEqual(status.details?.causes?.first?.field, "reason")
    }

    func testCreatingAnExistingNameIsAConflict() async throws {
        let client = try makeClient()
        _ = try await client.create(path: events, body: warningEvent(name: "web.7"))
        let error = await expectKubernetesError { try await client.create(path: self.events, body: self.warningEvent(name: "web.7")) }
        guard case .conflict(let status)? = error else { return XCTFail("expected conflict, got \(String(describing: error))") }
        XCTAssertEqual(status.reason, "AlreadyExists")
    }

    func testTooManyRequestsCarriesRetryAfter() async throws {
        let client = try makeClient()
        try await server.inject(.init(method: "POST", pathPrefix: events, status: 429, retryAfter: 7))
        let error = await expectKubernetesError { try await client.create(path: self.events, body: self.warningEvent(name: "web.8")) }
        guard case .tooManyRequests(let retryAfter, _)? = error else {
            return XCTFail("expected tooManyRequests, got \(String(describing: error))")
        }
        XCTAssertEqual(retryAfter, .seconds(7))
        XCTAssertEqual(error?.isRetryable, true)
        // The injected failure was used up: the same request now succeeds.
        _ = try await client.create(path: events, body: warningEvent(name: "web.8"))
    }

    func testServerErrorsAndGoneAreTyped() async throws {
        let client = try makeClient()
        try await server.inject(.init(method: "GET", pathPrefix: events, status: 503))
        let unavailable = await expectKubernetesError { try await client.list(Event.self, path: self.events) }
        guard case .server(let code, _)? = unavailable else { return XCTFail("expected server, got \(String(describing: unavailable))") }
        XCTAssertEqual(code, 503)
        XCTAssertEqual(unavailable?.isRetryable, true)

        try await server.inject(.init(method: "GET", pathPrefix: events, status: 410))
        let gone = await expectKubernetesError { try await client.list(Event.self, path: self.events) }
        guard case .gone? = gone else { return XCTFail("expected gone, got \(String(describing: gone))") }
    }

    func testCreateInATerminatingNamespaceIsNamespaceTerminating() async throws {
        try await server.seed(path: "/api/v1/namespaces",
                              object: ["metadata": ["name": "leaving"], "status": ["phase": "Terminating"]])
        let client = try makeClient()
        let error = await expectKubernetesError {
            try await client.create(path: "/api/v1/namespaces/leaving/events",
                                    body: self.warningEvent(name: "web.9", namespace: "leaving"))
        }
        guard case .namespaceTerminating(let status)? = error else {
            return XCTFail("expected namespaceTerminating, got \(String(describing: error))")
        }
        XCTAssertEqual(status.code, 403)
        XCTAssertEqual(error?.isRetryable, false)
    }

    func testWrongTokenIsUnauthorized() async throws {
        let configuration = ClientConfiguration(server: server.url,
                                                certificateAuthorityPEM: server.certificates.caCertificatePEM,
                                                credentials: .token("not-the-token"))
        let client = try KubernetesClient(configuration: configuration)
        let error = await expectKubernetesError { try await client.list(Event.self, path: self.events) }
        guard case .unauthorized? = error else { return XCTFail("expected unauthorized, got \(String(describing: error))") }
    }

    func testUntrustedServerCertificateIsATransportError() async throws {
        let configuration = ClientConfiguration(server: server.url, certificateAuthorityPEM: nil,
                                                credentials: .token(server.token))
        let client = try KubernetesClient(configuration: configuration)
        let error = await expectKubernetesError { try await client.list(Event.self, path: self.events) }
        guard case .transport? = error else { return XCTFail("expected transport, got \(String(describing: error))") }
        // insecure-skip-tls-verify accepts it.
        let insecure = try KubernetesClient(configuration: ClientConfiguration(
            server: server.url, insecureSkipTLSVerify: true, credentials: .token(server.token)))
        _ = try await insecure.list(Event.self, path: events)
    }

    func testClientCertificateAuthenticates() async throws {
        let configuration = ClientConfiguration(
            server: server.url, certificateAuthorityPEM: server.certificates.caCertificatePEM,
            credentials: .clientCertificate(certificatePEM: server.certificates.clientCertificatePEM,
                                            keyPEM: server.certificates.clientKeyPEM))
        let client = try KubernetesClient(configuration: configuration)
        _ = try await client.list(Event.self, path: events)
        let log = try await server.requests(pathPrefix: events)
        XCTAssertEqual(log.last?.authentication, "certificate")
    }

    func testSequentialRequestsReuseOneConnection() async throws {
        let client = try makeClient()
        for _ in 0..<5 {
            _ = try await client.list(Event.self, path: events)
        }
        let peers = Set(try await server.requests(pathPrefix: events).map(\.peer))
        XCTAssertEqual(peers.count, 1, "expected one connection, saw \(peers)")
    }

    func testHungRequestTimesOutAsTransportError() async throws {
        let client = try makeClient(options: ClientOptions(requestTimeout: .milliseconds(500)))
        try await server.inject(.init(method: "GET", pathPrefix: events, action: .hang, seconds: 5))
        let started = ContinuousClock.now
        let error = await expectKubernetesError { try await client.list(Event.self, path: self.events) }
        guard case .transport(let message)? = error else { return XCTFail("expected transport, got \(String(describing: error))") }
        XCTAssertTrue(message.contains("timed out"), message)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4))
    }

    func testDroppedConnectionIsATransportError() async throws {
        let client = try makeClient()
        try await server.inject(.init(method: "GET", pathPrefix: events, action: .drop))
        let error = await expectKubernetesError { try await client.list(Event.self, path: self.events) }
        guard case .transport? = error else { return XCTFail("expected transport, got \(String(describing: error))") }
    }

    func testGenericHTTPTransportSendsAndReceives() async throws {
        let transport = HTTPTransport()
        let response = try await transport.send(HTTPRequest(
            method: "GET", url: "\(server.url)/fake/healthz", headers: ["Accept": "application/json"],
            certificateAuthorityPEM: server.certificates.caCertificatePEM))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["content-type"], "application/json")
        XCTAssertTrue(String(decoding: response.body, as: UTF8.self).contains("ok"))
    }
}
