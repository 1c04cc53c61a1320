import Foundation
import KubeClient
import KubernetesAPI
import TestSupport
import XCTest

final class OwnerResolverTests: FakeServerTestCase {
    private func owner(_ kind: String, _ name: String, apiVersion: String = "apps/v1", uid: String? = nil) -> OwnerReference {
        OwnerReference(apiVersion: apiVersion, kind: kind, name: name, uid: uid ?? "uid-\(name)", controller: true)
    }

    private func seedReplicaSet(_ name: String, deployment: String?) async throws {
        var metadata: [String: Any] = ["name": name, "uid": "uid-\(name)"]
        if let deployment {
            metadata["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "Deployment", "name": deployment,
                                            "uid": "uid-\(deployment)", "controller": true]]
        }
        try await server.seed(path: "/apis/apps/v1/namespaces/shop/replicasets", object: ["metadata": metadata])
    }

    func testReplicaSetResolvesToItsDeploymentWithOneGETForRepeatedLookups() async throws {
        try await seedReplicaSet("web-7d4b9", deployment: "web")
        let resolver = OwnerResolver(client: try makeClient())
        for _ in 0..<3 {
            let top = try await resolver.controller(namespace: "shop", podName: "",
                                                    ownerReferences: [owner("ReplicaSet", "web-7d4b9")])
            XCTAssertEqual(top, ObjectIdentity(apiVersion: "apps/v1", kind: "Deployment",
                                               namespace: "shop", name: "web", uid: "uid-web"))
        }
        let gets = try await server.requests(pathPrefix: "/apis/apps/v1/namespaces/shop/replicasets/web-7d4b9")
        XCTAssertEqual(gets.count, 1, "later lookups come from the cache")
    }

    func testExpiredCacheEntryIsFetchedAgain() async throws {
        try await seedReplicaSet("web-1", deployment: "web")
        let resolver = OwnerResolver(client: try makeClient(), ttl: .milliseconds(1))
        _ = try await resolver.controller(namespace: "shop", podName: "", ownerReferences: [owner("ReplicaSet", "web-1")])
        // Part of the scenario: time passes beyond the 1 ms TTL (a sleep lasts at least what it asks for).
        try await Task.sleep(for: .milliseconds(20))
        _ = try await resolver.controller(namespace: "shop", podName: "", ownerReferences: [owner("ReplicaSet", "web-1")])
        let gets = try await server.requests(pathPrefix: "/apis/apps/v1/namespaces/shop/replicasets/web-1")
        XCTAssertEqual(gets.count, 2)
    }

    func testReplicaSetWithoutADeploymentIsItsOwnTop() async throws {
        try await seedReplicaSet("bare", deployment: nil)
        let resolver = OwnerResolver(client: try makeClient())
        let top = try await resolver.controller(namespace: "shop", podName: "", ownerReferences: [owner("ReplicaSet", "bare")])
        XCTAssertEqual(top.kind, "ReplicaSet")
        XCTAssertEqual(top.name, "bare")
    }

    func testDeletedReplicaSetFallsBackToItself() async throws {
        let resolver = OwnerResolver(client: try makeClient())
        let top = try await resolver.controller(namespace: "shop", podName: "", ownerReferences: [owner("ReplicaSet", "gone")])
        XCTAssertEqual(top.kind, "ReplicaSet")
        XCTAssertEqual(top.name, "gone")
    }

    func testUnreachableAPIServerIsARetryableError() async throws {
        try await server.inject(.init(method: "GET", pathPrefix: "/apis/apps/v1", status: 503))
        let resolver = OwnerResolver(client: try makeClient())
        do {
            _ = try await resolver.controller(namespace: "shop", podName: "", ownerReferences: [owner("ReplicaSet", "web-2")])
            XCTFail("expected an error")
        } catch let error as KubernetesError {
            XCTAssertTrue(error.isRetryable)
        }
    }

    func testStatefulSetAndDaemonSetAreTheTopWithoutAnyRequest() async throws {
        let resolver = OwnerResolver(client: try makeClient())
        let stateful = try await resolver.controller(namespace: "shop", podName: "db-0", ownerReferences: [owner("StatefulSet", "db")])
        XCTAssertEqual(stateful, ObjectIdentity(apiVersion: "apps/v1", kind: "StatefulSet",
                                                namespace: "shop", name: "db", uid: "uid-db"))
        let daemon = try await resolver.controller(namespace: "shop", podName: "", ownerReferences: [owner("DaemonSet", "agent")])
        XCTAssertEqual(daemon.kind, "DaemonSet")
        let requests = try await server.requests()
        XCTAssertTrue(requests.isEmpty)
    }

    func testJobResolvesToItsCronJob() async throws {
        try await server.seed(path: "/apis/batch/v1/namespaces/shop/jobs", object: ["metadata": [
            "name": "report-2891", "uid": "uid-report-2891",
            "ownerReferences": [["apiVersion": "batch/v1", "kind": "CronJob", "name": "report", "uid": "uid-report",
                                 "controller": true]]]])
        let resolver = OwnerResolver(client: try makeClient())
        let top = try await resolver.controller(namespace: "shop", podName: "",
                                                ownerReferences: [owner("Job", "report-2891", apiVersion: "batch/v1")])
        XCTAssertEqual(top, ObjectIdentity(apiVersion: "batch/v1", kind: "CronJob",
                                           namespace: "shop", name: "report", uid: "uid-report"))
    }

    func testPodWithoutControllerIsItselfOrElseTheNamespace() async throws {
        let resolver = OwnerResolver(client: try makeClient())
        let pod = try await resolver.controller(namespace: "shop", podName: "debug", ownerReferences: [])
        XCTAssertEqual(pod, ObjectIdentity(apiVersion: "v1", kind: "Pod", namespace: "shop", name: "debug"))
        let notController = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "u", controller: false)
        let namespace = try await resolver.controller(namespace: "shop", podName: "", ownerReferences: [notController])
        XCTAssertEqual(namespace, ObjectIdentity(apiVersion: "v1", kind: "Namespace", namespace: "", name: "shop"))
    }
}
