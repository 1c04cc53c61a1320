"""An independent validator for the pod fields kube-injector injects, written from Kubernetes'
own sources and sharing no code with the Swift implementation:

- k8s.io/kubernetes pkg/apis/core/validation/validation.go: ValidateEnv, validateEnvVarValueFrom,
  validateObjectFieldSelector, validateContainerResourceFieldSelector, ValidateVolumes,
  validateVolumeSource, ValidateVolumeMounts, validateLocalDescendingPath, validateInitContainers,
  validateInitContainerRestartPolicy, validatePullPolicy, validateContainerPorts,
  ValidateContainerResourceRequirements, validateEphemeralContainers;
- k8s.io/apimachinery pkg/util/validation/validation.go: IsDNS1123Label, IsDNS1123Subdomain,
  IsQualifiedName, IsRelaxedEnvVarName, IsConfigMapKey, IsValidPortNum, IsValidPortName;
- k8s.io/apimachinery pkg/api/resource ParseQuantity.

`pod_problems(pod)` returns a list of "path: problem" strings; empty means the API server's
checks for these fields pass. Only the fields a profile can inject are covered.
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
QUALIFIED_NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
CONFIG_MAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")

ENV_FIELD_PATHS = {"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
                   "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"}
RESOURCE_FIELD_PATHS = {"limits.cpu", "limits.memory", "limits.ephemeral-storage",
                        "requests.cpu", "requests.memory", "requests.ephemeral-storage"}
VOLUME_SOURCES = {
    "emptyDir", "hostPath", "configMap", "secret", "persistentVolumeClaim", "downwardAPI", "projected", "csi",
    "ephemeral", "nfs", "image", "gitRepo", "awsElasticBlockStore", "gcePersistentDisk", "iscsi", "glusterfs", "rbd",
    "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
    "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
}
SOURCE_FIELDS = {
    "emptyDir": {"medium", "sizeLimit"},
    "hostPath": {"path", "type"},
    "configMap": {"name", "items", "defaultMode", "optional"},
    "secret": {"secretName", "items", "defaultMode", "optional"},
    "persistentVolumeClaim": {"claimName", "readOnly"},
}
MOUNT_FIELDS = {"name", "mountPath", "readOnly", "recursiveReadOnly", "subPath", "subPathExpr", "mountPropagation"}


def is_dns1123_label(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 63 and bool(DNS1123_LABEL.match(value))


def is_dns1123_subdomain(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 253 and all(is_dns1123_label(p) for p in value.split("."))


def is_qualified_name(value: str) -> bool:
    prefix, slash, name = value.rpartition("/")
    if slash and not is_dns1123_subdomain(prefix):
        return False
    if "/" in prefix:
        return False
    return 0 < len(name) <= 63 and bool(QUALIFIED_NAME_PART.match(name))


def is_env_var_name(value: Any) -> bool:
    return isinstance(value, str) and value != "" and all(32 <= ord(c) <= 126 and c != "=" for c in value)


def parse_quantity(value: Any) -> Fraction | None:
    if isinstance(value, bool):
        return None
    text = str(value) if isinstance(value, (int, float)) else value
    if not isinstance(text, str):
        return None
    match = QUANTITY.match(text)
    if not match or match.group(1).count(".") > 1 or not any(c.isdigit() for c in match.group(1)):
        return None
    number = Fraction(match.group(1).lstrip("+")) if match.group(1).strip("+-") not in ("", ".") else None
    if number is None:
        return None
    suffix = match.group(2)
    binary = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
    decimal = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
    if suffix in binary:
        return number * (2 ** binary[suffix])
    if suffix in decimal:
        return number * Fraction(10) ** decimal[suffix]
    exponent = re.match(r"^[eE]([-+]?[0-9]+)$", suffix)
    if exponent:
        return number * Fraction(10) ** int(exponent.group(1))
    return None


def local_descending_path_problems(value: str) -> list[str]:
    problems = []
    if value.startswith("/"):
        problems.append("must be a relative path")
    if ".." in value.split("/"):
        problems.append("must not contain '..'")
    return problems


def env_problems(env: list[Any], path: str) -> list[str]:
    problems = []
    for index, var in enumerate(env):
        here = f"{path}[{index}]"
        if not isinstance(var, dict):
            problems.append(f"{here}: not a mapping")
            continue
        if set(var) - {"name", "value", "valueFrom"}:
            problems.append(f"{here}: unknown field")
        if not is_env_var_name(var.get("name")):
            problems.append(f"{here}.name: invalid env var name {var.get('name')!r}")
        source = var.get("valueFrom")
        if source is None:
            continue
        if var.get("value"):
            problems.append(f"{here}.valueFrom: value and valueFrom both set")
        if not isinstance(source, dict):
            problems.append(f"{here}.valueFrom: not a mapping")
            continue
        kinds = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef") if k in source]
        if len(kinds) != 1 or set(source) - set(kinds):
            problems.append(f"{here}.valueFrom: exactly one source required")
        field_ref = source.get("fieldRef")
        if isinstance(field_ref, dict):
            field_path = field_ref.get("fieldPath", "")
            subscript = re.match(r"^(.*)\['(.*)'\]$", field_path or "")
            if subscript:
                base, key = subscript.groups()
                if base == "metadata.labels":
                    ok = is_qualified_name(key)
                elif base == "metadata.annotations":
                    ok = is_qualified_name(key.lower())
                else:
                    ok = False
                if not ok:
                    problems.append(f"{here}.valueFrom.fieldRef: bad subscripted path {field_path!r}")
            elif field_path not in ENV_FIELD_PATHS:
                problems.append(f"{here}.valueFrom.fieldRef.fieldPath: unsupported {field_path!r}")
            if field_ref.get("apiVersion", "v1") != "v1":
                problems.append(f"{here}.valueFrom.fieldRef.apiVersion: unsupported")
        resource_ref = source.get("resourceFieldRef")
        if isinstance(resource_ref, dict):
            resource = resource_ref.get("resource")
            if resource not in RESOURCE_FIELD_PATHS:
                problems.append(f"{here}.valueFrom.resourceFieldRef.resource: unsupported {resource!r}")
            elif "divisor" in resource_ref:
                divisor = parse_quantity(resource_ref["divisor"])
                allowed = ({"1m", "1"} if resource.endswith(".cpu") else
                           {"1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"})
                if divisor is None or divisor not in {parse_quantity(a) for a in allowed}:
                    problems.append(f"{here}.valueFrom.resourceFieldRef.divisor: not allowed")
        for key in ("configMapKeyRef", "secretKeyRef"):
            selector = source.get(key)
            if isinstance(selector, dict):
                if not is_dns1123_subdomain(selector.get("name")):
                    problems.append(f"{here}.valueFrom.{key}.name: not a DNS subdomain")
                selector_key = selector.get("key")
                if not (isinstance(selector_key, str) and CONFIG_MAP_KEY.match(selector_key) and len(selector_key) <= 253
                        and selector_key not in (".", "..") and not selector_key.startswith("..")):
                    problems.append(f"{here}.valueFrom.{key}.key: not a config key")
    return problems


def resource_problems(resources: Any, path: str) -> list[str]:
    if not isinstance(resources, dict):
        return [f"{path}: not a mapping"]
    problems = []
    if set(resources) - {"limits", "requests", "claims"}:
        problems.append(f"{path}: unknown field")
    parsed: dict[str, dict[str, Fraction]] = {"limits": {}, "requests": {}}
    for kind in ("limits", "requests"):
        for name, value in (resources.get(kind) or {}).items():
            standard = name in ("cpu", "memory", "ephemeral-storage")
            hugepages = name.startswith("hugepages-") and parse_quantity(name[len("hugepages-"):]) is not None
            extended = "/" in name and is_qualified_name(name)
            if not (standard or hugepages or extended):
                problems.append(f"{path}.{kind}.{name}: not a container resource")
            quantity = parse_quantity(value)
            if quantity is None:
                problems.append(f"{path}.{kind}.{name}: not a quantity {value!r}")
            elif quantity < 0:
                problems.append(f"{path}.{kind}.{name}: negative")
            else:
                parsed[kind][name] = quantity
    for name, request in parsed["requests"].items():
        limit = parsed["limits"].get(name)
        if limit is not None and request > limit:
            problems.append(f"{path}.requests.{name}: above its limit")
    return problems


def container_problems(container: Any, path: str, volumes: set[str], init: bool) -> list[str]:
    if not isinstance(container, dict):
        return [f"{path}: not a mapping"]
    problems = []
    if not is_dns1123_label(container.get("name")):
        problems.append(f"{path}.name: not a DNS-1123 label")
    image = container.get("image")
    if not isinstance(image, str) or image == "" or image != image.strip():
        problems.append(f"{path}.image: required, without surrounding whitespace")
    if container.get("imagePullPolicy", "IfNotPresent") not in ("Always", "IfNotPresent", "Never"):
        problems.append(f"{path}.imagePullPolicy: unsupported")
    sidecar = False
    if init:
        if "restartPolicy" in container:
            if container["restartPolicy"] != "Always":
                problems.append(f"{path}.restartPolicy: only Always")
            sidecar = container["restartPolicy"] == "Always"
        if not sidecar:
            for field in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if field in container:
                    problems.append(f"{path}.{field}: not allowed on an init container")
    problems += env_problems(container.get("env") or [], f"{path}.env")
    port_names: set[str] = set()
    for index, port in enumerate(container.get("ports") or []):
        here = f"{path}.ports[{index}]"
        number = port.get("containerPort")
        if not isinstance(number, int) or not 1 <= number <= 65535:
            problems.append(f"{here}.containerPort: not a port number")
        if port.get("protocol", "TCP") not in ("TCP", "UDP", "SCTP"):
            problems.append(f"{here}.protocol: unsupported")
        if "name" in port:
            name = port["name"]
            if not (isinstance(name, str) and len(name) <= 15 and PORT_NAME.match(name) and "--" not in name
                    and any(c.isalpha() for c in name)):
                problems.append(f"{here}.name: not an IANA service name")
            if name in port_names:
                problems.append(f"{here}.name: duplicate")
            port_names.add(name)
    mount_paths: set[str] = set()
    for index, mount in enumerate(container.get("volumeMounts") or []):
        here = f"{path}.volumeMounts[{index}]"
        if set(mount) - MOUNT_FIELDS:
            problems.append(f"{here}: unknown field")
        if mount.get("name") not in volumes:
            problems.append(f"{here}.name: volume {mount.get('name')!r} not found")
        mount_path = mount.get("mountPath") or ""
        if not mount_path.startswith("/"):
            problems.append(f"{here}.mountPath: not absolute")
        if mount_path in mount_paths:
            problems.append(f"{here}.mountPath: not unique")
        mount_paths.add(mount_path)
        for key in ("subPath", "subPathExpr"):
            if mount.get(key):
                problems += [f"{here}.{key}: {p}" for p in local_descending_path_problems(mount[key])]
        if mount.get("subPath") and mount.get("subPathExpr"):
            problems.append(f"{here}: subPath and subPathExpr both set")
        if mount.get("mountPropagation", "None") not in ("None", "HostToContainer", "Bidirectional"):
            problems.append(f"{here}.mountPropagation: unsupported")
    if "resources" in container:
        problems += resource_problems(container["resources"], f"{path}.resources")
    return problems


def volume_problems(volume: Any, path: str) -> list[str]:
    if not isinstance(volume, dict):
        return [f"{path}: not a mapping"]
    problems = []
    if not is_dns1123_label(volume.get("name")):
        problems.append(f"{path}.name: not a DNS-1123 label")
    sources = [k for k in volume if k != "name"]
    unknown = [k for k in sources if k not in VOLUME_SOURCES]
    if unknown:
        problems.append(f"{path}: unknown volume source {unknown}")
    if len(sources) != 1:
        problems.append(f"{path}: exactly one volume source required, found {sources}")
    for source in sources:
        fields = SOURCE_FIELDS.get(source)
        body = volume[source]
        if fields is not None and isinstance(body, dict) and set(body) - fields:
            problems.append(f"{path}.{source}: unknown field {sorted(set(body) - fields)}")
        if source == "emptyDir" and isinstance(body, dict) and "sizeLimit" in body:
            size = parse_quantity(body["sizeLimit"])
            if size is None or size < 0:
                problems.append(f"{path}.emptyDir.sizeLimit: not a non-negative quantity")
        if source == "hostPath" and isinstance(body, dict):
            if body.get("type", "") not in ("", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket",
                                            "CharDevice", "BlockDevice"):
                problems.append(f"{path}.hostPath.type: unsupported")
            if ".." in str(body.get("path", "")).split("/"):
                problems.append(f"{path}.hostPath.path: contains '..'")
    return problems


def pod_problems(pod: dict[str, Any]) -> list[str]:
    """Every problem the rules above find in the pod's containers, init containers and volumes."""
    spec = pod.get("spec") if isinstance(pod.get("spec"), dict) else {}
    problems = []
    volumes = spec.get("volumes") or []
    names: set[str] = set()
    for index, volume in enumerate(volumes):
        problems += volume_problems(volume, f"spec.volumes[{index}]")
        name = volume.get("name") if isinstance(volume, dict) else None
        if name in names:
            problems.append(f"spec.volumes[{index}].name: duplicate {name!r}")
        names.add(name)
    container_names: set[str] = set()
    for index, container in enumerate(spec.get("containers") or []):
        problems += container_problems(container, f"spec.containers[{index}]", names, init=False)
        if not isinstance(container, dict):
            continue
        if container.get("name") in container_names:
            problems.append(f"spec.containers[{index}].name: duplicate")
        container_names.add(container.get("name"))
    for index, container in enumerate(spec.get("initContainers") or []):
        problems += container_problems(container, f"spec.initContainers[{index}]", names, init=True)
        if not isinstance(container, dict):
            continue
        if container.get("name") in container_names:
            problems.append(f"spec.initContainers[{index}].name: duplicate {container.get('name')!r}")
        container_names.add(container.get("name"))
    for index, container in enumerate(spec.get("ephemeralContainers") or []):
        if isinstance(container, dict) and container.get("name") in container_names:
            problems.append(f"spec.ephemeralContainers[{index}].name: duplicate {container.get('name')!r}")
        container_names.add(container.get("name"))
    return problems


def profile_problems(profile: dict[str, Any], other_volumes: set[str] = frozenset()) -> list[str]:
    """The problems of a profile's own parts, checked as the pod a profile alone would give:
    its init containers and volumes, and its env and mounts on a stand-in app container.
    `other_volumes` are volumes other profiles define, which its mounts may name."""
    stand_in = {"name": "stand-in", "image": "stand-in:1", "env": profile.get("env") or [],
                "volumeMounts": profile.get("volumeMounts") or []}
    volumes = list(profile.get("volumes") or [])
    own = {v.get("name") for v in volumes if isinstance(v, dict)}
    volumes += [{"name": name, "emptyDir": {}} for name in sorted(other_volumes - own)]
    pod = {"spec": {"containers": [stand_in], "initContainers": profile.get("initContainers") or [],
                    "volumes": volumes}}
    return pod_problems(pod)
