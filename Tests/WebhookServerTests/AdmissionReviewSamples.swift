import Foundation

/// AdmissionReview bodies for the tests, each with its own uid.
enum AdmissionReviewSamples {
    static func podCreate(uid: String, containerName: String = "app") -> String {
        """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\(uid)",\
        "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},\
        "namespace":"shop","operation":"CREATE","userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller"},\
        "object":{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"checkout-7d9c6b5f4d-","namespace":"shop",\
        "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"checkout-7d9c6b5f4d","uid":"3f1a8b2c-9d4e-4f6a-8b1c-2d3e4f5a6b7c","controller":true}]},\
        "spec":{"containers":[{"name":"\(containerName)","image":"registry.example.com/checkout:1.4"}]}},"dryRun":false}}
        """
    }

    /// A pod with `containerCount` containers, each with `envPerContainer` variables of
    /// `valueBytes` bytes: 36 containers with one short variable make the 3.9 KB review the attack
    /// used; 40 containers with 100 variables of 250 bytes about 1 MiB that a debug build reviews
    /// in tens of milliseconds (the cost grows with the containers, not with the bytes).
    static func podCreate(uid: String, containerCount: Int, envPerContainer: Int = 1, valueBytes: Int = 6) -> String {
        var containers: [String] = []
        containers.reserveCapacity(containerCount)
        let value = String(repeating: "x", count: valueBytes)
        for index in 0..<containerCount {
            let slot = String(format: "%06d", index)
            let env = (0..<envPerContainer).map { #"{"name":"V\#($0)","value":"\#(value)"}"# }.joined(separator: ",")
            containers.append(#"{"name":"app-\#(slot)","image":"registry.example.com/checkout:1.4","env":[\#(env)]}"#)
        }
        return podCreate(uid: uid).replacingOccurrences(
            of: #"[{"name":"app","image":"registry.example.com/checkout:1.4"}]"#, with: "[" + containers.joined(separator: ",") + "]")
    }

    /// The parsed `response` of an AdmissionReview answer.
    struct Response {
        var uid: String
        var allowed: Bool
        var patch: String?
    }

    static func response(_ body: String) -> Response? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let response = object["response"] as? [String: Any],
              let uid = response["uid"] as? String, let allowed = response["allowed"] as? Bool
        else { return nil }
        let patch = (response["patch"] as? String).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        return Response(uid: uid, allowed: allowed, patch: patch)
    }

    static func uid(_ index: Int) -> String {
        String(format: "00000000-0000-4000-8000-%012d", index)
    }
}
