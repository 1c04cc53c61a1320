"""Package.swift pins every package dependency to an exact version (issue 15, item 4): a `from:`,
a range, a branch or a revision would let two builds compile different code. When a
Package.resolved is present (after any `swift build`), every package it resolved, the ones the
project's dependencies bring in too, must be pinned, at the version that resolved."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGE = REPOSITORY / "Package.swift"

# `.package(url: "...", <requirement>)`, the requirement up to the closing parenthesis.
PACKAGE_CALL = re.compile(r'\.package\(\s*(?:name:\s*"[^"]*",\s*)?url:\s*"(?P<url>[^"]+)"\s*,\s*(?P<requirement>[^)]*)\)', re.S)
EXACT = re.compile(r'^exact:\s*"(?P<version>\d+\.\d+\.\d+)"$')


def _code_without_comments(text: str) -> str:
    # A comment starts a line or follows a blank; the `//` of a URL follows a colon.
    return "\n".join(re.sub(r"(^|\s)//.*$", "", line) for line in text.splitlines())


def pins(text: str) -> dict[str, str]:
    """identity (last path component without .git) -> exact version; raises on any other requirement."""
    code = _code_without_comments(text)
    found: dict[str, str] = {}
    for match in PACKAGE_CALL.finditer(code):
        requirement = " ".join(match["requirement"].split())
        exact = EXACT.match(requirement)
        assert exact, f'{match["url"]}: requirement "{requirement}" is not exact: "X.Y.Z"'
        identity = match["url"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git").lower()
        found[identity] = exact["version"]
    # Every .package( call must have been understood (a path: or a differently written one would slip by).
    assert code.count(".package(") == len(found), "a .package(...) entry is not a url + exact requirement"
    return found


def test_every_dependency_is_pinned_exactly() -> None:
    found = pins(PACKAGE.read_text())
    assert len(found) >= 7, found


def test_the_checker_refuses_every_kind_of_loose_requirement() -> None:
    for requirement in ['from: "2.0.0"', '"1.0.0"..<"2.0.0"', '"1.0.0"..."1.2.0"', '.upToNextMajor(from: "1.0.0")',
                        'branch: "main"', 'revision: "abc"', 'exact: "1.0"']:
        text = f'dependencies: [.package(url: "https://github.com/apple/swift-log.git", {requirement})]'
        try:
            pins(text)
        except AssertionError:
            continue
        raise AssertionError(f"accepted {requirement}")
    commented = '// .package(url: "https://github.com/a/b.git", from: "1.0.0")\n.package(url: "https://github.com/a/c.git", exact: "1.0.0")'
    assert pins(commented) == {"c": "1.0.0"}


def test_every_resolved_package_is_pinned_at_the_resolved_version() -> None:
    resolved = REPOSITORY / "Package.resolved"
    if not resolved.exists():
        import pytest
        pytest.skip("no Package.resolved yet: run swift build first")
    found = pins(PACKAGE.read_text())
    for entry in json.loads(resolved.read_text())["pins"]:
        identity = entry["identity"].lower()
        assert identity in found, f"{identity} resolves (a dependency's dependency) but Package.swift does not pin it"
        assert entry["state"].get("version") == found[identity], (identity, entry["state"], found[identity])
