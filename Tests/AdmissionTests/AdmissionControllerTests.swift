@testable import Admission
import JSON
import Foundation
import KubernetesAPI
import TestSupport
import XCTest

final class AdmissionControllerTests: XCTestCase {
    private let config = """
        defaultProfiles: [observability]
        profiles:
          observability:
            env: [{name: CLUSTER_NAME, value: prod}, {name: REGION, value: eu}]
            initContainers: [{name: agent-copy, image: agent:1}]
            initContainerPosition: first
            volumes: [{name: agent, emptyDir: {}}]
            volumeMounts: [{name: agent, mountPath: /agent}]
          late:
            initContainers: [{name: late-init, image: late:1}]
          app-only:
            containers: [app]
            env: [{name: LOG_LEVEL, value: debug}]
            overrideEnv: true
        """

    private func controller(_ yaml: String? = nil) throws -> AdmissionController {
        AdmissionController(configuration: try InjectionConfig.load(yaml: yaml ?? config, source: "test.yaml"))
    }

    private func pod(annotations: JSONValue? = nil, containers: JSONValue = [["name": "app", "image": "app:1"]], initContainers: JSONValue? = nil) -> JSONValue {
        var metadata = JSONObject([JSONMember(key: "name", value: "p"), JSONMember(key: "namespace", value: "default")])
        if let annotations { metadata["annotations"] = annotations }
        var spec = JSONObject([JSONMember(key: "containers", value: containers)])
        if let initContainers { spec["initContainers"] = initContainers }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": .object(spec)]
    }

    func testAllowUnchangedEscapesTheUID() throws {
        let body = AdmissionController.allowUnchanged(uid: "a\"b\\c\u{01}é", apiVersion: "admission.k8s.io/v1beta1")
        let review = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let response = try XCTUnwrap(review["response"] as? [String: Any])
        XCTAssertEqual(response["uid"] as? String, "a\"b\\c\u{01}é")
        XCTAssertEqual(response["allowed"] as? Bool, true)
        XCTAssertEqual(review["apiVersion"] as? String, "admission.k8s.io/v1beta1")
        XCTAssertNil(response["patch"])
    }

    func testResponseEchoesAnAwkwardUIDInTheRequestVersion() throws {
        let outcome = try controller().review(ReviewBuilder.review(pod: pod(), uid: "uid \"quoted\" ünï", apiVersion: "admission.k8s.io/v1beta1"))
        XCTAssertEqual(outcome.result, .injected)
        let review = try JSONParser.parse(outcome.body)
        XCTAssertEqual(review["apiVersion"], "admission.k8s.io/v1beta1")
        XCTAssertEqual(review["response"]?["uid"], "uid \"quoted\" ünï")
        XCTAssertEqual(review["response"]?["patchType"], "JSONPatch")
    }

    func testInjectingThePatchedPodAgainIsANoOp() throws {
        let controller = try controller()
        let (first, patched) = controller.reviewReturningPatchedObject(ReviewBuilder.review(pod: pod()))
        XCTAssertEqual(first.result, .injected)
        let second = controller.review(ReviewBuilder.review(pod: try XCTUnwrap(patched)))
        XCTAssertEqual(second.result, .skipped)
        XCTAssertNil(try ReviewBuilder.patch(in: second.body))
    }

    func testReinvocationWithoutTheStatusAnnotationStillAddsNothingTwice() throws {
        // Another webhook dropped our annotation between invocations: everything is present, so no patch.
        let controller = try controller()
        let (_, patched) = controller.reviewReturningPatchedObject(ReviewBuilder.review(pod: pod()))
        var stripped = try XCTUnwrap(patched)
        try JSONPatch([JSONPatchOperation(op: .remove, path: JSONPointer(tokens: ["metadata", "annotations", Annotations.status]))]).apply(to: &stripped)
        XCTAssertEqual(controller.review(ReviewBuilder.review(pod: stripped)).result, .skipped)
    }

