"""Pod Security and ResourceQuota admissibility, offline and checked independently.

The corpus (fixtures/cluster_admission/corpus.json: pods, namespaces, quotas, LimitRanges and
profiles, each case naming the Kubernetes source it follows) runs through `replay --objects`
with the objects as multi-document YAML and as a JSON List; the Swift end-to-end test runs the
same corpus through `serve` against the fake API server. The property test draws random profiles
and pods and checks each decision against `oracle_pod_security`, written apart from the engine.
"""
import base64
import json
import pathlib
import random
import subprocess

import jsonpatch
import pytest
import yaml

import oracle_pod_security as oracle

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = ROOT / ".build" / "debug" / "kube-injector"
CORPUS = json.loads((ROOT / "Tests" / "python" / "fixtures" / "cluster_admission" / "corpus.json").read_text())


def review(uid, namespace, profile, spec, pod_name="p"):
    return {
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": namespace, "operation": "CREATE", "userInfo": {"username": "oracle"},
            "object": {"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": pod_name, "namespace": namespace,
                                    "annotations": {"kube-injector.io/inject": profile}},
                       "spec": spec},
        },
    }


def run_replay(tmp_path, config_text, reviews, objects_text=None, objects_name="objects.yaml"):
    """One replay over `reviews`; returns (responses, stderr)."""
    config = tmp_path / "config.yaml"
    config.write_text(config_text)
    paths = []
    for index, body in enumerate(reviews):
        path = tmp_path / f"review-{index}.json"
        path.write_text(json.dumps(body))
        paths.append(str(path))
    command = [str(BINARY), "replay", "--config", str(config)]
    if objects_text is not None:
        objects = tmp_path / objects_name
        objects.write_text(objects_text)
        command += ["--objects", str(objects)]
    result = subprocess.run(command + paths, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(reviews), result.stderr
    return [json.loads(line)["response"] for line in lines], result.stderr


@pytest.mark.parametrize("form", ["yaml-documents", "json-list"])
def test_corpus_decides_as_each_case_says_through_replay_objects(tmp_path, form):
    if form == "yaml-documents":
        objects_text = yaml.safe_dump_all(CORPUS["objects"])
        name = "objects.yaml"
    else:
        objects_text = json.dumps({"apiVersion": "v1", "kind": "List", "items": CORPUS["objects"]})
        name = "objects.json"
    cases = CORPUS["cases"]
    reviews = [review(f"uid-{i}", c["namespace"], c["profile"], c["spec"]) for i, c in enumerate(cases)]
    responses, stderr = run_replay(tmp_path, CORPUS["config"], reviews, objects_text, name)
    for case, response in zip(cases, responses):
        assert response["allowed"] is True, case["name"]
        if case["expect"] == "injected":
            assert "patch" in response, f"{case['name']} ({case['source']}): not injected: {response.get('warnings')}"
        else:
            assert "patch" not in response, f"{case['name']} ({case['source']}): injected"
            warning = response["warnings"][0]
            assert warning.startswith("kube-injector admitted this pod without injecting it: " + case["message"] + " ("), \
                f"{case['name']}: {warning}"
    assert "namespace elsewhere is not in" in stderr


def test_without_objects_replay_injects_every_corpus_case_as_before(tmp_path):
    cases = CORPUS["cases"]
    reviews = [review(f"uid-{i}", c["namespace"], c["profile"], c["spec"]) for i, c in enumerate(cases)]
    responses, _ = run_replay(tmp_path, CORPUS["config"], reviews)
    assert all("patch" in response for response in responses)


def test_check_config_prints_the_strictest_level_of_each_profile(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(CORPUS["config"])
    result = subprocess.run([str(BINARY), "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    levels = dict(line.split(": ", 1) for line in result.stdout.splitlines()
                  if line.startswith("profile ") and ";" not in line)
    assert levels == {
        "profile agent": "baseline", "profile hardened": "restricted", "profile partial": "baseline",
        "profile hostlog": "privileged", "profile privileged-agent": "privileged", "profile root-agent": "baseline",
        "profile env-only": "restricted",
    }


# MARK: - Property test

def random_security_context(rng, container_level=True):
    context = {}
    if rng.random() < 0.6:
        context["runAsNonRoot"] = rng.random() < 0.8
    if rng.random() < 0.3:
        context["runAsUser"] = rng.choice([0, 1000])
    if rng.random() < 0.6:
        kind = rng.choice(["RuntimeDefault", "RuntimeDefault", "Localhost", "Unconfined"])
        context["seccompProfile"] = {"type": kind, **({"localhostProfile": "profiles/a.json"} if kind == "Localhost" else {})}
    if container_level:
        privileged = rng.random() < 0.1
        if privileged:
            context["privileged"] = True
        elif rng.random() < 0.7:
            context["allowPrivilegeEscalation"] = rng.random() < 0.2
        if rng.random() < 0.7:
            context["capabilities"] = rng.choice([
                {"drop": ["ALL"]}, {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}, {"drop": ["ALL"], "add": ["NET_ADMIN"]},
                {"add": ["CHOWN"]}, {"drop": ["NET_RAW"]},
            ])
    return context


def random_resources(rng):
    resources = {}
    for kind in ("requests", "limits"):
        chosen = {r: v for r, v in (("cpu", "50m"), ("memory", "32Mi")) if rng.random() < 0.6}
        if chosen:
            resources[kind] = chosen
    return resources


def random_profile(rng, index):
    profile = {"initContainers": [], "volumes": []}
    for j in range(rng.randint(0, 2)):
        container = {"name": f"init-{index}-{j}", "image": "agent:1"}
        if rng.random() < 0.85:
            container["securityContext"] = random_security_context(rng)
        resources = random_resources(rng)
        if resources:
            container["resources"] = resources
        profile["initContainers"].append(container)
    for j in range(rng.randint(0, 2)):
        source = rng.choice([{"emptyDir": {}}, {"configMap": {"name": "c"}}, {"hostPath": {"path": "/tmp"}},
                             {"nfs": {"server": "nfs.example", "path": "/"}}])
        profile["volumes"].append({"name": f"vol-{index}-{j}", **source})
    if not profile["initContainers"] and not profile["volumes"]:
        profile["volumes"].append({"name": f"vol-{index}-x", "emptyDir": {}})
    return profile


def random_spec(rng):
    spec = {"containers": []}
    for j in range(rng.randint(1, 2)):
        container = {"name": f"app-{j}", "image": "app:1"}
        if rng.random() < 0.8:
            container["securityContext"] = random_security_context(rng)
        resources = random_resources(rng)
        if resources:
            container["resources"] = resources
        spec["containers"].append(container)
    if rng.random() < 0.5:
        spec["securityContext"] = random_security_context(rng, container_level=False)
    return spec


NAMESPACES = {
    "ns-restricted": ("restricted", None),
    "ns-baseline": ("baseline", None),
    "ns-quota": ("privileged", {"limits.cpu", "requests.memory"}),
    "ns-restricted-quota": ("restricted", {"requests.cpu"}),
}


def test_random_profiles_and_pods_decide_as_the_independent_oracle(tmp_path):
    rng = random.Random(1212)
    count = 240
    profiles = {f"p{i}": random_profile(rng, i) for i in range(count)}
    config_text = yaml.safe_dump({"defaultProfiles": [], "profiles": profiles})
    objects = []
    for name, (level, tracked) in NAMESPACES.items():
        labels = {"pod-security.kubernetes.io/enforce": level} if level != "privileged" else {}
        objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
        if tracked:
            objects.append({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": name},
                            "spec": {"hard": {resource: "10" for resource in tracked}}})
    cases = [(rng.choice(sorted(NAMESPACES)), f"p{i}", random_spec(rng)) for i in range(count)]
    reviews = [review(f"uid-{i}", ns, profile, spec) for i, (ns, profile, spec) in enumerate(cases)]
    decided, _ = run_replay(tmp_path, config_text, reviews, yaml.safe_dump_all(objects))
    (tmp_path / "plain").mkdir()
    unconstrained, _ = run_replay(tmp_path / "plain", config_text, reviews)
    refused = 0
    for (namespace, profile, spec), body, answer, plain in zip(cases, reviews, decided, unconstrained):
        original = body["request"]["object"]
        assert "patch" in plain, f"{profile}: the profile should inject without cluster state"
        patched = jsonpatch.JsonPatch(json.loads(base64.b64decode(plain["patch"]))).apply(original)
        level, tracked = NAMESPACES[namespace]
        security_refuses = not oracle.violations(original, level) and bool(oracle.violations(patched, level))
        quota_refuses = bool(tracked) and not oracle.quota_missing(original, tracked) \
            and bool(oracle.quota_missing(patched, tracked))
        expected_refusal = security_refuses or quota_refuses
        label = f"{profile} in {namespace}: {json.dumps(profiles[profile])} / {json.dumps(spec)}"
        if expected_refusal:
            refused += 1
            assert "patch" not in answer, f"injected, but the oracle finds the API server would refuse it: {label}"
            assert answer["warnings"][0].startswith("kube-injector admitted this pod without injecting it: "
                                                    + ("PodSecurity" if security_refuses else "ResourceQuota")), label
        else:
            assert "patch" in answer, f"refused, but the oracle admits it: {label}: {answer.get('warnings')}"
            assert answer["patch"] == plain["patch"], f"the cluster state changed the patch: {label}"
            if level != "privileged" and not oracle.violations(original, level):
                assert not oracle.violations(patched, level), label
    # The draw must exercise both outcomes to mean anything.
    assert 20 < refused < count - 20, refused


def test_objects_file_with_another_kind_or_bad_yaml_exits_2_naming_the_file(tmp_path):
    review_path = tmp_path / "review.json"
    review_path.write_text(json.dumps(review("u", "default", "agent", {"containers": [{"name": "a", "image": "a"}]})))
    config = tmp_path / "config.yaml"
    config.write_text(CORPUS["config"])
    # What follows the file's name: ": problem", or ":LINE:COLUMN: problem" for a place in the text.
    for name, text, problem in [
        ("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
         ": object 1 is a Pod (p); --objects reads Namespace, ResourceQuota, LimitRange and Lists of them"),
        ("broken.yaml", "kind: Namespace\nmetadata: {name: [\n", ":2:19: not valid YAML: "),
        ("broken.json", '{"kind":"Namespace",\n "metadata":}', ":2:13: not valid JSON: "),
        ("nameless.json", '{"apiVersion":"v1","kind":"Namespace","metadata":{}}', ": object 1 (Namespace) has no metadata.name"),
    ]:
        objects = tmp_path / name
        objects.write_text(text)
        result = subprocess.run([str(BINARY), "replay", "--config", str(config), "--objects", str(objects), str(review_path)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, (name, result.stderr)
        assert result.stderr.startswith(f"{objects}{problem}"), (name, result.stderr)
        assert result.stdout == ""
