import KubeClient
import KubernetesAPI
import TestSupport
import XCTest

/// Starts a fresh fake API server per test and builds clients for it.
class FakeServerTestCase: XCTestCase {
    var server: FakeAPIServer!

    override func setUp() async throws {
        server = try FakeAPIServer.start(bookmarkIntervalSeconds: 60)
    }

    override func tearDown() async throws {
        server?.stop()
        server = nil
    }

    /// A client with the CA in memory and the fake's token.
    func makeClient(options: ClientOptions = .init(), namespace: String = "default") throws -> KubernetesClient {
        let configuration = ClientConfiguration(server: server.url,
                                                certificateAuthorityPEM: server.certificates.caCertificatePEM,
                                                credentials: .token(server.token), namespace: namespace)
        return try KubernetesClient(configuration: configuration, options: options)
    }

    func warningEvent(name: String, namespace: String = "default", reason: String = "InjectionFailed") -> Event {
        Event(metadata: ObjectMeta(name: name, namespace: namespace),
              involvedObject: ObjectReference(apiVersion: "apps/v1", kind: "Deployment", name: "web",
                                              namespace: namespace, uid: "uid-web"),
              reason: reason, message: "profile agent: volume agent already exists", type: "Warning",
              source: EventSource(component: "kube-injector"),
              firstTimestamp: KubernetesTimestamp.time(Date()), lastTimestamp: KubernetesTimestamp.time(Date()),
              count: 1, reportingComponent: "kube-injector", reportingInstance: "kube-injector-0")
    }

    /// Expects `body` to throw a KubernetesError and returns it.
    func expectKubernetesError<T>(_ body: () async throws -> T, file: StaticString = #filePath,
                                  line: UInt = #line) async -> KubernetesError? {
        do {
            _ = try await body()
            XCTFail("expected a KubernetesError", file: file, line: line)
            return nil
        } catch let error as KubernetesError {
            return error
        } catch {
            XCTFail("expected a KubernetesError, got \(error)", file: file, line: line)
            return nil
        }
    }
}