    func testReturnedPatchAppliedToTheRequestGivesThePatchedObject() throws {
        let original = pod(containers: [["name": "app", "image": "a", "env": [["name": "REGION", "value": "us"]]], ["name": "side", "image": "s"]])
        let (outcome, patched) = try controller().reviewReturningPatchedObject(ReviewBuilder.review(pod: original))
        let patch = try XCTUnwrap(ReviewBuilder.patch(in: outcome.body))
        XCTAssertEqual(try patch.applied(to: original), patched)
        XCTAssertEqual(outcome.patchOperations, patch.operations.count)
        let app = try XCTUnwrap(patched?["spec"]?["containers"]?.arrayValue?[0])
        // REGION existed and overrideEnv is false: kept, not duplicated.
        XCTAssertEqual(app["env"], [["name": "REGION", "value": "us"], ["name": "CLUSTER_NAME", "value": "prod"]])
        XCTAssertEqual(app["volumeMounts"], [["name": "agent", "mountPath": "/agent"]])
    }

    func testOverrideEnvReplacesOnlyTheTargetedContainersVariable() throws {
        let original = pod(
            annotations: [Annotations.inject: "app-only"],
            containers: [["name": "app", "image": "a", "env": [["name": "LOG_LEVEL", "value": "info"]]], ["name": "side", "image": "s", "env": [["name": "LOG_LEVEL", "value": "warn"]]]])
        let (outcome, patched) = try controller().reviewReturningPatchedObject(ReviewBuilder.review(pod: original))
        XCTAssertEqual(outcome.result, .injected)
        let containers = try XCTUnwrap(patched?["spec"]?["containers"]?.arrayValue)
        XCTAssertEqual(containers[0]["env"], [["name": "LOG_LEVEL", "value": "debug"]])
        XCTAssertEqual(containers[1]["env"], [["name": "LOG_LEVEL", "value": "warn"]])
    }

