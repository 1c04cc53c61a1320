import XCTest
@testable import Admission
import JSON

/// `ManifestInjector` gives each pod template to the webhook's own engine: the injected template is
/// exactly the pod the webhook's patch makes of it, every workload kind is found where Kubernetes
/// keeps its template, and anything else comes back as it went in.
final class ManifestInjectorTests: XCTestCase {
    private let configuration: InjectionConfig = {
        let yaml = """
            defaultProfiles: [observability]
            profiles:
              observability:
                env: [{name: CLUSTER_NAME, value: prod}]
                initContainers: [{name: agent-copy, image: "agent:1", volumeMounts: [{name: agent, mountPath: /agent}]}]
                volumes: [{name: agent, emptyDir: {}}]
                volumeMounts: [{name: agent, mountPath: /agent}]
            """
        return (try? InjectionConfig.load(yaml: yaml, source: "test")) ?? InjectionConfig()
    }()

    private var injector: ManifestInjector { ManifestInjector(controller: AdmissionController(configuration: configuration)) }

    private let template: JSONValue = [
        "metadata": ["labels": ["app": "web"]],
        "spec": ["containers": [["name": "web", "image": "nginx:1.27"]]],
    ]

    private func workload(_ kind: String, apiVersion: String, spec: JSONValue) -> JSONValue {
        ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": ["name": "web", "namespace": "shop"], "spec": spec]
    }

    func testATemplateIsInjectedExactlyAsTheWebhookPatchesThePodMadeFromIt() throws {
        let deployment = workload("Deployment", apiVersion: "apps/v1", spec: ["replicas": 2, "template": template])
        let (injected, results) = injector.inject(deployment)
        XCTAssertEqual(results.count, 1)
        guard case .injected(let operations) = results[0].outcome else { return XCTFail("\(results)") }
        XCTAssertEqual(results[0].objectDescription, "Deployment shop/web")
        XCTAssertEqual(results[0].path, "spec.template")

        // What `serve` answers for the pod: apply its patch to the pod and compare.
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": template["metadata"]!, "spec": template["spec"]!]
        let outcome = AdmissionController(configuration: configuration).review(ReviewBuilder.review(pod: pod))
        let patch = try XCTUnwrap(try ReviewBuilder.patch(in: outcome.body))
        XCTAssertEqual(patch.operations.count, operations)
        let patched = try patch.applied(to: pod)
        XCTAssertEqual(injected["spec"]?["template"]?["metadata"], patched["metadata"])
        XCTAssertEqual(injected["spec"]?["template"]?["spec"], patched["spec"])
        XCTAssertEqual(injected["spec"]?["replicas"], 2, "the rest of the object is untouched")
        XCTAssertEqual(injected.objectValue?.keys, ["apiVersion", "kind", "metadata", "spec"], "key order is kept")
    }

    func testEveryWorkloadKindIsFoundWhereKubernetesKeepsItsTemplate() {
        let cases: [(JSONValue, String)] = [
            (workload("StatefulSet", apiVersion: "apps/v1", spec: ["template": template]), "spec.template"),
            (workload("DaemonSet", apiVersion: "apps/v1", spec: ["template": template]), "spec.template"),
            (workload("ReplicaSet", apiVersion: "apps/v1", spec: ["template": template]), "spec.template"),
            (workload("ReplicationController", apiVersion: "v1", spec: ["template": template]), "spec.template"),
            (workload("Job", apiVersion: "batch/v1", spec: ["template": template]), "spec.template"),
            (workload("CronJob", apiVersion: "batch/v1", spec: ["schedule": "@daily", "jobTemplate": ["spec": ["template": template]]]),
             "spec.jobTemplate.spec.template"),
            (["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": template["spec"]!], ""),
        ]
        for (object, path) in cases {
            let (injected, results) = injector.inject(object)
            XCTAssertEqual(results.map(\.path), [path], "\(object["kind"]!)")
            XCTAssertEqual(results.first?.outcome, .injected(operations: 5), "\(object["kind"]!)")
            XCTAssertTrue(injected.description.contains("kube-injector.io/status"), "\(object["kind"]!)")
        }
    }

    func testOtherKindsAndOtherGroupsPassThroughUnchanged() {
        let objects: [JSONValue] = [
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["a": "yes"]],
            ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "s"], "spec": ["ports": [["port": 80]]]],
            // A custom resource that happens to be called Deployment has no pod template Kubernetes knows.
            workload("Deployment", apiVersion: "example.com/v1", spec: ["template": template]),
        ]
        for object in objects {
            let (injected, results) = injector.inject(object)
            XCTAssertEqual(injected, object)
            XCTAssertEqual(injected.description, object.description, "same member order too")
            XCTAssertTrue(results.isEmpty)
        }
    }

    func testAListHasEachOfItsItemsInjected() {
        let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": [
            workload("Deployment", apiVersion: "apps/v1", spec: ["template": template]),
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]],
            workload("Job", apiVersion: "batch/v1", spec: ["template": template]),
        ]]
        let (injected, results) = injector.inject(list)
        XCTAssertEqual(results.map(\.kind), ["Deployment", "Job"])
        XCTAssertEqual(injected["items"]?.arrayValue?.count, 3)
        XCTAssertEqual(injected["items"]?.arrayValue?[1].description, list["items"]?.arrayValue?[1].description)
    }

    func testSkippedAndFailedTemplatesCarryTheEnginesReason() {
        var optedOut = template
        optedOut.modifyObject { $0["metadata"] = ["annotations": ["kube-injector.io/inject": "false"]] }
        let skipped = injector.inject(workload("Deployment", apiVersion: "apps/v1", spec: ["template": optedOut])).templates
        XCTAssertEqual(skipped.first?.outcome, .skipped("no profile selected"))

        var unknown = template
        unknown.modifyObject { $0["metadata"] = ["annotations": ["kube-injector.io/inject": "nope"]] }
        let (object, failed) = injector.inject(workload("Deployment", apiVersion: "apps/v1", spec: ["template": unknown]))
        guard case .failed(let reason)? = failed.first?.outcome else { return XCTFail("\(failed)") }
        XCTAssertTrue(reason.contains("\"nope\""), reason)
        XCTAssertEqual(object["spec"]?["template"], unknown, "a template that could not be injected is left as it was")

        let noTemplate = injector.inject(workload("Deployment", apiVersion: "apps/v1", spec: ["replicas": 1])).templates
        XCTAssertEqual(noTemplate.first?.outcome, .skipped("it has no spec.template"))
    }

    func testATemplateWithoutMetadataGetsItFirst() {
        let bare: JSONValue = ["spec": template["spec"]!]
        let (injected, _) = injector.inject(workload("Job", apiVersion: "batch/v1", spec: ["template": bare]))
        XCTAssertEqual(injected["spec"]?["template"]?.objectValue?.keys, ["metadata", "spec"])
    }

    func testTheNamespaceComesFromTheObjectElseTheDefault() {
        var object = workload("Job", apiVersion: "batch/v1", spec: ["template": template])
        object.modifyObject { $0["metadata"] = ["name": "j"] }
        let results = ManifestInjector(controller: AdmissionController(configuration: configuration), defaultNamespace: "team-a")
            .inject(object).templates
        XCTAssertEqual(results.first?.objectDescription, "Job team-a/j")
    }
}
