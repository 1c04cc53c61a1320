"""An independent Pod Security Standards and ResourceQuota oracle for the property tests.

Written in Python from the Pod Security Standards (k8s.io/pod-security-admission/policy, the
check_*.go files, at policy version "latest") and from the ResourceQuota admission's container
constraints (pkg/quota/v1/evaluator/core/pods.go), sharing no code with the Swift engine. Each
function returns a set of (check, subject) pairs; a subject is "pod", "container NAME",
"init container NAME" or "volume NAME".
"""

BASELINE_CAPABILITIES = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}
RESTRICTED_VOLUME_SOURCES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
}


def _containers(spec):
    for key, label in (("initContainers", "init container"), ("containers", "container"),
                       ("ephemeralContainers", "ephemeral container")):
        for container in spec.get(key) or []:
            yield f"{label} {container.get('name', '')}", container


def baseline_violations(pod):
    spec = pod.get("spec", {})
    annotations = pod.get("metadata", {}).get("annotations") or {}
    pod_context = spec.get("securityContext") or {}
    found = set()
    if spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"):
        found.add(("hostNamespaces", "pod"))
    if any(sysctl.get("name") not in SAFE_SYSCTLS for sysctl in pod_context.get("sysctls") or []):
        found.add(("sysctls", "pod"))
    if (pod_context.get("seccompProfile") or {}).get("type") == "Unconfined":
        found.add(("seccompProfile_baseline", "pod"))
    if (pod_context.get("appArmorProfile") or {}).get("type") == "Unconfined":
        found.add(("appArmorProfile", "pod"))
    if (pod_context.get("windowsOptions") or {}).get("hostProcess") is True:
        found.add(("windowsHostProcess", "pod"))
    selinux = pod_context.get("seLinuxOptions")
    if selinux is not None and _bad_selinux(selinux):
        found.add(("seLinuxOptions", "pod"))
    for volume in spec.get("volumes") or []:
        if "hostPath" in volume:
            found.add(("hostPathVolumes", f"volume {volume['name']}"))
    for subject, container in _containers(spec):
        context = container.get("securityContext") or {}
        name = container.get("name", "")
        if context.get("privileged") is True:
            found.add(("privileged", subject))
        if set((context.get("capabilities") or {}).get("add") or []) - BASELINE_CAPABILITIES:
            found.add(("capabilities_baseline", subject))
        if any(port.get("hostPort") for port in container.get("ports") or []):
            found.add(("hostPorts", subject))
        if context.get("procMount") not in (None, "Default"):
            found.add(("procMount", subject))
        if (context.get("seccompProfile") or {}).get("type") == "Unconfined":
            found.add(("seccompProfile_baseline", subject))
        apparmor = annotations.get(f"container.apparmor.security.beta.kubernetes.io/{name}")
        if (context.get("appArmorProfile") or {}).get("type") == "Unconfined" or (
                apparmor is not None and apparmor != "runtime/default" and not apparmor.startswith("localhost/")):
            found.add(("appArmorProfile", subject))
        if (context.get("windowsOptions") or {}).get("hostProcess") is True:
            found.add(("windowsHostProcess", subject))
        if context.get("seLinuxOptions") is not None and _bad_selinux(context["seLinuxOptions"]):
            found.add(("seLinuxOptions", subject))
        for handler in [container.get(p) for p in ("livenessProbe", "readinessProbe", "startupProbe")] + \
                [(container.get("lifecycle") or {}).get(h) for h in ("postStart", "preStop")]:
            for action in ("httpGet", "tcpSocket"):
                if ((handler or {}).get(action) or {}).get("host"):
                    found.add(("hostProbesAndHostLifecycle", subject))
    return found


def _bad_selinux(options):
    return options.get("type", "") not in ("", "container_t", "container_init_t", "container_kvm_t") \
        or bool(options.get("user")) or bool(options.get("role"))


def restricted_violations(pod):
    spec = pod.get("spec", {})
    pod_context = spec.get("securityContext") or {}
    windows = (spec.get("os") or {}).get("name") == "windows"
    # Restricted replaces baseline's hostPath and capability checks with stricter ones.
    found = {v for v in baseline_violations(pod) if v[0] not in ("hostPathVolumes", "capabilities_baseline")}
    for volume in spec.get("volumes") or []:
        if not RESTRICTED_VOLUME_SOURCES & {k for k, v in volume.items() if k != "name" and v is not None}:
            found.add(("restrictedVolumes", f"volume {volume['name']}"))
    pod_non_root = pod_context.get("runAsNonRoot")
    if pod_non_root is False:
        found.add(("runAsNonRoot", "pod"))
    if pod_context.get("runAsUser") == 0:
        found.add(("runAsUser", "pod"))
    pod_seccomp = (pod_context.get("seccompProfile") or {}).get("type")
    if pod_seccomp is not None and pod_seccomp not in ("RuntimeDefault", "Localhost") and not windows:
        found.add(("seccompProfile_restricted", "pod"))
    for subject, container in _containers(spec):
        context = container.get("securityContext") or {}
        if context.get("allowPrivilegeEscalation") is not False and not windows:
            found.add(("allowPrivilegeEscalation", subject))
        own = context.get("runAsNonRoot")
        if own is False or (own is None and pod_non_root is not True):
            found.add(("runAsNonRoot", subject))
        if context.get("runAsUser") == 0:
            found.add(("runAsUser", subject))
        seccomp = (context.get("seccompProfile") or {}).get("type")
        inherited_ok = pod_seccomp in ("RuntimeDefault", "Localhost")
        if not windows and ((seccomp is not None and seccomp not in ("RuntimeDefault", "Localhost"))
                            or (seccomp is None and not inherited_ok)):
            found.add(("seccompProfile_restricted", subject))
        capabilities = context.get("capabilities")
        if not windows and (capabilities is None or "ALL" not in (capabilities.get("drop") or [])
                            or any(c != "NET_BIND_SERVICE" for c in capabilities.get("add") or [])):
            found.add(("capabilities_restricted", subject))
    return found


def violations(pod, level):
    if level == "restricted":
        return restricted_violations(pod)
    if level == "baseline":
        return baseline_violations(pod)
    return set()


def quota_missing(pod, tracked, default_limits=(), default_requests=()):
    """(resource, subject) pairs a quota tracking `tracked` (e.g. {"limits.cpu", "requests.memory"})
    would refuse, after requests default to limits and LimitRange defaults apply."""
    found = set()
    for subject, container in _containers(pod.get("spec", {})):
        if subject.startswith("ephemeral"):
            continue
        resources = container.get("resources") or {}
        limits = set(resources.get("limits") or {}) | set(default_limits)
        requests = set(resources.get("requests") or {}) | limits | set(default_requests)
        for resource in tracked:
            kind, name = resource.split(".")
            if name not in (limits if kind == "limits" else requests):
                found.add((resource, subject))
    return found
