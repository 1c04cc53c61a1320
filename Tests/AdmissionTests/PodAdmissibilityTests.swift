@testable import Admission
import JSON
import XCTest

/// The per-pod check after the self-check: where the injection meets the pod's own parts, the
/// patched pod must pass the API server's rules, or it is admitted unchanged with a failure
/// record naming the rule and the field.
final class PodAdmissibilityTests: XCTestCase {
    private let config = """
        defaultProfiles: [agent]
        profiles:
          agent:
            initContainers:
              - {name: agent-copy, image: agent:1, volumeMounts: [{name: agent, mountPath: /agent}]}
            volumes: [{name: agent, emptyDir: {}}]
            volumeMounts: [{name: agent, mountPath: /agent}]
          shared-volume:
            volumes: [{name: shared, emptyDir: {}}]
          shared-mount:
            volumeMounts: [{name: shared, mountPath: /shared}]
        """

    private func controller() throws -> AdmissionController {
        AdmissionController(configuration: try InjectionConfig.load(yaml: config, source: "test.yaml"))
    }

    private func pod(inject: String? = nil, spec: JSONObject) -> JSONValue {
        var metadata = JSONObject([
            JSONMember(key: "name", value: "web-1"), JSONMember(key: "namespace", value: "shop"),
            JSONMember(key: "ownerReferences", value: [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "u", "controller": true]]),
        ])
        if let inject { metadata["annotations"] = .object(JSONObject([JSONMember(key: Annotations.inject, value: .string(inject))])) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": .object(spec)]
    }

    /// validation.go `ValidateVolumeMounts`: a mount's volume must be in the pod (field.NotFound).
    func testMountOfAVolumeThePodDoesNotHaveIsAdmittedUnchanged() throws {
        let original = pod(inject: "shared-mount", spec: JSONObject([JSONMember(key: "containers", value: [["name": "app", "image": "app:1"]])]))
        let (outcome, stored) = try controller().reviewReturningPatchedObject(ReviewBuilder.review(pod: original))
        XCTAssertEqual(outcome.result, .failedOpen)
        XCTAssertEqual(outcome.failOpenReason, .invalidPod)
        XCTAssertNil(try ReviewBuilder.patch(in: outcome.body))
        XCTAssertEqual(stored, original)
        let failure = try XCTUnwrap(outcome.failure)
        XCTAssertEqual(failure.reason, "InjectionFailed")
        XCTAssertEqual(failure.ownerReferences.first?.name, "web")
        XCTAssertEqual(
            failure.message,
            "the injected pod would be refused by the API server (Kubernetes rule ValidateVolumeMounts): spec.containers[0].volumeMounts[0].name: mounts volume \"shared\", which the pod does not define; kube-injector admitted the pod unchanged")
    }

    func testTheSameMountIsInjectedWhenAnotherSelectedProfileBringsTheVolume() throws {
        let original = pod(inject: "shared-mount,shared-volume", spec: JSONObject([JSONMember(key: "containers", value: [["name": "app", "image": "app:1"]])]))
        XCTAssertEqual(try controller().review(ReviewBuilder.review(pod: original)).result, .injected)
    }

    func testTheSameMountIsInjectedWhenThePodDefinesTheVolume() throws {
        let original = pod(inject: "shared-mount", spec: JSONObject([
            JSONMember(key: "containers", value: [["name": "app", "image": "app:1"]]),
            JSONMember(key: "volumes", value: [["name": "shared", "emptyDir": [:]]]),
        ]))
        XCTAssertEqual(try controller().review(ReviewBuilder.review(pod: original)).result, .injected)
    }

    /// validation.go `validateEphemeralContainers`: an ephemeral container's name must differ
    /// from every container's and init container's.
    func testInitContainerNamedLikeAnEphemeralContainerIsAdmittedUnchanged() throws {
        let original = pod(spec: JSONObject([
            JSONMember(key: "containers", value: [["name": "app", "image": "app:1"]]),
            JSONMember(key: "ephemeralContainers", value: [["name": "agent-copy", "image": "debug:1"]]),
        ]))
        let outcome = try controller().review(ReviewBuilder.review(pod: original))
        XCTAssertEqual(outcome.result, .failedOpen)
        XCTAssertEqual(outcome.failOpenReason, .invalidPod)
        XCTAssertEqual(
            outcome.failure?.message,
            "the injected pod would be refused by the API server (Kubernetes rule validateEphemeralContainers): spec.initContainers[0].name: \"agent-copy\" is also the name of an ephemeral container; kube-injector admitted the pod unchanged")
    }

