import Foundation
import KubeClient
import KubernetesAPI
import TestSupport
import XCTest

final class ClientConfigurationTests: FakeServerTestCase {
    private let events = "/api/v1/namespaces/default/events"

    func testKubeconfigWithTokenAndRelativeCAFileReachesTheServer() async throws {
        let path = try server.writeKubeconfig(namespace: "shop")
        let configuration = try ClientConfiguration.kubeconfig(path: path)
        XCTAssertEqual(configuration.server, server.url)
        XCTAssertEqual(configuration.namespace, "shop")
        XCTAssertEqual(configuration.credentials, .token(server.token))
        let client = try KubernetesClient(configuration: configuration)
        XCTAssertEqual(client.namespace, "shop")
        _ = try await client.list(Event.self, path: events)
    }

    func testKubeconfigWithInlineClientCertificateData() async throws {
        let certificate = Data(server.certificates.clientCertificatePEM.utf8).base64EncodedString()
        let key = Data(server.certificates.clientKeyPEM.utf8).base64EncodedString()
        let path = try server.writeKubeconfig(user: "client-certificate-data: \(certificate)\nclient-key-data: \(key)")
        let client = try KubernetesClient(configuration: try ClientConfiguration.kubeconfig(path: path))
        _ = try await client.list(Event.self, path: events)
        let request = try await server.requests(pathPrefix: events).last
        XCTAssertEqual(request?.authentication, "certificate")
    }

    func testKubeconfigTokenFileIsReReadAfterRotation() async throws {
        let tokenPath = server.certificates.path("user-token")
        try server.token.write(toFile: tokenPath, atomically: true, encoding: .utf8)
        let path = try server.writeKubeconfig(user: "tokenFile: user-token")
        let client = try KubernetesClient(configuration: try ClientConfiguration.kubeconfig(path: path))
        _ = try await client.list(Event.self, path: events)

        try await server.acceptTokens(["rotated-token"])
        try "rotated-token\n".write(toFile: tokenPath, atomically: true, encoding: .utf8)
        _ = try await client.list(Event.self, path: events)
    }

    func testInClusterConfigurationWithProjectedTokenRotation() async throws {
        let (directory, environment) = try server.writeServiceAccount(namespace: "kube-injector")
        let configuration = try ClientConfiguration.inCluster(environment: environment, serviceAccountDirectory: directory)
        XCTAssertEqual(configuration.server, "https://127.0.0.1:\(server.port)")
        XCTAssertEqual(configuration.namespace, "kube-injector")
        let client = try KubernetesClient(configuration: configuration)
        _ = try await client.list(Event.self, path: events)

        // kubelet writes a new token; the API server stops accepting the old one.
        try await server.acceptTokens(["second-token"])
        try "second-token".write(toFile: "\(directory)/token", atomically: true, encoding: .utf8)
        _ = try await client.list(Event.self, path: events)
        let statuses = try await server.requests(pathPrefix: events).compactMap(\.status)
        XCTAssertEqual(statuses.last, 200)
    }

    func testInClusterWithoutServiceHostSaysSo() {
        XCTAssertThrowsError(try ClientConfiguration.inCluster(environment: [:])) { error in
            XCTAssertEqual(error as? ClientConfigurationError, .notInCluster(reason: "KUBERNETES_SERVICE_HOST is not set"))
        }
    }

    func testMissingContextNamesTheFileAndTheContext() throws {
        let path = try server.writeKubeconfig()
        XCTAssertThrowsError(try ClientConfiguration.kubeconfig(path: path, context: "elsewhere")) { error in
            XCTAssertEqual(error as? ClientConfigurationError, .contextNotFound(path: path, context: "elsewhere"))
            XCTAssertTrue("\(error)".contains(path))
        }
    }

    func testExecCredentialsAreRefusedNamingTheField() throws {
        let path = try server.writeKubeconfig(user: "exec:\n  command: aws")
        XCTAssertThrowsError(try ClientConfiguration.kubeconfig(path: path)) { error in
            XCTAssertEqual(error as? ClientConfigurationError,
                           .unsupportedAuthentication(path: path, field: "users[fake-user].user.exec"))
        }
    }

