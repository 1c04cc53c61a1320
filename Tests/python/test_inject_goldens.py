"""The `inject` goldens (Tests/EndToEndTests/Fixtures/inject/*.injected.yaml) read by an independent
YAML reader (PyYAML, not our libyaml-based one): every object they hold passes
`kubernetes-validate --strict`, and every object `inject` passes through is, as PyYAML reads it,
exactly the object it read from the input, so quoting kept each string a string."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "EndToEndTests" / "Fixtures" / "inject"
KUBERNETES_VERSION = "1.33.0"
WORKLOAD_KINDS = {"Pod", "ReplicationController", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}
GOLDENS = sorted(FIXTURES.glob("*.injected.yaml"))


def _objects(documents: list[Any]) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for document in documents:
        if document is None:
            continue
        if str(document.get("kind", "")).endswith("List") and "items" in document:
            objects += document["items"]
        else:
            objects.append(document)
    return objects


def _input_for(golden: Path) -> list[dict[str, Any]]:
    name = golden.name.removesuffix(".injected.yaml")
    for suffix in (".yaml", ".json"):
        source = FIXTURES / f"{name}{suffix}"
        if source.exists():
            text = source.read_text()
            return _objects([json.loads(text)] if suffix == ".json" else list(yaml.safe_load_all(text)))
    raise AssertionError(f"no input for {golden.name}")


def test_there_are_goldens() -> None:
    assert len(GOLDENS) >= 3


@pytest.mark.parametrize("golden", GOLDENS, ids=lambda p: p.name)
def test_every_injected_object_is_valid_kubernetes(golden: Path) -> None:
    for obj in _objects(list(yaml.safe_load_all(golden.read_text()))):
        if "/" in obj["apiVersion"] and obj["apiVersion"].split("/")[0].endswith(".com"):
            continue  # a custom resource: kubernetes-validate knows built-in kinds only
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{golden.name}: {obj['kind']} {obj['metadata'].get('name')}: {error.message}")


@pytest.mark.parametrize("golden", GOLDENS, ids=lambda p: p.name)
def test_objects_without_a_pod_template_come_back_equal(golden: Path) -> None:
    before = _input_for(golden)
    after = _objects(list(yaml.safe_load_all(golden.read_text())))
    assert len(before) == len(after)
    for original, written in zip(before, after):
        assert list(written) == list(original), "key order is kept"
        if original["kind"] not in WORKLOAD_KINDS or "." in original["apiVersion"].split("/")[0]:
            assert written == original, original["kind"]
        elif original["kind"] != "Pod":
            # Everything but the pod template is as it was.
            assert _without_template(written) == _without_template(original), original["kind"]


TEMPLATE_PATHS = {"CronJob": ["spec", "jobTemplate", "spec", "template"]}


def _without_template(obj: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(obj))
    path = TEMPLATE_PATHS.get(copy["kind"], ["spec", "template"])
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    parent.pop(path[-1], None)
    return copy
