/// The fields and values core/v1 allows in the parts of a pod a profile can inject, from
/// `k8s.io/api/core/v1/types.go` and the value sets in `pkg/apis/core/validation/validation.go`.
/// The API server drops unknown fields of a patched object; a pod then runs without what the
/// user wrote, so each unknown field is refused instead.
enum PodFieldTables {
    static let containerKeys: Set<String> = [
        "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy",
        "restartPolicy", "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe",
        "lifecycle", "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy", "securityContext",
        "stdin", "stdinOnce", "tty",
    ]
    static let envVarKeys: Set<String> = ["name", "value", "valueFrom"]
    static let envVarSourceKeys: Set<String> = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"]
    static let objectFieldSelectorKeys: Set<String> = ["apiVersion", "fieldPath"]
    static let resourceFieldSelectorKeys: Set<String> = ["containerName", "resource", "divisor"]
    static let keySelectorKeys: Set<String> = ["name", "key", "optional"]
    static let envFromKeys: Set<String> = ["prefix", "configMapRef", "secretRef"]
    static let envFromReferenceKeys: Set<String> = ["name", "optional"]
    static let resourceRequirementsKeys: Set<String> = ["limits", "requests", "claims"]
    static let volumeMountKeys: Set<String> = [
        "name", "mountPath", "readOnly", "recursiveReadOnly", "subPath", "subPathExpr", "mountPropagation",
    ]
    static let containerPortKeys: Set<String> = ["name", "containerPort", "hostPort", "protocol", "hostIP"]
    static let securityContextKeys: Set<String> = [
        "capabilities", "privileged", "seLinuxOptions", "windowsOptions", "runAsUser", "runAsGroup", "runAsNonRoot",
        "readOnlyRootFilesystem", "allowPrivilegeEscalation", "procMount", "seccompProfile", "appArmorProfile",
    ]
    static let capabilitiesKeys: Set<String> = ["add", "drop"]
    static let probeKeys: Set<String> = [
        "exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
        "failureThreshold", "terminationGracePeriodSeconds",
    ]
    static let probeHandlerKeys: Set<String> = ["exec", "httpGet", "tcpSocket", "grpc"]
    static let lifecycleKeys: Set<String> = ["postStart", "preStop", "stopSignal"]
    static let lifecycleHandlerKeys: Set<String> = ["exec", "httpGet", "tcpSocket", "sleep"]
    /// The handler members of probes and lifecycle hooks (`validateHandler`).
    static let handlerKinds: Set<String> = ["exec", "httpGet", "tcpSocket", "grpc", "sleep"]
    static let seccompProfileKeys: Set<String> = ["type", "localhostProfile"]

    /// `validEnvDownwardAPIFieldPathExpressions`; `metadata.labels['k']` and
    /// `metadata.annotations['k']` are handled apart (`validateObjectFieldSelector`).
    static let envFieldPaths: Set<String> = [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ]
    /// `validDownwardAPIFieldPathExpressions`: what a downwardAPI volume file may expose.
    static let volumeFieldPaths: Set<String> = ["metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels", "metadata.annotations"]
    /// `validContainerResourceFieldPathExpressions`.
    static let resourceFieldPaths: Set<String> = [
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    ]
    /// `validateContainerResourceDivisor`: the divisors allowed for cpu and for memory/ephemeral-storage.
    static let cpuDivisors: Set<String> = ["1m", "1"]
    static let memoryDivisors: Set<String> = ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"]
    static let pullPolicies = ["Always", "IfNotPresent", "Never"]
    static let terminationMessagePolicies = ["File", "FallbackToLogsOnError"]
    static let protocols = ["TCP", "UDP", "SCTP"]
    static let mountPropagationModes = ["None", "HostToContainer", "Bidirectional"]
    static let seccompProfileTypes = ["RuntimeDefault", "Localhost", "Unconfined"]
    static let hostPathTypes = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"]
    static let standardContainerResources: Set<String> = ["cpu", "memory", "ephemeral-storage"]

    /// Each VolumeSource member and the fields of its source. nil: a source whose fields are
    /// not checked here (in-tree plugins being removed from Kubernetes; still one source each).
    static let volumeSources: [String: Set<String>?] = [
        "emptyDir": ["medium", "sizeLimit"],
        "hostPath": ["path", "type"],
        "configMap": ["name", "items", "defaultMode", "optional"],
        "secret": ["secretName", "items", "defaultMode", "optional"],
        "persistentVolumeClaim": ["claimName", "readOnly"],
        "downwardAPI": ["items", "defaultMode"],
        "projected": ["sources", "defaultMode"],
        "csi": ["driver", "readOnly", "fsType", "volumeAttributes", "nodePublishSecretRef"],
        "ephemeral": ["volumeClaimTemplate"],
        "nfs": ["server", "path", "readOnly"],
        "image": ["reference", "pullPolicy"],
        "gitRepo": nil, "awsElasticBlockStore": nil, "gcePersistentDisk": nil, "iscsi": nil, "glusterfs": nil,
        "rbd": nil, "flexVolume": nil, "cinder": nil, "cephfs": nil, "flocker": nil, "fc": nil, "azureFile": nil,
        "vsphereVolume": nil, "quobyte": nil, "azureDisk": nil, "photonPersistentDisk": nil, "portworxVolume": nil,
        "scaleIO": nil, "storageos": nil,
    ]
    static let keyToPathKeys: Set<String> = ["key", "path", "mode"]
    static let downwardAPIFileKeys: Set<String> = ["path", "fieldRef", "resourceFieldRef", "mode"]
    static let projectionKeys: Set<String> = ["secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle", "podCertificate"]
}
