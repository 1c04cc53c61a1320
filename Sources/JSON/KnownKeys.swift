/// Member names that Kubernetes objects repeat in every request. The parser hands out these
/// prebuilt strings instead of decoding the same bytes into a new String each time, and equal
/// strings built once compare by their bits.
enum KnownKeys {
    static let all: [String] = [
        "apiVersion", "kind", "metadata", "spec", "status", "name", "namespace", "generateName", "labels",
        "annotations", "ownerReferences", "uid", "controller", "blockOwnerDeletion", "creationTimestamp",
        "resourceVersion", "managedFields", "containers", "initContainers", "volumes", "image", "command", "args",
        "env", "value", "valueFrom", "fieldRef", "fieldPath", "secretKeyRef", "configMapKeyRef", "key", "envFrom",
        "ports", "containerPort", "protocol", "resources", "limits", "requests", "cpu", "memory", "volumeMounts",
        "mountPath", "readOnly", "subPath", "readinessProbe", "livenessProbe", "startupProbe", "httpGet", "path",
        "port", "scheme", "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold",
        "initialDelaySeconds", "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy",
        "securityContext", "restartPolicy", "terminationGracePeriodSeconds", "dnsPolicy", "serviceAccountName",
        "serviceAccount", "nodeName", "schedulerName", "tolerations", "operator", "effect", "tolerationSeconds",
        "priority", "enableServiceLinks", "preemptionPolicy", "projected", "sources", "serviceAccountToken",
        "expirationSeconds", "configMap", "items", "downwardAPI", "defaultMode", "emptyDir", "secret",
        "secretName", "request", "response", "operation", "object", "oldObject", "dryRun", "options", "userInfo",
        "group", "version", "resource", "subResource", "requestKind", "requestResource", "username", "groups",
        "workingDir", "affinity", "nodeSelector", "hostname", "subdomain", "runAsUser", "runAsNonRoot",
        "fsGroup", "allowPrivilegeEscalation", "capabilities", "drop", "add", "privileged", "readOnlyRootFilesystem",
        "seccompProfile", "type", "imagePullSecrets", "lifecycle", "preStop", "exec", "sizeLimit", "medium",
        "persistentVolumeClaim", "claimName", "hostPath", "topologySpreadConstraints", "fieldManager",
    ]

    private static let table = KnownKeyTable(all)

    /// The prebuilt String for these bytes, if they spell a known key.
    @inline(__always)
    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        table.lookup(bytes)
    }
}
