// Review: one AdmissionReview in, one answer out. The controller parses the body with the
// review's parse shape, decodes the request, runs the injection and the admissibility checks,
// and writes the response (base64 patch, warnings) or an allowed-unchanged answer with a
// failure record for the recorder.

import JSON
import KubernetesAPI

/// Turns one AdmissionReview request body into its answer. Pure: no I/O, no clock, no
/// globals; safe to call from any thread.
public struct AdmissionController: Sendable {
    public let configuration: InjectionConfig

    public init(configuration: InjectionConfig) {
        self.configuration = configuration
    }

    /// Reviews one request body. Never throws: every failure becomes an outcome. `cluster` is
    /// what the server knows of the cluster (namespace labels, quotas, LimitRanges); nil when
    /// there is no cluster, and then the pod is injected without those checks.
    public func review(_ body: [UInt8], cluster: ClusterSnapshot? = nil) -> AdmissionOutcome {
        evaluate(body, cluster: cluster, returningObject: false).outcome
    }

    /// Like `review`, and also the object as it will be stored: patched when injected, as sent
    /// otherwise; nil when the body was not an AdmissionReview. For `replay --patched`.
    public func reviewReturningPatchedObject(_ body: [UInt8], cluster: ClusterSnapshot? = nil) -> (outcome: AdmissionOutcome, patchedObject: JSONValue?) {
        evaluate(body, cluster: cluster, returningObject: true)
    }

    /// `apiVersion` and `request.uid` of a body, found without building the JSON tree, so a
    /// server about to miss the API server's `?timeout=` can still answer allowed-unchanged.
    /// nil when the body does not have both.
    public static func requestIdentity(_ body: [UInt8]) -> (uid: String, apiVersion: String)? {
        guard let found = JSONParser.strings(at: [["request", "uid"], ["apiVersion"]], in: body),
              let uid = found[0], let apiVersion = found[1] else { return nil }
        return (uid, apiVersion)
    }

    /// The answer when the request must be answered before the engine can finish (the API
    /// server's `?timeout=` is about to run out): allowed, no patch, echoing `uid`.
    public static func allowUnchanged(uid: String, apiVersion: String) -> [UInt8] {
        responseBody(apiVersion: apiVersion, uid: uid, patch: nil, warning: nil)
    }

    // MARK: - Review