    func testInitContainersGoFirstOrLastAsTheProfileSays() throws {
        let original = pod(annotations: [Annotations.inject: "late, observability"], initContainers: [["name": "existing", "image": "e"]])
        let (_, patched) = try controller().reviewReturningPatchedObject(ReviewBuilder.review(pod: original))
        let names = patched?["spec"]?["initContainers"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        XCTAssertEqual(names, ["agent-copy", "existing", "late-init"])
    }

    func testOptOutAndNoSelectionAreSkipped() throws {
        XCTAssertEqual(try controller().review(ReviewBuilder.review(pod: pod(annotations: [Annotations.inject: " false "]))).result, .skipped)
        let optIn = try controller("profiles: {p: {env: [{name: A, value: b}]}}")
        XCTAssertEqual(optIn.review(ReviewBuilder.review(pod: pod())).result, .skipped)
        XCTAssertEqual(optIn.review(ReviewBuilder.review(pod: pod(annotations: [Annotations.inject: "p"]))).result, .injected)
    }

    func testUpdateIsNeverMutated() throws {
        let body = ReviewBuilder.review(pod: pod(), operation: "UPDATE")
        XCTAssertEqual(try controller().review(body).result, .skipped)
    }

    func testUnknownProfileFailsOpenWithARecordForTheOwner() throws {
        var original = pod(annotations: [Annotations.inject: "observability,nope"])
        original.modifyObject { pod in
            pod["metadata"]?.modifyObject { metadata in
                metadata["name"] = nil
                metadata["generateName"] = "web-abc-"
                metadata["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc", "uid": "rs-uid", "controller": true]]
            }
        }
        let outcome = try controller().review(ReviewBuilder.review(pod: original, uid: "req-1", dryRun: true))
        XCTAssertEqual(outcome.result, .failedOpen)
        XCTAssertEqual(outcome.failOpenReason, .unknownProfile)
        XCTAssertEqual(outcome.httpStatus, 200)
        XCTAssertNil(try ReviewBuilder.patch(in: outcome.body))
        XCTAssertEqual(try JSONParser.parse(outcome.body)["response"]?["allowed"], true)
        let record = try XCTUnwrap(outcome.failure)
        XCTAssertEqual(record.reason, "InjectionFailed")
        XCTAssertTrue(record.message.contains("\"nope\""), record.message)
        XCTAssertEqual(record.namespace, "default")
        XCTAssertEqual(record.name, "")
        XCTAssertEqual(record.generateName, "web-abc-")
        XCTAssertEqual(record.ownerReferences, [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "rs-uid", controller: true)])
        XCTAssertTrue(record.dryRun)
        XCTAssertEqual(record.requestUID, "req-1")
    }

    func testFailedOpenReturnsTheObjectAsSent() throws {
        let original = pod(containers: [["name": "app", "image": "a", "volumeMounts": [["name": "other", "mountPath": "/agent"]]]])
        let (outcome, object) = try controller().reviewReturningPatchedObject(ReviewBuilder.review(pod: original))
        XCTAssertEqual(outcome.result, .failedOpen)
        XCTAssertEqual(outcome.failOpenReason, .injectionConflict)
        XCTAssertTrue(outcome.failure?.message.contains("already mounts volume \"other\" at /agent") ?? false)
        XCTAssertEqual(object, original)
    }

    func testInitContainerNamedLikeAnAppContainerFailsOpen() throws {
        let outcome = try controller().review(ReviewBuilder.review(pod: pod(containers: [["name": "agent-copy", "image": "x"]])))
        XCTAssertEqual(outcome.result, .failedOpen)
        XCTAssertEqual(outcome.failOpenReason, .injectionConflict)
        XCTAssertTrue(outcome.failure?.message.contains("the name of one of the pod's containers") ?? false)
    }

    func testEnvThatIsNotAListFailsOpenInsteadOfSendingABadPatch() throws {
        let outcome = try controller().review(ReviewBuilder.review(pod: pod(containers: [["name": "app", "image": "a", "env": "oops"]])))
        XCTAssertEqual(outcome.result, .failedOpen)
        XCTAssertEqual(outcome.failOpenReason, .malformedPod)
        XCTAssertEqual(outcome.failure?.message, "the pod's container \"app\" env is not a list")
    }

    func testTwoThousandEnvVarsInFiftyContainersGetOneOperationPerAddedItem() throws {
        let existing: [JSONValue] = (0..<2000).map { ["name": .string("VAR_\($0)"), "value": "x"] }
        let containers: JSONValue = .array((0..<50).map { ["name": .string("c\($0)"), "image": "i", "env": .array(existing)] })
        let (outcome, patched) = try controller().reviewReturningPatchedObject(ReviewBuilder.review(pod: pod(containers: containers)))
        XCTAssertEqual(outcome.result, .injected)
        // status + initContainers + volumes + 50 × (2 env + 1 volumeMounts list)
        XCTAssertEqual(outcome.patchOperations, 3 + 50 * 3)
        let envCounts = patched?["spec"]?["containers"]?.arrayValue?.map { $0["env"]?.arrayValue?.count ?? 0 }
        XCTAssertEqual(envCounts, Array(repeating: 2002, count: 50))
    }

    func testNonPodsAndBadBodiesAreHandledWithoutInjection() throws {
        let controller = try controller()
        var configMap = ReviewBuilder.review(pod: ["kind": "ConfigMap"])
        configMap = Array(String(decoding: configMap, as: UTF8.self).replacingOccurrences(of: #""kind":"Pod""#, with: #""kind":"ConfigMap""#).utf8)
        XCTAssertEqual(controller.review(configMap).result, .skipped)
        let bad = controller.review(Array("hello".utf8))
        XCTAssertEqual(bad.result, .error)
        XCTAssertEqual(bad.httpStatus, 400)
        XCTAssertEqual(String(decoding: bad.body, as: UTF8.self), "request body is not an AdmissionReview: invalid JSON at byte 0: unexpected character 'h', expected a value")
        XCTAssertEqual(controller.review(Array(#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"}"#.utf8)).httpStatus, 400)
    }

    func testTruncationsAndRandomBytesNeverCrash() throws {
        let controller = try controller()
        let body = try FixtureFiles.review("deployment-pod-generate-name")
        let end = try XCTUnwrap(body.lastIndex(of: UInt8(ascii: "}")))
        for length in stride(from: 0, to: end, by: 7) {
            let outcome = controller.review(Array(body[..<length]))
            XCTAssertEqual(outcome.result, .error, "truncated at \(length)")
        }
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<300 {
            var mutated = body
            for _ in 0..<3 { mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            let outcome = controller.review(mutated)
            XCTAssertTrue(outcome.httpStatus == 200 || outcome.result == .error)
        }
    }
}
