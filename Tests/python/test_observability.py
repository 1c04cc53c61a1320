"""The alerts (the chart's PrometheusRule) and the Grafana dashboard (charts/kube-injector/dashboards/) name only
metrics the binary really exports: a real `kube-injector serve --dev` is started with a kubeconfig, so the Event
recorder and the HPA forwarder exist and register their metrics, and its /metrics is scraped.

The kubeconfig points at a port where nothing listens: the metrics exist from start-up, and the API-server calls
fail as they would against a dead API server (which also exercises the API-server error counters).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from conftest import REPOSITORY

CHART = REPOSITORY / "charts" / "kube-injector"
BINARY = REPOSITORY / ".build" / "debug" / "kube-injector"
METRIC = re.compile(r"\bkube_injector_[a-z_]+\b")
# Labels Prometheus adds from the scrape target (ServiceMonitor), not the binary; `le` is the histogram's own.
TARGET_LABELS = {"namespace", "pod", "service", "job", "instance", "container", "endpoint", "le"}
# Being added to the binary by issue 14 (the cluster side); this test checks them like every other name.
ADDED_BY_ISSUE_14 = {"kube_injector_leader", "kube_injector_apiserver_requests_total"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Exposition:
    """One scrape of /metrics: family -> type, and family -> the label names its samples carry."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.types: dict[str, str] = {}
        self.labels: dict[str, set[str]] = {}
        for line in text.splitlines():
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split(" ", 3)
                self.types[name] = kind
                self.labels.setdefault(name, set())
            elif line and not line.startswith("#"):
                sample = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?", line)
                assert sample, line
                family = self.family(sample.group(1)) or sample.group(1)
                names = set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", sample.group(3) or ""))
                self.labels.setdefault(family, set()).update(names - {"le"})

    def family(self, name: str) -> str | None:
        """The family a sample name belongs to: itself, or a histogram's for _bucket, _sum and _count."""
        if name in self.types:
            return name
        for suffix in ("_bucket", "_sum", "_count"):
            base = name.removesuffix(suffix)
            if base != name and self.types.get(base) == "histogram":
                return base
        return None


def _scrape_until(server: subprocess.Popen[bytes], port: int, needles: list[str], seconds: float) -> str | None:
    """The last /metrics text, scraped until it holds every needle or `seconds` pass."""
    deadline = time.monotonic() + seconds
    text = None
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
                text = answer.read().decode()
            if all(needle in text for needle in needles):
                break
        except OSError:
            pass
        time.sleep(0.2)
    return text


@pytest.fixture(scope="module")
def exposition(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exposition]:
    if not BINARY.exists():
        pytest.skip("needs the debug build (.build/debug/kube-injector), which scripts/test.sh makes first")
    directory = tmp_path_factory.mktemp("observability")
    kubeconfig = directory / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "dead",
        "clusters": [{"name": "dead", "cluster": {"server": f"https://127.0.0.1:{_free_port()}", "insecure-skip-tls-verify": True}}],
        "users": [{"name": "dead", "user": {"token": "test-token"}}],
        "contexts": [{"name": "dead", "context": {"cluster": "dead", "user": "dead", "namespace": "kube-injector"}}]}))
    metrics_port = _free_port()
    log = (directory / "serve.log").open("w")
    server = subprocess.Popen(
        [str(BINARY), "serve", "--dev", "--kubeconfig", str(kubeconfig), f"--listen=127.0.0.1:{_free_port()}",
         f"--metrics-listen=127.0.0.1:{metrics_port}"],
        stdout=log, stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin", "POD_NAME": "kube-injector-0",
                                                   "POD_NAMESPACE": "kube-injector", "HOME": str(directory)})
    try:
        text = _scrape_until(server, metrics_port, ["kube_injector_hpa_scales_seen_total"], seconds=120)
        assert text is not None, f"no /metrics within 120 s: {(directory / 'serve.log').read_text()[-2000:]}"
        # Labelled series appear with their first sample: the leader gauge once the elector has tried the Lease,
        # the API-server counter once a request has failed against the dead server. Wait for them a while.
        text = _scrape_until(server, metrics_port, [f"{name}{{" for name in sorted(ADDED_BY_ISSUE_14)], seconds=30) or text
        yield Exposition(text)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _alert_expressions(render_chart: Any) -> dict[str, str]:
    values = {"prometheusRule": {"enabled": True}, "hpaForwarder": {"enabled": True}}
    objects = render_chart.documents(render_chart.render(values, name="kube-injector", namespace="kube-injector"))
    rules = [obj for _, obj in objects if obj["kind"] == "PrometheusRule"]
    assert len(rules) == 1
    return {f"alert {rule['alert']}": rule["expr"] for group in rules[0]["spec"]["groups"] for rule in group["rules"]}