    func testServerWithoutSchemeNamesTheClusterField() throws {
        let path = try server.writeKubeconfig()
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "https://", with: "")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ClientConfiguration.kubeconfig(path: path)) { error in
            guard case .invalidField(let named, let field, _)? = error as? ClientConfigurationError else {
                return XCTFail("expected invalidField, got \(error)")
            }
            XCTAssertEqual(named, path)
            XCTAssertEqual(field, "clusters[fake-cluster].cluster.server")
        }
    }

    func testMalformedKubeconfigIsInvalidYAML() throws {
        let path = server.certificates.path("broken")
        try "clusters: [unclosed".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ClientConfiguration.kubeconfig(path: path)) { error in
            guard case .invalidYAML(let named, _)? = error as? ClientConfigurationError else {
                return XCTFail("expected invalidYAML, got \(error)")
            }
            XCTAssertEqual(named, path)
        }
    }

    func testAKubeconfigOfTheWrongShapeNamesThePlaceInOneLine() throws {
        let path = server.certificates.path("wrong-shape")
        try "current-context: dev\nclusters: {name: dev}\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ClientConfiguration.kubeconfig(path: path)) { error in
            guard case .invalidYAML(_, let reason)? = error as? ClientConfigurationError else {
                return XCTFail("expected invalidYAML, got \(error)")
            }
            XCTAssertEqual(reason, "clusters: expected a list, found a mapping at line 2, column 11")
        }
    }

    func testDiscoverPrefersTheExplicitPathThenKUBECONFIGThenHomeThenInCluster() throws {
        let explicit = try server.writeKubeconfig(namespace: "explicit", name: "explicit")
        let fromEnvironment = try server.writeKubeconfig(namespace: "from-env", name: "from-env")
        let home = server.certificates.directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".kube"), withIntermediateDirectories: true)
        let homeConfig = try server.writeKubeconfig(namespace: "from-home", name: "home-config")
        try FileManager.default.copyItem(atPath: homeConfig, toPath: home.appendingPathComponent(".kube/config").path)
        try FileManager.default.copyItem(atPath: server.certificates.caCertificatePath,
                                         toPath: home.appendingPathComponent(".kube/ca.crt").path)

        let environment = ["KUBECONFIG": "/nonexistent:\(fromEnvironment)", "HOME": home.path]
        XCTAssertEqual(try ClientConfiguration.discover(explicitPath: explicit, environment: environment)?.namespace, "explicit")
        XCTAssertEqual(try ClientConfiguration.discover(explicitPath: nil, environment: environment)?.namespace, "from-env")
        XCTAssertEqual(try ClientConfiguration.discover(explicitPath: nil, environment: ["HOME": home.path])?.namespace,
                       "from-home")
        XCTAssertNil(try ClientConfiguration.discover(explicitPath: nil, environment: ["HOME": "/nonexistent"]))
    }

    func testQPSLimitSpacesRequestsBeyondTheBurst() async throws {
        let client = try makeClient(options: ClientOptions(qps: 10, burst: 2))
        let started = ContinuousClock.now
        for _ in 0..<6 {
            _ = try await client.list(Event.self, path: events)
        }
        // Two go at once, the other four wait 0.1 s each: a lower bound the limiter guarantees.
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(380))
    }

    func testRequestsFailWhileTheServerIsDownAndSucceedOnceItIsBack() async throws {
        let client = try makeClient()
        _ = try await client.list(Event.self, path: events)
        try await server.goDown()
        do {
            _ = try await client.list(Event.self, path: events)
            XCTFail("expected a transport error")
        } catch let error as KubernetesError {
            guard case .transport = error else { return XCTFail("expected transport, got \(error)") }
            XCTAssertTrue(error.isRetryable)
        }
        try await server.comeUp()
        _ = try await client.list(Event.self, path: events)
    }

    func testServerThatGoesDownForAWhileAnswersAgainOnTheSamePort() async throws {
        let client = try makeClient()
        try await server.goDown(for: 1)
        var failures = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            do {
                _ = try await client.list(Event.self, path: events)
                break
            } catch KubernetesError.transport {
                failures += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        XCTAssertGreaterThan(failures, 0, "requests failed while it was down")
        _ = try await client.list(Event.self, path: events)
    }
}
