"""Property test of the admissibility guarantee, against an oracle written independently from the
same Kubernetes sources (oracle_validation.py):

1. For random configurations, some with one fault from Kubernetes' rules, `check-config` refuses
   (exit 2) exactly those the oracle finds a problem in.
2. For every configuration it accepts, random pods are reviewed by `replay --patched`, and every pod
   the engine emits, patched or admitted unchanged, passes the oracle: an injection never makes a
   valid pod invalid (the engine falls back to admitting the pod unchanged instead).
"""
from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from oracle_validation import pod_problems, profile_problems
from test_admission_oracle import BINARY, replay

FAULTS = [
    "env-name-equals", "field-path", "label-subscript", "init-name", "volume-name", "quantity", "request-above-limit",
    "two-sources", "empty-dir-field", "undefined-volume", "sub-path", "relative-mount-path", "restart-policy", "probe",
    "pull-policy", "port", "divisor", "host-path-type",
]


def random_profile(rng: random.Random, prefix: str, shared_volume: str | None) -> dict[str, Any]:
    env = []
    for index in range(rng.randint(0, 3)):
        name = f"{prefix.upper()}_V{index}"
        kind = rng.random()
        if kind < 0.5:
            env.append({"name": name, "value": f"value-{index}"})
        elif kind < 0.7:
            env.append({"name": name, "valueFrom": {"fieldRef": {"fieldPath": rng.choice(
                ["spec.nodeName", "metadata.name", "status.podIP", "metadata.labels['app.kubernetes.io/name']",
                 "metadata.annotations['example.com/owner']"])}}})
        elif kind < 0.85:
            env.append({"name": name, "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}})
        else:
            env.append({"name": name, "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token.txt"}}})
    volumes = []
    for index in range(rng.randint(0, 2)):
        name = f"{prefix}-vol{index}"
        volumes.append(rng.choice([
            {"name": name, "emptyDir": {}},
            {"name": name, "emptyDir": {"sizeLimit": rng.choice(["64Mi", "1Gi", "500M"])}},
            {"name": name, "configMap": {"name": "settings", "items": [{"key": "a.conf", "path": "conf/a.conf"}]}},
            {"name": name, "secret": {"secretName": "creds", "defaultMode": 0o440}},
        ]))
    mountable = [v["name"] for v in volumes] + ([shared_volume] if shared_volume else [])
    init_containers = []
    for index in range(rng.randint(0, 2)):
        container: dict[str, Any] = {"name": f"{prefix}-init{index}", "image": f"registry.example.com/{prefix}:{index}"}
        if rng.random() < 0.6:
            container["resources"] = {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "0.1", "memory": "32Mi"}}
        if rng.random() < 0.5:
            container["securityContext"] = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                            "runAsNonRoot": True, "runAsUser": 65532, "seccompProfile": {"type": "RuntimeDefault"}}
        if mountable and rng.random() < 0.6:
            container["volumeMounts"] = [{"name": rng.choice(mountable), "mountPath": "/work"}]
        if rng.random() < 0.2:
            container["ports"] = [{"name": "metrics", "containerPort": 9090, "protocol": "TCP"}]
        if rng.random() < 0.1:
            container["restartPolicy"] = "Always"
            container["readinessProbe"] = {"exec": {"command": ["true"]}}
        init_containers.append(container)
    mounts = [{"name": volume, "mountPath": f"/{prefix}/{index}", "readOnly": rng.random() < 0.5}
              for index, volume in enumerate(rng.sample(mountable, rng.randint(0, len(mountable))))]
    profile: dict[str, Any] = {"containers": ["*"] if rng.random() < 0.8 else ["app"], "env": env,
                               "initContainers": init_containers, "volumes": volumes, "volumeMounts": mounts}
    return profile


