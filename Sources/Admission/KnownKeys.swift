#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// `table[length]` holds the known keys of that many bytes.
    private static let table: [[(bytes: [UInt8], key: String)]] = {
        var table = [[(bytes: [UInt8], key: String)]](repeating: [], count: 33)
        for key in all where key.utf8.count < table.count {
            table[key.utf8.count].append((Array(key.utf8), key))
        }
        return table
    }()

    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count < 33, let base = bytes.baseAddress else { return nil }
        for candidate in table[bytes.count] where candidate.bytes.first == base.pointee {
            let matches = candidate.bytes.withUnsafeBufferPointer { known in
                known.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? false
            }
            if matches { return candidate.key }
        }
        return nil
    }
}
