// Manifests: the offline `inject` command's side of the core: reading manifest files and
// injecting the pod templates inside them through the same controller as a review.

import JSON

/// Injects the pod templates inside Kubernetes manifests (`kube-injector inject`), as `serve`
/// would inject the pods later made from them: each template is made into the Pod the API server
/// would send, wrapped in a CREATE AdmissionReview and given to the same `AdmissionController`,
/// so the decision, the patch and the self-check are the webhook's own. Objects without a pod
/// template come back as they went in. Pure, like the controller.
public struct ManifestInjector: Sendable {
    /// The decision for one AdmissionReview body: the outcome and the object as it would be stored.
    /// `AdmissionController.reviewReturningPatchedObject`, with whatever cluster state `serve` and
    /// `replay` would give it.
    public typealias Review = @Sendable (_ body: [UInt8]) -> (outcome: AdmissionOutcome, patchedObject: JSONValue?)

    private let review: Review
    /// For objects whose metadata names no namespace, as `kubectl apply -n` would place them.
    public let defaultNamespace: String

    public init(defaultNamespace: String = "default", review: @escaping Review) {
        self.review = review
        self.defaultNamespace = defaultNamespace
    }

    /// Decides with `controller` and no cluster state.
    public init(controller: AdmissionController, defaultNamespace: String = "default") {
        self.init(defaultNamespace: defaultNamespace) { controller.reviewReturningPatchedObject($0) }
    }

    /// Where each kind keeps its pod template, and the API groups the kind is served from
    /// (k8s.io/api: core/v1, apps/v1, batch/v1, and extensions/v1beta1 for old manifests).
    static let templatePaths: [String: (groups: Set<String>, path: [String])] = [
        "Pod": ([""], []),
        "ReplicationController": ([""], ["spec", "template"]),
        "Deployment": (["apps", "extensions"], ["spec", "template"]),
        "StatefulSet": (["apps"], ["spec", "template"]),
        "DaemonSet": (["apps", "extensions"], ["spec", "template"]),
        "ReplicaSet": (["apps", "extensions"], ["spec", "template"]),
        "Job": (["batch"], ["spec", "template"]),
        "CronJob": (["batch"], ["spec", "jobTemplate", "spec", "template"]),
    ]

    /// `object` with every pod template in it injected (a `List`'s items each in turn), and what
    /// happened to each template, in order.
    public func inject(_ object: JSONValue) -> (object: JSONValue, templates: [PodTemplateResult]) {
        var object = object
        var results: [PodTemplateResult] = []
        inject(&object, into: &results)
        return (object, results)
    }

    private func inject(_ object: inout JSONValue, into results: inout [PodTemplateResult]) {
        guard let fields = object.objectValue, let kind = fields["kind"]?.stringValue else { return }
        let apiVersion = fields["apiVersion"]?.stringValue ?? ""
        if kind.hasSuffix("List"), fields["items"]?.arrayValue != nil {
            object.modifyObject { list in
                guard let index = list.index(forKey: "items") else { return }
                list.modifyValue(at: index) { items in
                    items.modifyArray { items in
                        for position in items.indices { inject(&items[position], into: &results) }
                    }
                }
            }
            return
        }
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        guard let location = Self.templatePaths[kind], location.groups.contains(group) else { return }
        let metadata = fields["metadata"]
        let name = metadata?["name"]?.stringValue ?? metadata?["generateName"]?.stringValue ?? ""
        let namespace = metadata?["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
        var result = PodTemplateResult(
            kind: kind, namespace: namespace, name: name, path: location.path.joined(separator: "."), outcome: .skipped(""))
        if location.path.isEmpty {
            result.outcome = injectPod(&object, namespace: namespace)
        } else {
            let found = object.modify(path: location.path[...]) { template in
                injectTemplate(&template, namespace: namespace)
            }
            result.outcome = found ?? .skipped("it has no \(result.path)")
        }
        results.append(result)
    }

    /// A template becomes the Pod the controller would create from it: its metadata and spec.
    private func injectTemplate(_ template: inout JSONValue, namespace: String) -> PodTemplateResult.Outcome {
        guard let fields = template.objectValue else { return .failed("the pod template is not an object") }
        var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod"]
        pod.modifyObject { pod in
            pod["metadata"] = fields["metadata"] ?? .object(JSONObject())
            pod["spec"] = fields["spec"] ?? .null
        }
        let outcome = injectPod(&pod, namespace: namespace)
        guard case .injected = outcome, let patched = pod.objectValue else { return outcome }
        let hadMetadata = fields["metadata"] != nil
        template.modifyObject { template in
            if hadMetadata {
                template["metadata"] = patched["metadata"]
            } else if let metadata = patched["metadata"] {
                // Metadata first, where a person looks for it.
                template = JSONObject([JSONMember(key: "metadata", value: metadata)] + template.members)
            }
            template["spec"] = patched["spec"]
        }
        return outcome
    }

    /// Reviews `pod` as a CREATE; on injection `pod` becomes the patched pod.
    private func injectPod(_ pod: inout JSONValue, namespace: String) -> PodTemplateResult.Outcome {
        let admissionReview: JSONValue = [
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": [
                "uid": "kube-injector-inject",
                "kind": ["group": "", "version": "v1", "kind": "Pod"],
                "resource": ["group": "", "version": "v1", "resource": "pods"],
                "namespace": .string(namespace),
                "operation": "CREATE",
                "userInfo": ["username": "kube-injector-inject"],
                "object": pod,
                // Nothing is stored: this is a preview, and a failure must not become an Event.
                "dryRun": true,
            ],
        ]
        let (outcome, patched) = review(JSONSerializer.serialize(admissionReview))
        switch outcome.result {
        case .injected:
            guard let patched else { return .failed("the engine returned no patched pod") }
            pod = patched.materialized
            return .injected(operations: outcome.patchOperations)
        case .skipped:
            return .skipped(outcome.skipReason ?? "nothing to inject")
        case .failedOpen:
            return .failed(outcome.failure?.message ?? "the injection failed")
        case .error:
            return .failed(String(decoding: outcome.body, as: UTF8.self))
        }
    }
}

extension JSONValue {
    /// Runs `body` on the value at `path` (object keys) in place; nil when some key is missing or a
    /// value on the way is not an object.
    fileprivate mutating func modify<R>(path: ArraySlice<String>, _ body: (inout JSONValue) -> R) -> R? {
        guard let key = path.first else { return body(&self) }
        guard objectValue != nil else { return nil }
        return modifyObject { object -> R? in
            guard let index = object.index(forKey: key) else { return nil }
            return object.modifyValue(at: index) { $0.modify(path: path.dropFirst(), body) }
        } ?? nil
    }
}
