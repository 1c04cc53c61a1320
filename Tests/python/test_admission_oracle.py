"""Independent oracle for the admission engine.

Runs the built binary (`.build/debug/kube-injector replay`) on every review fixture and on a few
hundred random pods, applies each returned patch with Python's `jsonpatch` (an RFC 6902
implementation that shares no code with ours), checks the result equals what `replay --patched`
prints, and validates every patched pod against the Kubernetes Pod schema with
`kubernetes-validate` in strict mode.
"""
import base64
import json
import pathlib
import random
import subprocess

import jsonpatch
import kubernetes_validate
import pytest
import yaml

from oracle_validation import pod_problems

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = ROOT / ".build" / "debug" / "kube-injector"
RELEASE_BINARY = ROOT / ".build" / "release" / "kube-injector"
FIXTURES = ROOT / "Tests" / "AdmissionTests" / "Fixtures"
REVIEWS = FIXTURES / "reviews"
CONFIG = FIXTURES / "config.yaml"
# A recent release that kubernetes-validate ships schemas for; pinned so results do not drift.
KUBERNETES_VERSION = "1.33.0"

REVIEW_FIXTURES = sorted(p for p in REVIEWS.glob("*.json") if not p.name.endswith(".expected.json"))
VALID_FIXTURES = [p for p in REVIEW_FIXTURES if not p.name.startswith("error-")]
ERROR_FIXTURES = [p for p in REVIEW_FIXTURES if p.name.startswith("error-")]