    /// validation.go `validateInitContainers`: init container names are unique among app and init containers.
    private func raw(_ value: JSONValue) -> JSONValue { ConfiguredObject(key: "", value: value).encoded }

    func testInjectedInitContainerNamedLikeAnAppContainerIsRefusedByTheCheck() {
        let profile = InjectionProfile(name: "p", initContainers: [ConfiguredObject(key: "app", value: ["name": "app", "image": "a:1"])])
        let injected = InjectedParts(profiles: [profile], initContainers: [.init(profile: 0, index: 0)])
        let patched: JSONValue = ["spec": ["containers": [["name": "app", "image": "app:1"]], "initContainers": [raw(["name": "app", "image": "a:1"])]]]
        XCTAssertEqual(
            PodAdmissibility(injected: injected).check(pod: patched)?.message,
            "the injected pod would be refused by the API server (Kubernetes rule validateInitContainers): spec.initContainers[0].name: \"app\" is also the name of an app container; kube-injector admitted the pod unchanged")
        let twice: JSONValue = ["spec": ["containers": [["name": "web"]], "initContainers": [["name": "app"], raw(["name": "app", "image": "a:1"])]]]
        XCTAssertEqual(
            PodAdmissibility(injected: injected).check(pod: twice)?.message,
            "the injected pod would be refused by the API server (Kubernetes rule validateInitContainers): spec.initContainers[1].name: \"app\" is the name of two init containers; kube-injector admitted the pod unchanged")
    }

    /// validation.go `ValidateVolumeMounts`: a mountPath appears once per container.
    func testDuplicateMountPathInAnAppContainerIsRefusedByTheCheck() {
        let mount = ConfiguredObject(key: "/agent", value: ["name": "agent", "mountPath": "/agent"])
        let injected = InjectedParts(profiles: [InjectionProfile(name: "p", volumeMounts: [mount])], mounts: [(0, .init(profile: 0, index: 0))])
        let patched: JSONValue = ["spec": [
            "containers": [["name": "app", "volumeMounts": [["name": "data", "mountPath": "/agent"], raw(["name": "agent", "mountPath": "/agent"])]]],
            "volumes": [["name": "agent"], ["name": "data"]],
        ]]
        XCTAssertEqual(
            PodAdmissibility(injected: injected).check(pod: patched)?.message,
            "the injected pod would be refused by the API server (Kubernetes rule ValidateVolumeMounts): spec.containers[0].volumeMounts[1].mountPath: \"/agent\" is mounted twice in this container; kube-injector admitted the pod unchanged")
    }

    /// validation.go `ValidateVolumes`: volume names are unique in a pod.
    func testInjectedVolumeDefinedTwiceIsRefusedByTheCheck() {
        let volume = ConfiguredObject(key: "agent", value: ["name": "agent", "emptyDir": [:]])
        let injected = InjectedParts(profiles: [InjectionProfile(name: "p", volumes: [volume])], volumes: [.init(profile: 0, index: 0)])
        let patched: JSONValue = ["spec": ["containers": [["name": "app"]], "volumes": [["name": "agent"], raw(["name": "agent", "emptyDir": [:]])]]]
        XCTAssertEqual(
            PodAdmissibility(injected: injected).check(pod: patched)?.message,
            "the injected pod would be refused by the API server (Kubernetes rule ValidateVolumes): spec.volumes: volume \"agent\" is defined 2 times; kube-injector admitted the pod unchanged")
    }

    func testAnOrdinaryInjectionPasses() throws {
        let original = pod(spec: JSONObject([JSONMember(key: "containers", value: [["name": "app", "image": "app:1"], ["name": "side", "image": "s:1"]])]))
        XCTAssertEqual(try controller().review(ReviewBuilder.review(pod: original)).result, .injected)
    }
}
