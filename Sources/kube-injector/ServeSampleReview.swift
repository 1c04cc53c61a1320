/// The AdmissionReview `serve --dev` offers for a first try: a Deployment's pod being created.
enum ServeSampleReview {
    static let json = """
        {
          "apiVersion": "admission.k8s.io/v1",
          "kind": "AdmissionReview",
          "request": {
            "uid": "0d1f7c52-3a8e-4c1b-9e57-6f2b8a4c9d10",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "default",
            "operation": "CREATE",
            "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller"},
            "object": {
              "apiVersion": "v1",
              "kind": "Pod",
              "metadata": {
                "generateName": "web-5d8f7c9b6-",
                "namespace": "default",
                "labels": {"app": "web"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8f7c9b6",
                                     "uid": "8c1f5e2a-7b3d-4e9f-a1c6-2d4b6f8a0e13", "controller": true}]
              },
              "spec": {
                "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]
              }
            },
            "dryRun": false
          }
        }

        """
}