def _dashboard_expressions() -> dict[str, str]:
    dashboard = json.loads((CHART / "dashboards" / "kube-injector.json").read_text())
    expressions = {}
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expressions[f"panel {panel['title']!r} {target['refId']}"] = target["expr"]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            expressions[f"variable {variable['name']}"] = variable["definition"]
    return expressions


def _check(where: str, expr: str, scraped: Exposition) -> list[str]:
    problems = []
    families = []
    for name in METRIC.findall(expr):
        family = scraped.family(name)
        if family is None:
            note = " (added by issue 14's work; passes once that is merged)" if name in ADDED_BY_ISSUE_14 else ""
            problems.append(f"{where}: {name} is not exported{note}")
        else:
            families.append(family)
    # Label matchers on a metric ({outcome="failed-open"}) name labels that family's samples carry.
    for name, matchers in re.findall(r"\b(kube_injector_[a-z_]+)\{([^}]*)\}", expr):
        family = scraped.family(name)
        if family is None:
            continue
        for label in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers):
            if label not in TARGET_LABELS and label not in scraped.labels[family]:
                problems.append(f"{where}: {name} has no label {label!r} (it has {sorted(scraped.labels[family])})")
    # Aggregation labels (by (...)) come from the metrics in the same expression or from the target.
    known = set().union(*(scraped.labels[f] for f in families)) if families else set()
    for clause in re.findall(r"\bby\s*\(([^)]*)\)", expr):
        for label in (part.strip() for part in clause.split(",")):
            if label and label not in TARGET_LABELS and label not in known and families:
                problems.append(f"{where}: groups by {label!r}, which none of its metrics carry")
    return problems


def test_scrape_has_the_recorder_and_forwarder_families(exposition: Exposition) -> None:
    # Without these the test would prove nothing about the Event and forwarder panels.
    for family in ("kube_injector_admission_requests_total", "kube_injector_events_dropped_total",
                   "kube_injector_hpa_scales_failed_total", "kube_injector_hpa_scales_dropped_total",
                   "kube_injector_serving_certificate_expiry_timestamp_seconds"):
        assert family in exposition.types, family
    assert exposition.types["kube_injector_admission_duration_seconds"] == "histogram"
    assert {"outcome"} <= exposition.labels["kube_injector_admission_requests_total"]


def _fail_open_reasons() -> list[str]:
    """The reason names, read from the Swift enum so this test cannot drift from it."""
    source = next((REPOSITORY / "Sources" / "Admission").rglob("FailOpenReason.swift")).read_text()
    return re.findall(r'^\s*case \w+ = "([a-z_]+)"', source, re.MULTILINE)


def test_every_fail_open_reason_is_exported_at_zero_from_start(exposition: Exposition) -> None:
    # The dashboard's "Fail-open injections by reason" panel must have its series before the first failure.
    reasons = _fail_open_reasons()
    assert len(reasons) >= 8 and all(re.fullmatch(r"[a-z]+(_[a-z]+)*", r) for r in reasons), reasons
    assert exposition.types.get("kube_injector_admission_failed_open_total") == "counter"
    assert exposition.labels["kube_injector_admission_failed_open_total"] == {"reason"}
    exported = dict(re.findall(r'^kube_injector_admission_failed_open_total\{reason="([^"]*)"\} (\S+)$',
                               exposition.text, re.MULTILINE))
    assert exported == {reason: "0" for reason in reasons}


def test_every_alert_uses_only_exported_metrics(exposition: Exposition, render_chart: Any) -> None:
    expressions = _alert_expressions(render_chart)
    assert len(expressions) == 6
    problems = [p for where, expr in expressions.items() for p in _check(where, expr, exposition)]
    assert problems == [], "\n".join(problems)


def test_every_dashboard_query_uses_only_exported_metrics(exposition: Exposition) -> None:
    expressions = _dashboard_expressions()
    assert len(expressions) >= 15
    problems = [p for where, expr in expressions.items() for p in _check(where, expr, exposition)]
    assert problems == [], "\n".join(problems)


def test_the_checker_catches_a_name_the_binary_does_not_export(exposition: Exposition) -> None:
    assert _check("probe", 'rate(kube_injector_admission_requests_totl[5m])', exposition)
    assert _check("probe", 'rate(kube_injector_admission_requests_total{reason="x"}[5m])', exposition)
    assert _check("probe", 'sum by (reason) (rate(kube_injector_admission_requests_total[5m]))', exposition)
    assert _check("probe", 'histogram_quantile(0.9, rate(kube_injector_admission_duration_seconds_bucket[5m]))', exposition) == []