def replay(paths, *flags, config=CONFIG, binary=BINARY):
    """Runs replay on `paths` in one process; returns one parsed JSON line per input."""
    command = [str(binary), "replay", *flags]
    if config is not None:
        command += ["--config", str(config)]
    result = subprocess.run(command + [str(p) for p in paths], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"replay failed ({result.returncode}): {result.stderr}"
    lines = result.stdout.splitlines()
    assert len(lines) == len(paths), f"expected {len(paths)} lines, got {len(lines)}: {result.stderr}"
    return [json.loads(line) for line in lines]


def validate_pod(pod, label):
    try:
        kubernetes_validate.validate(pod, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        pytest.fail(f"{label}: patched pod is not a valid Pod: {str(error).splitlines()[0]}")


def check_answers(paths, responses, patched_objects, validate=True):
    """The invariants for every review: uid and version echoed; a patch applied by jsonpatch
    gives exactly the --patched object, which is a valid Pod; no patch leaves the object as sent."""
    injected = 0
    for path, response, patched in zip(paths, responses, patched_objects):
        review = json.loads(path.read_text())
        request = review["request"]
        assert response["apiVersion"] == review["apiVersion"], path.name
        assert response["kind"] == "AdmissionReview", path.name
        assert response["response"]["uid"] == request["uid"], path.name
        assert response["response"]["allowed"] is True, path.name
        original = request.get("object")
        if "patch" in response["response"]:
            injected += 1
            assert response["response"]["patchType"] == "JSONPatch", path.name
            operations = json.loads(base64.b64decode(response["response"]["patch"], validate=True))
            applied = jsonpatch.JsonPatch(operations).apply(original)
            assert applied == patched, f"{path.name}: jsonpatch result differs from replay --patched"
            if validate:
                validate_pod(applied, path.name)
            # The API server's own checks (oracle_validation.py): an injection never adds a problem.
            new_problems = set(pod_problems(applied)) - set(pod_problems(original))
            assert not new_problems, f"{path.name}: the injection made the pod inadmissible: {sorted(new_problems)}"
        else:
            assert patched == original, f"{path.name}: object changed without a patch"
    return injected


@pytest.fixture(scope="session", autouse=True)
def built_binary():
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run `swift build --product kube-injector` first")


def test_every_fixture_patch_applies_with_jsonpatch_and_gives_a_valid_pod():
    responses = replay(VALID_FIXTURES)
    patched = replay(VALID_FIXTURES, "--patched")
    injected = check_answers(VALID_FIXTURES, responses, patched)
    assert injected >= 10


def test_each_injected_yaml_is_its_golden_patch_applied_by_jsonpatch():
    """NAME.injected.yaml (written by the Swift tests' UPDATE_GOLDEN=1) is the review's pod with the patch of
    NAME.expected.json applied by jsonpatch, read with PyYAML: neither our patch code nor our YAML is trusted.
    Compared as canonical JSON text, since Python's == takes True for 1. Only patched answers have one."""
    checked = 0
    for path in VALID_FIXTURES:
        golden = json.loads(path.with_name(f"{path.stem}.expected.json").read_text())
        injected = path.with_name(f"{path.stem}.injected.yaml")
        if "patch" not in golden:
            assert not injected.exists(), f"{injected.name}: the answer has no patch"
            continue
        pod = jsonpatch.JsonPatch(golden["patch"]).apply(json.loads(path.read_text())["request"]["object"])
        assert injected.exists(), f"{injected.name} is missing: run the Swift tests with UPDATE_GOLDEN=1"
        expected = json.dumps(pod, sort_keys=True)
        assert json.dumps(yaml.safe_load(injected.read_text()), sort_keys=True) == expected, injected.name
        validate_pod(pod, injected.name)
        checked += 1
    assert checked >= 8


def test_the_demo_configuration_gives_valid_pods():
    pods = [p for p in VALID_FIXTURES if json.loads(p.read_text())["request"]["kind"]["kind"] == "Pod"]
    responses = replay(pods, config=None)
    patched = replay(pods, "--patched", config=None)
    assert check_answers(pods, responses, patched) >= 5


def test_the_benchmark_profile_gives_valid_pods():
    config = FIXTURES / "bench-profile.yaml"
    responses = replay(VALID_FIXTURES, config=config)
    patched = replay(VALID_FIXTURES, "--patched", config=config)
    assert check_answers(VALID_FIXTURES, responses, patched) >= 5


@pytest.mark.parametrize("path", ERROR_FIXTURES, ids=lambda p: p.stem)
def test_bodies_that_are_not_reviews_are_reported_not_answered(path):
    result = subprocess.run([str(BINARY), "replay", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "request body is not an AdmissionReview" in result.stderr
    assert str(path) in result.stderr


def random_pod(rng, index):
    names = rng.sample(["app", "sidecar", "proxy", "worker", "log-shipper", "metrics"], rng.randint(1, 5))
    containers = []
    for name in names:
        container = {"name": name, "image": f"registry.example.com/{name}:{rng.randint(1, 9)}.0"}
        if rng.random() < 0.6:
            env_names = rng.sample(["CLUSTER_NAME", "LOG_LEVEL", "NODE_NAME", "PORT", "DB_HOST"], rng.randint(0, 4))
            container["env"] = [{"name": n, "value": f"existing-{rng.randint(0, 99)}"} for n in env_names]
        if rng.random() < 0.3:
            container["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
        if rng.random() < 0.3:
            container["ports"] = [{"containerPort": rng.choice([80, 8080, 9090]), "protocol": "TCP"}]
        containers.append(container)
    spec = {"containers": containers, "restartPolicy": rng.choice(["Always", "OnFailure"])}
    volumes = []
    if any("volumeMounts" in c for c in containers):
        volumes.append({"name": "data", "emptyDir": {}})
    if rng.random() < 0.2:
        volumes.append({"name": "agent", "emptyDir": {}})  # the profile's own definition: already present
    if volumes or rng.random() < 0.3:
        spec["volumes"] = volumes
    if rng.random() < 0.4:
        inits = [{"name": "migrate", "image": "registry.example.com/migrate:1"}]
        if rng.random() < 0.1:
            inits.append({"name": "agent-copy", "image": "registry.example.com/other:9"})  # collides: fails open
        spec["initContainers"] = inits
    metadata = {"generateName": f"random-{index}-", "namespace": rng.choice(["default", "shop", "batch"])}
    annotations = {}
    choice = rng.random()
    if choice < 0.35:
        annotations["kube-injector.io/inject"] = rng.choice(["observability", "debug", "observability,debug", "debug, observability"])
    elif choice < 0.4:
        annotations["kube-injector.io/inject"] = "false"
    elif choice < 0.43:
        annotations["kube-injector.io/inject"] = "no-such-profile"
    if rng.random() < 0.3:
        annotations["example.com/team~owner"] = "payments"
    if annotations or rng.random() < 0.5:
        metadata["annotations"] = annotations
    if rng.random() < 0.5:
        metadata["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"random-{index}", "uid": f"rs-{index}", "controller": True}]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
    return {
        "apiVersion": rng.choice(["admission.k8s.io/v1", "admission.k8s.io/v1beta1"]),
        "kind": "AdmissionReview",
        "request": {
            "uid": f"random-{index}-{rng.getrandbits(32):08x}",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": metadata["namespace"],
            "operation": "CREATE",
            "object": pod,
            "dryRun": rng.random() < 0.1,
        },
    }


def test_random_pods_patch_applies_validates_and_reinjection_is_a_no_op(tmp_path):
    rng = random.Random(20261122)
    paths = []
    for index in range(300):
        path = tmp_path / f"random-{index:03d}.json"
        path.write_text(json.dumps(random_pod(rng, index)))
        paths.append(path)
    responses = replay(paths)
    patched = replay(paths, "--patched")
    injected = check_answers(paths, responses, patched)
    assert injected >= 150

    # Reviewing each patched pod again must return no patch.
    again = []
    for path, pod in zip(paths, patched):
        review = json.loads(path.read_text())
        review["request"]["object"] = pod
        again_path = tmp_path / f"again-{path.name}"
        again_path.write_text(json.dumps(review))
        again.append(again_path)
    for path, response in zip(again, replay(again)):
        assert "patch" not in response["response"], f"{path.name}: injected twice"


def test_the_release_build_answers_exactly_as_the_debug_build(tmp_path):
    # The image's binary is optimised across modules (thin LTO, scripts/build-release.sh), so the
    # debug build's tests do not run its code: it must give the same answers, byte for byte.
    if not RELEASE_BINARY.exists():
        pytest.skip("needs the release build (scripts/build-release.sh), which scripts/test.sh makes first")
    rng = random.Random(20261125)
    paths = list(VALID_FIXTURES)
    for index in range(150):
        path = tmp_path / f"random-{index:03d}.json"
        path.write_text(json.dumps(random_pod(rng, index)))
        paths.append(path)
    for config in (CONFIG, FIXTURES / "bench-profile.yaml", None):
        for flags in ((), ("--patched",)):
            debug = replay(paths, *flags, config=config)
            release = replay(paths, *flags, config=config, binary=RELEASE_BINARY)
            for path, expected, answered in zip(paths, debug, release):
                assert answered == expected, f"{path.name} ({config}, {flags}): release and debug builds differ"


def test_check_config_accepts_the_fixture_configuration():
    result = subprocess.run([str(BINARY), "check-config", str(CONFIG)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "profile observability" in result.stdout


def test_bad_configuration_exits_2_naming_the_file_and_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("defaultProfiles: [tracing]\nprofiles:\n  observability:\n    env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]\n")
    for command in (["check-config", str(bad)], ["replay", "--config", str(bad), str(VALID_FIXTURES[0])]):
        result = subprocess.run([str(BINARY), *command], capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result
        assert str(bad) in result.stderr
        assert "has both value and valueFrom" in result.stderr
        assert result.stdout == ""
