@testable import Admission
import Foundation
import JSON

/// Wraps a pod in an AdmissionReview request as the API server sends one.
enum ReviewBuilder {
    static func review(
        pod: JSONValue, uid: String = "test-uid", apiVersion: String = "admission.k8s.io/v1", operation: String = "CREATE",
        dryRun: Bool = false
    ) -> [UInt8] {
        let review: JSONValue = [
            "apiVersion": .string(apiVersion),
            "kind": "AdmissionReview",
            "request": [
                "uid": .string(uid),
                "kind": ["group": "", "version": "v1", "kind": "Pod"],
                "resource": ["group": "", "version": "v1", "resource": "pods"],
                "namespace": "default",
                "operation": .string(operation),
                "userInfo": ["username": "tester"],
                "object": pod,
                "oldObject": nil,
                "dryRun": .bool(dryRun),
            ],
        ]
        return JSONSerializer.serialize(review)
    }

    /// The decoded patch of a response body, or nil when it carries none.
    static func patch(in responseBody: [UInt8]) throws -> JSONPatch? {
        guard let encoded = try JSONParser.parse(responseBody)["response"]?["patch"]?.stringValue else { return nil }
        guard let bytes = Data(base64Encoded: encoded).map(Array.init) else { throw JSONPatchError(operationIndex: nil, path: "", problem: "patch is not base64") }
        return try JSONPatch(json: JSONParser.parse(bytes))
    }
}
