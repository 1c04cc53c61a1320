import JSON

/// The parts of an AdmissionReview's `request` the admission core looks at, read from the
/// parsed body. admission.k8s.io/v1 and v1beta1 share this shape.
struct AdmissionRequest {
    static let supportedAPIVersions = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"]
    var apiVersion: String
    var uid: String
    var group: String
    var kind: String
    var subResource: String
    var operation: String
    var namespace: String
    var dryRun: Bool
    var object: JSONValue

    /// Reads the request, or says why the body is not an AdmissionReview this core can answer.
    static func decode(_ root: JSONValue) -> Result<AdmissionRequest, AdmissionRequestError> {
        guard let review = root.objectValue else {
            return .failure(AdmissionRequestError("the body is JSON but not an object; expected an AdmissionReview"))
        }
        guard review["kind"]?.stringValue == "AdmissionReview" else {
            return .failure(AdmissionRequestError("kind is \(review["kind"].map { "\($0)" } ?? "missing"), expected \"AdmissionReview\""))
        }
        guard let apiVersion = review["apiVersion"]?.stringValue, supportedAPIVersions.contains(apiVersion) else {
            return .failure(AdmissionRequestError(
                "apiVersion is \(review["apiVersion"].map { "\($0)" } ?? "missing"), expected admission.k8s.io/v1 or admission.k8s.io/v1beta1"))
        }
        guard let request = review["request"]?.objectValue else {
            return .failure(AdmissionRequestError("the AdmissionReview has no request object"))
        }
        guard let uid = request["uid"]?.stringValue, !uid.isEmpty else {
            return .failure(AdmissionRequestError("request.uid is missing or not a string"))
        }
        let kind = request["kind"]?.objectValue
        return .success(AdmissionRequest(
            apiVersion: apiVersion,
            uid: uid,
            group: kind?["group"]?.stringValue ?? "",
            kind: kind?["kind"]?.stringValue ?? "",
            subResource: request["subResource"]?.stringValue ?? "",
            operation: request["operation"]?.stringValue ?? "",
            namespace: request["namespace"]?.stringValue ?? "",
            dryRun: request["dryRun"]?.boolValue ?? false,
            object: request["object"] ?? .null))
    }

    /// A Pod itself (not one of its subresources such as status or ephemeralcontainers).
    var isPod: Bool { group.isEmpty && kind == "Pod" && subResource.isEmpty }
}