def add_fault(rng: random.Random, profile: dict[str, Any], fault: str) -> None:
    init = {"name": "faulty", "image": "registry.example.com/faulty:1"}
    if fault == "env-name-equals":
        profile["env"].append({"name": "A=B", "value": "x"})
    elif fault == "field-path":
        profile["env"].append({"name": "BOGUS", "valueFrom": {"fieldRef": {"fieldPath": "spec.bogus"}}})
    elif fault == "label-subscript":
        profile["env"].append({"name": "LABEL", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['bad key!']"}}})
    elif fault == "divisor":
        profile["env"].append({"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "3m"}}})
    elif fault == "init-name":
        init["name"] = "Init_X"
    elif fault == "volume-name":
        profile["volumes"].append({"name": "Bad_Name", "emptyDir": {}})
    elif fault == "quantity":
        init["resources"] = {"limits": {"cpu": "lots"}}
    elif fault == "request-above-limit":
        init["resources"] = {"requests": {"memory": "64Mi"}, "limits": {"memory": "32Mi"}}
    elif fault == "two-sources":
        profile["volumes"].append({"name": "both", "emptyDir": {}, "hostPath": {"path": "/x"}})
    elif fault == "empty-dir-field":
        profile["volumes"].append({"name": "typo", "emptyDir": {"sizeLimitt": "1Gi"}})
    elif fault == "host-path-type":
        profile["volumes"].append({"name": "host", "hostPath": {"path": "/x", "type": "Folder"}})
    elif fault == "undefined-volume":
        profile["volumeMounts"].append({"name": "nowhere", "mountPath": "/nowhere"})
    elif fault == "sub-path":
        profile["volumes"].append({"name": "sub", "emptyDir": {}})
        profile["volumeMounts"].append({"name": "sub", "mountPath": "/sub", "subPath": "../etc"})
    elif fault == "relative-mount-path":
        profile["volumes"].append({"name": "rel", "emptyDir": {}})
        profile["volumeMounts"].append({"name": "rel", "mountPath": "relative"})
    elif fault == "restart-policy":
        init["restartPolicy"] = "OnFailure"
    elif fault == "probe":
        init["livenessProbe"] = {"exec": {"command": ["true"]}}
    elif fault == "pull-policy":
        init["imagePullPolicy"] = "Sometimes"
    elif fault == "port":
        init["ports"] = [{"containerPort": 70000}]
    if len(init) > 2 or init["name"] != "faulty":
        profile["initContainers"].append(init)


def random_configuration(rng: random.Random) -> tuple[dict[str, Any], str | None]:
    fault = rng.choice(FAULTS) if rng.random() < 0.4 else None
    a = random_profile(rng, "a", None)
    # Profile b may mount a volume only profile a defines: accepted at load, checked per pod.
    shared = a["volumes"][0]["name"] if a["volumes"] and rng.random() < 0.5 else None
    b = random_profile(rng, "b", shared)
    if fault:
        add_fault(rng, rng.choice([a, b]), fault)
    return {"defaultProfiles": ["a"], "operations": ["CREATE"], "profiles": {"a": a, "b": b}}, fault


def oracle_refuses(configuration: dict[str, Any]) -> list[str]:
    profiles = configuration["profiles"]
    all_volumes = {v["name"] for p in profiles.values() for v in p["volumes"]}
    return [problem for profile in profiles.values() for problem in profile_problems(profile, all_volumes)]


def random_pod(rng: random.Random, index: int, configuration: dict[str, Any]) -> dict[str, Any]:
    names = rng.sample(["app", "web", "worker", "a-init0", "proxy"], rng.randint(1, 3))
    containers = []
    for name in names:
        container: dict[str, Any] = {"name": name, "image": f"registry.example.com/{name}:1"}
        if rng.random() < 0.3:
            container["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
        containers.append(container)
    spec: dict[str, Any] = {"containers": containers}
    volumes = [{"name": "data", "emptyDir": {}}] if any("volumeMounts" in c for c in containers) else []
    profile_volumes = [v for p in configuration["profiles"].values() for v in p["volumes"]]
    if profile_volumes and rng.random() < 0.3:
        volumes.append(rng.choice(profile_volumes))  # the pod already has a profile's volume, as defined
    if volumes:
        spec["volumes"] = volumes
    if rng.random() < 0.15:
        # Only an UPDATE carries these; here they test that a name clash is found, not sent.
        free = [n for n in ["debugger", "a-init0", "b-init0"] if n not in names]
        spec["ephemeralContainers"] = [{"name": rng.choice(free), "image": "busybox:1.36"}]
    if rng.random() < 0.2:
        spec["initContainers"] = [{"name": rng.choice(["migrate", "b-init1"]), "image": "registry.example.com/migrate:1"}]
    annotations = {}
    if rng.random() < 0.6:
        annotations["kube-injector.io/inject"] = rng.choice(["a", "b", "a,b", "b,a"])
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"generateName": f"p{index}-", "namespace": "shop", "annotations": annotations}, "spec": spec}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": f"u{index}", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                        "resource": {"group": "", "version": "v1", "resource": "pods"}, "namespace": "shop",
                        "operation": "CREATE", "object": pod}}


@pytest.fixture(scope="module", autouse=True)
def built_binary() -> None:
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run `swift build --product kube-injector` first")


def test_random_configurations_are_refused_exactly_when_the_oracle_finds_a_problem(tmp_path: Path) -> None:
    rng = random.Random(20261204)
    refused = 0
    for index in range(120):
        configuration, fault = random_configuration(rng)
        path = tmp_path / f"config-{index}.yaml"
        path.write_text(json.dumps(configuration, indent=1))  # JSON is YAML
        result = subprocess.run([str(BINARY), "check-config", str(path)], capture_output=True, text=True, timeout=60)
        problems = oracle_refuses(configuration)
        assert result.returncode == (2 if problems else 0), (
            f"config {index} (fault {fault}): oracle says {problems}, check-config said {result.returncode}: {result.stderr}")
        if fault:
            assert problems, f"config {index}: fault {fault} did not make an invalid profile"
        refused += result.returncode == 2
    assert refused >= 20


def test_every_pod_the_engine_emits_passes_the_independent_validator(tmp_path: Path) -> None:
    rng = random.Random(20261205)
    configurations = 0
    injected = failed_open = 0
    while configurations < 25:
        configuration, fault = random_configuration(rng)
        if fault or oracle_refuses(configuration):
            continue
        configurations += 1
        config_path = tmp_path / f"config-{configurations}.yaml"
        config_path.write_text(json.dumps(configuration, indent=1))
        paths = []
        for index in range(24):
            review = random_pod(rng, index, configuration)
            assert pod_problems(review["request"]["object"]) == [], "the generator made an invalid pod"
            path = tmp_path / f"c{configurations}-review-{index}.json"
            path.write_text(json.dumps(review))
            paths.append(path)
        responses = replay(paths, config=config_path)
        patched = replay(paths, "--patched", config=config_path)
        for path, response, pod in zip(paths, responses, patched):
            problems = pod_problems(pod)
            assert problems == [], f"{path.name}: the engine emitted an inadmissible pod: {problems}"
            if "patch" in response["response"]:
                injected += 1
            elif response["response"].get("warnings"):
                failed_open += 1
                original = json.loads(path.read_text())["request"]["object"]
                assert pod == original, f"{path.name}: failed open but changed the pod"
    assert injected >= 200
    assert failed_open >= 5
