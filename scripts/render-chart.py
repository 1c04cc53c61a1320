#!/usr/bin/env python3
"""Render or lint charts/kube-injector with the real Helm engine (PyPI helm-python-sdk), no helm binary needed.

    scripts/render-chart.py [-f VALUES.yaml]... [--set K=V]... [--set-string K=V]... [--name NAME]
                            [--namespace NS] [--api-versions GROUP/VERSION]... [--kube-version vX.Y.Z]
                            [--mask-generated] [--notes] [--lint] [--chart DIR]

Prints the rendered objects like `helm template` (documents with a `# Source:` line), or with --lint the lint
report. Exit status 2 when the values are refused (the schema's message is printed) or a template fails.
--mask-generated replaces the chart-generated certificate and key with a placeholder, so the output is stable;
with --kube-version v1.34.0 it is what the golden files under Tests/python/fixtures/chart hold. The tests
import this file too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

import helm_python as helm

REPOSITORY = Path(__file__).resolve().parent.parent
CHART_DIRECTORY = REPOSITORY / "charts" / "kube-injector"
DEFAULT_RELEASE = "kube-injector"
DEFAULT_NAMESPACE = "kube-injector"
GENERATED_PLACEHOLDER = "GENERATED-BY-HELM"


def render(
    values: dict[str, Any] | None = None,
    *,
    name: str = DEFAULT_RELEASE,
    namespace: str = DEFAULT_NAMESPACE,
    api_versions: list[str] | None = None,
    kube_version: str | None = None,
    is_upgrade: bool = False,
    chart_directory: Path = CHART_DIRECTORY,
) -> dict[str, str]:
    """Renders offline (lookup finds nothing) and returns template path -> text.

    The Python wrapper's Chart.render has no api_versions/kube_version arguments although the C library
    takes them, so the options go to the library call directly when they are asked for.
    """
    with helm.Chart.load(chart_directory) as chart:
        if api_versions is None and kube_version is None:
            return chart.render(values, name=name, namespace=namespace,
                                is_install=not is_upgrade, is_upgrade=is_upgrade)
        from helm_python import _native  # the library's own options, see the docstring

        options: dict[str, Any] = {"name": name, "namespace": namespace,
                                   "is_install": not is_upgrade, "is_upgrade": is_upgrade}
        if api_versions:
            options["api_versions"] = api_versions
        if kube_version:
            options["kube_version"] = kube_version
        rendered = _native.call_string("helm_render", chart._raw(),
                                       None if values is None else json.dumps(values), json.dumps(options))
        result: dict[str, str] = json.loads(rendered)
        return result


def documents(rendered: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """The rendered Kubernetes objects as (template path, object), in template order, NOTES.txt left out."""
    objects: list[tuple[str, dict[str, Any]]] = []
    for template in sorted(rendered):
        if template.endswith("NOTES.txt"):
            continue
        for document in yaml.safe_load_all(rendered[template]):
            if document:
                objects.append((template, document))
    return objects


def mask_generated(objects: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """Replaces what genCA/genSignedCert made fresh on this render (the Secret's certificate, key and CA, and
    the webhook's caBundle), leaving everything else as rendered. Other modes have nothing random to mask."""
    generated = any(_is_generated_secret(template, obj) for template, obj in objects)
    masked = []
    for template, obj in objects:
        obj = json.loads(json.dumps(obj))
        if _is_generated_secret(template, obj):
            obj["data"] = {key: GENERATED_PLACEHOLDER for key in obj.get("data", {})}
        if generated and obj.get("kind") == "MutatingWebhookConfiguration":
            for webhook in obj.get("webhooks", []):
                webhook.get("clientConfig", {})["caBundle"] = GENERATED_PLACEHOLDER
        masked.append((template, obj))
    return masked


def _is_generated_secret(template: str, obj: dict[str, Any]) -> bool:
    return template.endswith("/webhook.yaml") and obj.get("kind") == "Secret"


class _BlockStyleDumper(yaml.SafeDumper):
    """Writes multi-line strings (the ConfigMap's document) as readable `|` blocks."""


def _represent_string(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_BlockStyleDumper.add_representer(str, _represent_string)


def to_yaml_stream(objects: list[tuple[str, dict[str, Any]]]) -> str:
    """`helm template`-like output with keys in a stable order, as the golden files hold it."""
    parts = []
    for template, obj in objects:
        body = yaml.dump(obj, Dumper=_BlockStyleDumper, sort_keys=True, default_flow_style=False, width=120)
        parts.append(f"---\n# Source: {template}\n{body}")
    return "".join(parts)


def values_from_arguments(files: list[str], sets: list[str], set_strings: list[str]) -> dict[str, Any]:
    """Merges -f files, then --set, then --set-string, later ones winning, as helm does."""
    merged: dict[str, Any] = {}
    for path in files:
        merged = _merge(merged, helm.values_from_yaml(Path(path).read_text()))
    for expression in sets:
        merged = _merge(merged, helm.parse_set_string(expression))
    for expression in set_strings:
        merged = _merge(merged, helm.parse_set_string_values(expression))
    return merged


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = value
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Render or lint the kube-injector chart with the Helm engine.")
    parser.add_argument("-f", "--values", action="append", default=[], metavar="FILE")
    parser.add_argument("--set", action="append", default=[], metavar="K=V")
    parser.add_argument("--set-string", action="append", default=[], metavar="K=V")
    parser.add_argument("--name", default=DEFAULT_RELEASE)
    parser.add_argument("--namespace", default=DEFAULT_NAMESPACE)
    parser.add_argument("--api-versions", action="append", default=None, metavar="GROUP/VERSION")
    parser.add_argument("--kube-version", default=None, metavar="vX.Y.Z")
    parser.add_argument("--mask-generated", action="store_true", help="stable output for golden files")
    parser.add_argument("--notes", action="store_true", help="print NOTES.txt instead of the objects")
    parser.add_argument("--lint", action="store_true", help="run helm lint (strict) and print its report")
    parser.add_argument("--chart", default=str(CHART_DIRECTORY), metavar="DIR")
    arguments = parser.parse_args(argv)

    try:
        values = values_from_arguments(arguments.values, arguments.set, arguments.set_string)
    except (OSError, helm.HelmError) as error:
        print(f"render-chart: cannot read the values: {error}", file=sys.stderr)
        return 2

    if arguments.lint:
        report = helm.lint(arguments.chart, values, strict=True, namespace=arguments.namespace,
                           kube_version=arguments.kube_version)
        for message in report["messages"]:
            severity = {1: "INFO", 2: "WARNING", 3: "ERROR"}.get(message["severity"], "UNKNOWN")
            print(f"[{severity}] {message['path']}: {message['error'].strip()}")
        return 2 if report["errors"] else 0

    try:
        rendered = render(values, name=arguments.name, namespace=arguments.namespace,
                          api_versions=arguments.api_versions, kube_version=arguments.kube_version,
                          chart_directory=Path(arguments.chart))
    except helm.HelmError as error:
        print(f"render-chart: {error}", file=sys.stderr)
        return 2

    if arguments.notes:
        notes = [text for template, text in rendered.items() if template.endswith("NOTES.txt")]
        sys.stdout.write("".join(notes))
        return 0
    objects = documents(rendered)
    if arguments.mask_generated:
        objects = mask_generated(objects)
    sys.stdout.write(to_yaml_stream(objects))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
