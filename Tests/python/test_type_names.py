"""No type is defined twice (issue 16, "one type per idea"): every top-level struct, enum, class, actor
and protocol name in Sources/ and Tests/ is declared once. Two modules each with their own JSONValue or
OwnerReference compile fine and drift apart quietly; this keeps the one-definition rule checked.
Nested types (a `Spec` inside each API object, a `State` inside each state machine) are scoped by
their parent and are not counted."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
# At the start of a line (top level), after optional attributes on the same line and modifiers.
DECLARATION = re.compile(
    r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|internal|package|private|fileprivate|final|open|indirect)\s+)*"
    r"(?:struct|enum|class|actor|protocol)\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)


def top_level_types() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for root in ("Sources", "Tests", "Benchmarks"):
        for path in sorted((REPOSITORY / root).rglob("*.swift")):
            if ".build" in path.parts:
                continue
            for name in DECLARATION.findall(path.read_text()):
                found[name].append(path.relative_to(REPOSITORY).as_posix())
    return found


def test_no_type_is_defined_twice() -> None:
    twice = {name: paths for name, paths in top_level_types().items() if len(paths) > 1}
    assert not twice, f"defined more than once: {twice}"


def test_the_scan_sees_the_types_it_guards() -> None:
    # Guards the scan itself: these were duplicated before issue 16, and each must be seen once now.
    types = top_level_types()
    for name in ("JSONValue", "OwnerReference", "ObjectIdentity", "InjectionConfigError", "ClientConfigurationError"):
        assert len(types.get(name, [])) == 1, f"{name}: {types.get(name)}"
    assert len(types) > 300