    private func evaluate(_ body: [UInt8], cluster: ClusterSnapshot?, returningObject: Bool) -> (outcome: AdmissionOutcome, patchedObject: JSONValue?) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(body, shape: .admissionReview)
        } catch {
            return (Self.badRequest("request body is not an AdmissionReview: \(error)"), nil)
        }
        return evaluate(review: consume root, body: body, cluster: cluster, returningObject: returningObject)
    }

    /// The review after the parse: `root` is `body` as `ParseShape.admissionReview` keeps it
    /// (tests pass other shapes, to check that this one keeps what is read here).
    /// Consumes `root`: once the request is decoded the tree must be gone, so that the pod moved
    /// out of the request below is the only copy and the self-check patches it in place.
    func evaluate(
        review root: consuming JSONValue, body: [UInt8], cluster: ClusterSnapshot?, returningObject: Bool
    ) -> (outcome: AdmissionOutcome, patchedObject: JSONValue?) {
        var request: AdmissionRequest
        switch AdmissionRequest.decode(root) {
        case .success(let decoded): request = decoded
        case .failure(let error): return (Self.badRequest("request body is not an AdmissionReview: \(error.message)"), nil)
        }
        _ = consume root
        guard request.isPod else {
            return (skipped(request, reason: "not a pod"), request.object)
        }
        guard configuration.mutates(operation: request.operation) else {
            return (skipped(request, reason: "the configuration does not inject on this operation"), request.object)
        }
        // Moved out of the request (and the parsed tree is gone), so the self-check patches the
        // only copy in place.
        var pod = request.object
        request.object = .null
        var decision = Injector(configuration: configuration).decide(pod: &pod)
        // The patched pod must pass what the API server checks after the webhook; if not, the
        // pod is admitted unchanged like any other failure (all or nothing).
        if case .inject(_, let injected) = decision, let failure = PodAdmissibility(injected: injected).check(pod: pod) {
            decision = .failOpen(failure)
        }
        switch decision {
        case .skip(let reason):
            return (skipped(request, reason: reason), pod)
        case .failOpen(let failure):
            return failedOpen(failure, request: request, pod: pod, body: body, returningObject: returningObject)
        case .inject(let operations, _):
            // What the API server's own admission (Pod Security, ResourceQuota) would make of the
            // patched pod, from the cluster state passed in: a dictionary read, no I/O.
            var unknownNamespace: String?
            switch ClusterAdmission.verdict(cluster: cluster, namespace: request.namespace, patchedPod: pod, operations: operations) {
            case .admissible: break
            case .unknownNamespace: unknownNamespace = request.namespace
            case .refused(let failure): return failedOpen(failure, request: request, pod: pod, body: body, returningObject: returningObject)
            }
            let response = Self.responseBody(apiVersion: request.apiVersion, uid: request.uid, patch: JSONPatch(operations), warning: nil)
            var outcome = AdmissionOutcome(result: .injected, httpStatus: 200, body: response, patchOperations: operations.count, failure: nil)
            outcome.unknownNamespace = unknownNamespace
            return (outcome, pod)
        }
    }

    /// Allowed, no patch, and a failure record; `pod` may be patched (a failed self-check or a
    /// refused injection), so the stored object returned is re-read from the body.
    private func failedOpen(
        _ failure: InjectionFailure, request: AdmissionRequest, pod: JSONValue, body: [UInt8], returningObject: Bool
    ) -> (outcome: AdmissionOutcome, patchedObject: JSONValue?) {
        let record = Self.failureRecord(failure, request: request, pod: pod)
        let response = Self.responseBody(
            apiVersion: request.apiVersion, uid: request.uid, patch: nil,
            warning: "kube-injector admitted this pod without injecting it: \(failure.message)")
        let original = returningObject ? (try? JSONParser.parse(body, shape: .admissionReview)).flatMap { $0["request"]?["object"] } : nil
        var outcome = AdmissionOutcome(result: .failedOpen, httpStatus: 200, body: response, patchOperations: 0, failure: record)
        outcome.failOpenReason = failure.reason
        return (outcome, original)
    }

    private func skipped(_ request: AdmissionRequest, reason: String) -> AdmissionOutcome {
        let body = Self.responseBody(apiVersion: request.apiVersion, uid: request.uid, patch: nil, warning: nil)
        return AdmissionOutcome(result: .skipped, httpStatus: 200, body: body, patchOperations: 0, failure: nil, skipReason: reason)
    }

    private static func badRequest(_ message: String) -> AdmissionOutcome {
        AdmissionOutcome(result: .error, httpStatus: 400, body: Array(message.utf8), patchOperations: 0, failure: nil)
    }

    /// The pod's identity fields are read from `pod`, which a failed self-check may have partly
    /// patched: the patch never touches name, namespace or ownerReferences.
    private static func failureRecord(_ failure: InjectionFailure, request: AdmissionRequest, pod: JSONValue) -> FailureRecord {
        let metadata = pod["metadata"]?.objectValue
        let owners = (metadata?["ownerReferences"]?.arrayValue ?? []).compactMap { entry -> OwnerReference? in
            guard let owner = entry.objectValue, let kind = owner["kind"]?.stringValue, let name = owner["name"]?.stringValue else {
                return nil
            }
            return OwnerReference(
                apiVersion: owner["apiVersion"]?.stringValue ?? "", kind: kind, name: name,
                uid: owner["uid"]?.stringValue ?? "", controller: owner["controller"]?.boolValue ?? false)
        }
        let namespace = metadata?["namespace"]?.stringValue ?? ""
        return FailureRecord(
            message: failure.message,
            namespace: namespace.isEmpty ? request.namespace : namespace,
            name: metadata?["name"]?.stringValue ?? "",
            generateName: metadata?["generateName"]?.stringValue ?? "",
            ownerReferences: owners,
            dryRun: request.dryRun,
            requestUID: request.uid)
    }

    /// The response AdmissionReview, written straight to bytes in the request's version.
    static func responseBody(apiVersion: String, uid: String, patch: JSONPatch?, warning: String?) -> [UInt8] {
        // The patch's JSON first, for its length: the answer's buffer is then sized once.
        var patchJSON = ByteWriter(capacity: patch.map { 192 * $0.operations.count + 2 } ?? 0)
        patch?.write(into: &patchJSON)
        var output = ByteWriter(
            capacity: 160 + apiVersion.utf8.count + uid.utf8.count + (patchJSON.count + 2) / 3 * 4 + (warning?.utf8.count ?? 0) * 2)
        output.append(#"{"apiVersion":"#)
        JSONSerializer.writeString(apiVersion, into: &output)
        output.append(#","kind":"AdmissionReview","response":{"uid":"#)
        JSONSerializer.writeString(uid, into: &output)
        output.append(#","allowed":true"#)
        if patch != nil {
            output.append(#","patchType":"JSONPatch","patch":""#)
            patchJSON.withBytes { Base64.encode($0, into: &output) }
            output.append(UInt8(ascii: "\""))
        }
        if let warning {
            output.append(#","warnings":["#)
            JSONSerializer.writeString(warning, into: &output)
            output.append(UInt8(ascii: "]"))
        }
        output.append("}}")
        return output.finish()
    }
}
