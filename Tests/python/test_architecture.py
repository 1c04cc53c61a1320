"""docs/architecture.md states the module graph (issue 16: "the module graph in Package.swift matches
docs/architecture.md"). Its table is compared with what SwiftPM itself reads from Package.swift
(`swift package dump-package`), so adding, removing or rewiring a module without the doc fails here,
and so does a doc edit that invents an edge. Test targets are left out: the doc is about the product."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
DOC = REPOSITORY / "docs" / "architecture.md"


def package_graph() -> dict[str, set[str]]:
    """Non-test target -> the targets of this package it depends on."""
    dump = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=REPOSITORY, check=True,
                                     capture_output=True, text=True).stdout)
    targets = [t for t in dump["targets"] if t["type"] != "test" and t["name"] != "TestSupport"]
    ours = {t["name"] for t in dump["targets"]}
    graph: dict[str, set[str]] = {}
    for target in targets:
        deps = set()
        for dependency in target["dependencies"]:
            (kind, value), = dependency.items()
            if kind in ("byName", "target") and value[0] in ours:
                deps.add(value[0])
        graph[target["name"]] = deps
    return graph


def documented_graph(text: str) -> dict[str, set[str]]:
    """The rows between the module-graph markers: `Module` cells (several names share a row) -> deps."""
    block = text.split("<!-- module-graph -->", 1)[1].split("<!-- /module-graph -->", 1)[0]
    graph: dict[str, set[str]] = {}
    for line in block.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([^`]+)`", cells[0])
        deps = set(re.findall(r"`([^`]+)`", cells[1]))
        for name in names:
            assert name not in graph, f"{name} is listed twice in docs/architecture.md"
            graph[name] = deps
    return graph


def test_documented_module_graph_is_package_swift() -> None:
    documented = documented_graph(DOC.read_text())
    actual = package_graph()
    assert set(documented) == set(actual), (
        f"modules only in the doc: {sorted(set(documented) - set(actual))}; "
        f"only in Package.swift: {sorted(set(actual) - set(documented))}")
    for name, deps in actual.items():
        assert documented[name] == deps, f"{name}: the doc says {sorted(documented[name])}, Package.swift says {sorted(deps)}"


def test_the_parser_reads_every_row() -> None:
    # Guards the test itself: a table the regexes silently skipped would compare nothing.
    documented = documented_graph(DOC.read_text())
    assert {"Admission", "JSON", "KubernetesAPI", "kube-injector", "CCurl"} <= set(documented)
    assert documented["Admission"] == {"JSON", "YAML", "KubernetesAPI"}


def test_every_named_source_path_exists() -> None:
    # The walks name files by folder; a move that leaves the doc behind fails here.
    text = DOC.read_text()
    sources = REPOSITORY / "Sources"
    files = {path.relative_to(sources).as_posix() for path in sources.rglob("*.swift")}
    for reference in set(re.findall(r"`((?:[A-Za-z-]+/)+[A-Za-z+]+(?:\.swift)?)`", text)):
        stem = reference.removesuffix(".swift")
        found = any(f.removesuffix(".swift").endswith(stem) for f in files) or any(
            f.startswith(stem + "/") or ("/" + stem + "/") in ("/" + f) for f in files)
        assert found, f"docs/architecture.md names {reference}, which is not under Sources/"
