/// Turns one AdmissionReview request body into its answer. Pure: no I/O, no clock, no
/// globals; safe to call from any thread.
public struct AdmissionController: Sendable {
    public let configuration: InjectionConfig

    public init(configuration: InjectionConfig) {
        self.configuration = configuration
    }

    /// Reviews one request body. Never throws: every failure becomes an outcome.
    public func review(_ body: [UInt8]) -> AdmissionOutcome {
        evaluate(body).outcome
    }

    /// Like `review`, and also the object as it will be stored: patched when injected, as sent
    /// otherwise; nil when the body was not an AdmissionReview. For `replay --patched`.
    public func reviewReturningPatchedObject(_ body: [UInt8]) -> (outcome: AdmissionOutcome, patchedObject: JSONValue?) {
        evaluate(body)
    }

    /// `apiVersion` and `request.uid` of a body, found without building the JSON tree, so a
    /// server about to miss the API server's `?timeout=` can still answer allowed-unchanged.
    /// nil when the body does not have both.
    public static func requestIdentity(_ body: [UInt8]) -> (uid: String, apiVersion: String)? {
        JSONParser.scanRequestIdentity(body)
    }

    /// The answer when the request must be answered before the engine can finish (the API
    /// server's `?timeout=` is about to run out): allowed, no patch, echoing `uid`.
    public static func allowUnchanged(uid: String, apiVersion: String) -> [UInt8] {
        responseBody(apiVersion: apiVersion, uid: uid, patch: nil, warning: nil)
    }

    // MARK: - Review

    private func evaluate(_ body: [UInt8]) -> (outcome: AdmissionOutcome, patchedObject: JSONValue?) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(body)
        } catch {
            return (Self.badRequest("request body is not an AdmissionReview: \(error)"), nil)
        }
        let request: AdmissionRequest
        switch AdmissionRequest.decode(root) {
        case .success(let decoded): request = decoded
        case .failure(let error): return (Self.badRequest("request body is not an AdmissionReview: \(error.message)"), nil)
        }
        guard request.isPod, configuration.mutates(operation: request.operation) else {
            return (skipped(request), request.object)
        }
        switch Injector(configuration: configuration).decide(pod: request.object) {
        case .skip:
            return (skipped(request), request.object)
        case .failOpen(let failure):
            let record = Self.failureRecord(failure, request: request)
            let body = Self.responseBody(
                apiVersion: request.apiVersion, uid: request.uid, patch: nil,
                warning: "kube-injector admitted this pod without injecting it: \(failure.message)")
            return (AdmissionOutcome(result: .failedOpen, httpStatus: 200, body: body, patchOperations: 0, failure: record), request.object)
        case .inject(let operations, let patchedPod):
            let patch = JSONPatch(operations).serialized()
            let body = Self.responseBody(apiVersion: request.apiVersion, uid: request.uid, patch: patch, warning: nil)
            return (AdmissionOutcome(result: .injected, httpStatus: 200, body: body, patchOperations: operations.count, failure: nil), patchedPod)
        }
    }

    private func skipped(_ request: AdmissionRequest) -> AdmissionOutcome {
        let body = Self.responseBody(apiVersion: request.apiVersion, uid: request.uid, patch: nil, warning: nil)
        return AdmissionOutcome(result: .skipped, httpStatus: 200, body: body, patchOperations: 0, failure: nil)
    }

    private static func badRequest(_ message: String) -> AdmissionOutcome {
        AdmissionOutcome(result: .error, httpStatus: 400, body: Array(message.utf8), patchOperations: 0, failure: nil)
    }

    private static func failureRecord(_ failure: InjectionFailure, request: AdmissionRequest) -> FailureRecord {
        let metadata = request.object["metadata"]?.objectValue
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
    static func responseBody(apiVersion: String, uid: String, patch: [UInt8]?, warning: String?) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128 + (patch?.count ?? 0) * 4 / 3)
        output.append(contentsOf: #"{"apiVersion":"#.utf8)
        JSONSerializer.writeString(apiVersion, into: &output)
        output.append(contentsOf: #","kind":"AdmissionReview","response":{"uid":"#.utf8)
        JSONSerializer.writeString(uid, into: &output)
        output.append(contentsOf: #","allowed":true"#.utf8)
        if let patch {
            output.append(contentsOf: #","patchType":"JSONPatch","patch":""#.utf8)
            Base64.encode(patch, into: &output)
            output.append(UInt8(ascii: "\""))
        }
        if let warning {
            output.append(contentsOf: #","warnings":["#.utf8)
            JSONSerializer.writeString(warning, into: &output)
            output.append(UInt8(ascii: "]"))
        }
        output.append(contentsOf: "}}".utf8)
        return output
    }
}
