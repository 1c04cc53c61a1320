import TestSupport

extension FakeAPIServer {
    /// Stores a ReplicaSet that the Deployment `deployment` (uid `deploymentUID`) controls, so the
    /// webhook can resolve a pod's owner to its Deployment.
    func seedReplicaSet(name: String, namespace: String, uid: String, deployment: String,
                        deploymentUID: String) async throws {
        try await seed(path: "/apis/apps/v1/namespaces/\(namespace)/replicasets", object: [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": [
                "name": name, "namespace": namespace, "uid": uid,
                "ownerReferences": [["apiVersion": "apps/v1", "kind": "Deployment", "name": deployment,
                                     "uid": deploymentUID, "controller": true]],
            ],
        ])
    }
}
