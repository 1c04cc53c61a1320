/// The Pod Security Standards checks for baseline and restricted, each ported from the file
/// of k8s.io/pod-security-admission/policy its comment names. Not modelled: the opt-in
/// relaxation for user-namespace pods (`hostUsers: false`, off unless the API server enables
/// it), so such pods are judged as strictly as any other.
enum PodSecurityChecks {
    static let all: [PodSecurityCheck] = baseline + restricted

    static let baseline: [PodSecurityCheck] = [
        // check_hostNamespaces.go
        PodSecurityCheck(id: "hostNamespaces", level: .baseline, minimumVersion: 0) { pod, _ in
            pod.hostNetwork || pod.hostPID || pod.hostIPC
                ? [PodSecurityViolation(checkID: "hostNamespaces", reason: "host namespaces", subject: .pod)] : []
        },
        // check_privileged.go
        PodSecurityCheck(id: "privileged", level: .baseline, minimumVersion: 0) { pod, _ in
            containerViolations(pod, "privileged", "privileged") { $0.securityContext.privileged == true }
        },
        // check_capabilities_baseline.go: only the default set may be added.
        PodSecurityCheck(id: "capabilities_baseline", level: .baseline, minimumVersion: 0) { pod, _ in
            containerViolations(pod, "capabilities_baseline", "non-default capabilities") { container in
                container.securityContext.capabilitiesAdd.contains { !baselineCapabilities.contains($0) }
            }
        },
        // check_hostPathVolumes.go
        PodSecurityCheck(id: "hostPathVolumes", level: .baseline, minimumVersion: 0) { pod, _ in
            pod.volumes.filter { $0.sources.contains("hostPath") }.map {
                PodSecurityViolation(checkID: "hostPathVolumes", reason: "hostPath volumes", subject: .volume(name: $0.name))
            }
        },
        // check_hostPorts.go
        PodSecurityCheck(id: "hostPorts", level: .baseline, minimumVersion: 0) { pod, _ in
            containerViolations(pod, "hostPorts", "hostPort") { !$0.hostPorts.isEmpty }
        },
        // check_appArmorProfile.go: annotations may name runtime/default or localhost/*; the
        // appArmorProfile fields may not be Unconfined.
        PodSecurityCheck(id: "appArmorProfile", level: .baseline, minimumVersion: 0) { pod, _ in
            var violations: [PodSecurityViolation] = []
            let reason = "forbidden AppArmor profile"
            if pod.securityContext.appArmorProfileType == "Unconfined" {
                violations.append(PodSecurityViolation(checkID: "appArmorProfile", reason: reason, subject: .pod))
            }
            let prefix = "container.apparmor.security.beta.kubernetes.io/"
            for container in pod.containers {
                let annotation = pod.annotation(prefix + container.name)
                let badAnnotation = annotation.map { $0 != "runtime/default" && !$0.hasPrefix("localhost/") } ?? false
                if badAnnotation || container.securityContext.appArmorProfileType == "Unconfined" {
                    violations.append(PodSecurityViolation(checkID: "appArmorProfile", reason: reason, subject: container.subject))
                }
            }
            return violations
        },
        // check_seLinuxOptions.go
        PodSecurityCheck(id: "seLinuxOptions", level: .baseline, minimumVersion: 0) { pod, _ in
            func forbidden(_ options: (type: String, user: String, role: String)?) -> Bool {
                guard let options else { return false }
                return !["", "container_t", "container_init_t", "container_kvm_t"].contains(options.type)
                    || !options.user.isEmpty || !options.role.isEmpty
            }
            var violations: [PodSecurityViolation] = []
            if forbidden(pod.securityContext.seLinuxOptions) {
                violations.append(PodSecurityViolation(checkID: "seLinuxOptions", reason: "seLinuxOptions", subject: .pod))
            }
            return violations + containerViolations(pod, "seLinuxOptions", "seLinuxOptions") { forbidden($0.securityContext.seLinuxOptions) }
        },
        // check_procMount.go
        PodSecurityCheck(id: "procMount", level: .baseline, minimumVersion: 0) { pod, _ in
            containerViolations(pod, "procMount", "procMount") { $0.securityContext.procMount.map { $0 != "Default" } ?? false }
        },
        // check_seccompProfile_baseline.go (1.19+, the fields) and check_seccomp_baseline.go
        // (before 1.19, the alpha annotations): Unconfined is forbidden.
        PodSecurityCheck(id: "seccompProfile_baseline", level: .baseline, minimumVersion: 0) { pod, version in
            var violations: [PodSecurityViolation] = []
            if version.includes(minimum: 19) {
                if pod.securityContext.seccompProfileType == "Unconfined" {
                    violations.append(PodSecurityViolation(checkID: "seccompProfile_baseline", reason: "seccompProfile", subject: .pod))
                }
                return violations + containerViolations(pod, "seccompProfile_baseline", "seccompProfile") {
                    $0.securityContext.seccompProfileType == "Unconfined"
                }
            }
            if pod.annotation("seccomp.security.alpha.kubernetes.io/pod") == "unconfined" {
                violations.append(PodSecurityViolation(checkID: "seccompProfile_baseline", reason: "seccompProfile", subject: .pod))
            }
            return violations + containerViolations(pod, "seccompProfile_baseline", "seccompProfile") {
                pod.annotation("container.seccomp.security.alpha.kubernetes.io/" + $0.name) == "unconfined"
            }
        },
        // check_sysctls.go: the safe set grew in 1.27, 1.29 and 1.32.
        PodSecurityCheck(id: "sysctls", level: .baseline, minimumVersion: 0) { pod, version in
            var allowed = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                           "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"]
            if version.includes(minimum: 27) { allowed.append("net.ipv4.ip_local_reserved_ports") }
            if version.includes(minimum: 29) {
                allowed += ["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                            "net.ipv4.tcp_keepalive_probes"]
            }
            if version.includes(minimum: 32) { allowed += ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"] }
            return pod.sysctlNames.contains { !allowed.contains($0) }
                ? [PodSecurityViolation(checkID: "sysctls", reason: "forbidden sysctls", subject: .pod)] : []
        },
        // check_windowsHostProcess.go
        PodSecurityCheck(id: "windowsHostProcess", level: .baseline, minimumVersion: 0) { pod, _ in
            var violations: [PodSecurityViolation] = []
            if pod.securityContext.windowsHostProcess == true {
                violations.append(PodSecurityViolation(checkID: "windowsHostProcess", reason: "hostProcess", subject: .pod))
            }
            return violations + containerViolations(pod, "windowsHostProcess", "hostProcess") { $0.securityContext.windowsHostProcess == true }
        },
        // check_hostProbesAndhostLifecycle.go (1.34+)
        PodSecurityCheck(id: "hostProbesAndHostLifecycle", level: .baseline, minimumVersion: 34) { pod, _ in
            containerViolations(pod, "hostProbesAndHostLifecycle", "probe or lifecycle host") { !$0.probeAndLifecycleHosts.isEmpty }
        },
    ]

    static let restricted: [PodSecurityCheck] = [
        // check_restrictedVolumes.go: only these volume sources.
        PodSecurityCheck(id: "restrictedVolumes", level: .restricted, minimumVersion: 0, overrides: ["hostPathVolumes"]) { pod, _ in
            let allowed = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]
            return pod.volumes.filter { !$0.sources.contains(where: allowed.contains) }.map {
                PodSecurityViolation(checkID: "restrictedVolumes", reason: "restricted volume types", subject: .volume(name: $0.name))
            }
        },
        // check_allowPrivilegeEscalation.go (1.8+; from 1.25 a Windows pod is exempt)
        PodSecurityCheck(id: "allowPrivilegeEscalation", level: .restricted, minimumVersion: 8) { pod, version in
            if version.includes(minimum: 25) && pod.isWindows { return [] }
            return containerViolations(pod, "allowPrivilegeEscalation", "allowPrivilegeEscalation != false") {
                $0.securityContext.allowPrivilegeEscalation != false
            }
        },
        // check_runAsNonRoot.go: the pod may not say false; a container that says nothing
        // inherits the pod's true.
        PodSecurityCheck(id: "runAsNonRoot", level: .restricted, minimumVersion: 0) { pod, _ in
            var violations: [PodSecurityViolation] = []
            let podLevel = pod.securityContext.runAsNonRoot
            if podLevel == false {
                violations.append(PodSecurityViolation(checkID: "runAsNonRoot", reason: "runAsNonRoot != true", subject: .pod))
            }
            return violations + containerViolations(pod, "runAsNonRoot", "runAsNonRoot != true") { container in
                if let own = container.securityContext.runAsNonRoot { return !own }
                return podLevel != true
            }
        },
        // check_runAsUser.go (1.23+): neither the pod nor a container may say 0.
        PodSecurityCheck(id: "runAsUser", level: .restricted, minimumVersion: 23) { pod, _ in
            var violations: [PodSecurityViolation] = []
            if pod.securityContext.runAsUser == 0 {
                violations.append(PodSecurityViolation(checkID: "runAsUser", reason: "runAsUser=0", subject: .pod))
            }
            return violations + containerViolations(pod, "runAsUser", "runAsUser=0") { $0.securityContext.runAsUser == 0 }
        },
        // check_seccompProfile_restricted.go (1.19+; from 1.25 a Windows pod is exempt):
        // RuntimeDefault or Localhost, set on the container or inherited from the pod.
        PodSecurityCheck(id: "seccompProfile_restricted", level: .restricted, minimumVersion: 19) { pod, version in
            if version.includes(minimum: 25) && pod.isWindows { return [] }
            let valid = ["RuntimeDefault", "Localhost"]
            var violations: [PodSecurityViolation] = []
            let podLevel = pod.securityContext.seccompProfileType
            if let podLevel, !valid.contains(podLevel) {
                violations.append(PodSecurityViolation(checkID: "seccompProfile_restricted", reason: "seccompProfile", subject: .pod))
            }
            let podValid = podLevel.map(valid.contains) ?? false
            return violations + containerViolations(pod, "seccompProfile_restricted", "seccompProfile") { container in
                if let own = container.securityContext.seccompProfileType { return !valid.contains(own) }
                return !podValid
            }
        },
        // check_capabilities_restricted.go (1.22+; from 1.25 a Windows pod is exempt): drop
        // ALL, add nothing but NET_BIND_SERVICE.
        PodSecurityCheck(id: "capabilities_restricted", level: .restricted, minimumVersion: 22, overrides: ["capabilities_baseline"]) { pod, version in
            if version.includes(minimum: 25) && pod.isWindows { return [] }
            return containerViolations(pod, "capabilities_restricted", "unrestricted capabilities") { container in
                let context = container.securityContext
                guard context.capabilitiesSet else { return true }
                return !context.capabilitiesDrop.contains("ALL") || context.capabilitiesAdd.contains { $0 != "NET_BIND_SERVICE" }
            }
        },
    ]

    /// check_capabilities_baseline.go `capabilities_allowed_1_0`.
    static let baselineCapabilities: Set<String> = [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
        "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    ]

    private static func containerViolations(
        _ pod: PodSecurityPod, _ id: String, _ reason: String, where isBad: (PodSecurityContainer) -> Bool
    ) -> [PodSecurityViolation] {
        pod.containers.filter(isBad).map { PodSecurityViolation(checkID: id, reason: reason, subject: $0.subject) }
    }
}
