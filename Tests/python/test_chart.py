"""The Helm chart, rendered and linted by the real Helm engine (helm-python-sdk), every object validated by
kubernetes-validate in strict mode, and the safety properties pinned so a later change cannot loosen them.

Golden files: Tests/python/fixtures/chart/<case>.values.yaml is the input, <case>.golden.yaml the expected
rendering (generated certificate masked). After an intended change, regenerate and review the diff:

    KI_UPDATE_GOLDEN=1 python3 -m pytest -q Tests/python/test_chart.py -k golden
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import tarfile
import threading
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

import helm_python as helm

from conftest import REPOSITORY, GeneratedCertificates, runtime_packages

CHART = REPOSITORY / "charts" / "kube-injector"
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "chart"
RELEASE = "kube-injector"
NAMESPACE = "kube-injector"
PROTECTED_NAMESPACES = {"kube-system", "kube-node-lease", "kube-public", NAMESPACE}
KUBERNETES_VERSION = kubernetes_validate.latest_version()
SAMPLE_CA_BUNDLE = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nnot a real one\n-----END CERTIFICATE-----\n").decode()

Objects = list[tuple[str, dict[str, Any]]]

# Value sets covering the three certificate modes and the switches that change which objects exist.
CASES: dict[str, dict[str, Any]] = {
    "default": {},
    "cert-manager": {"certificates": {"mode": "certManager"}},
    "cert-manager-own-issuer": {"certificates": {"mode": "certManager", "certManager": {
        "issuerRef": {"name": "corporate-ca", "kind": "ClusterIssuer", "group": "cert-manager.io"}}}},
    "provided-secret": {"certificates": {"mode": "secret", "secret": {"name": "webhook-tls", "caBundle": SAMPLE_CA_BUNDLE}}},
    "everything-on": {
        "replicaCount": 3,
        "image": {"digest": "sha256:" + "ab" * 32},
        "webhook": {
            "failurePolicy": "Fail",
            "timeoutSeconds": 3,
            "annotations": {"example.com/owner": "platform"},
            "excludeNamespaces": ["team-batch", "kube-system"],
            "namespaceSelector": {"matchLabels": {"injection": "enabled"},
                                  "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In",
                                                        "values": ["kube-system", "apps"]}]},
            "objectSelector": {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["system"]}]},
        },
        "metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}}},
        "hpaForwarder": {"secretNamespaces": ["shop", "payments"], "secretNames": ["wavefront-hpa-events"]},
        "server": {"drainSeconds": 8, "clientCA": {"configMapName": "apiserver-client-ca"}},
        "terminationGracePeriodSeconds": 45,
        "podAnnotations": {"example.com/team": "platform"},
        "logLevel": "debug",
        "extraArgs": ["--hpa-allow-http"],
        "extraEnv": [{"name": "HTTPS_PROXY", "value": "http://proxy.example.com:3128"}],
        "commonLabels": {"example.com/cost-centre": "platform"},
        "service": {"annotations": {"example.com/scrape": "true"}},
        "priorityClassName": "system-cluster-critical",
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                       "whenUnsatisfiable": "ScheduleAnyway",
                                       "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "kube-injector"}}}],
        "livenessProbe": {"periodSeconds": 20, "failureThreshold": 5},
        "readinessProbe": {"initialDelaySeconds": 2},
        "podDisruptionBudget": {"enabled": True, "minAvailable": 2},
        "networkPolicy": {"enabled": True},
        "prometheusRule": {"enabled": True, "labels": {"release": "prometheus"}, "alertLabels": {"team": "platform"}},
        "dashboards": {"enabled": True, "namespace": "monitoring", "annotations": {"grafana_folder": "Kubernetes"}},
        "injection": {"defaultProfiles": ["agent"], "profiles": {"agent": {
            "containers": ["*"],
            "env": [{"name": "AGENT_HOME", "value": "/agent"}],
            "initContainers": [{"name": "agent-copy", "image": "registry.example.com/agent:1.2",
                                "command": ["cp", "/agent.jar", "/agent/agent.jar"],
                                "volumeMounts": [{"name": "agent", "mountPath": "/agent"}]}],
            "initContainerPosition": "first",
            "volumes": [{"name": "agent", "emptyDir": {}}],
            "volumeMounts": [{"name": "agent", "mountPath": "/agent", "readOnly": True}]}}},
    },
    "forwarder-off-single-replica": {"replicaCount": 1, "podDisruptionBudget": {"enabled": False},
                                     "hpaForwarder": {"enabled": False, "secretNamespaces": ["shop"]}},
    "single-replica-max-unavailable": {"replicaCount": 1, "podDisruptionBudget": {"minAvailable": None, "maxUnavailable": 1}},
    # OpenShift's restricted-v2 SCC assigns the user and group ids itself.
    "openshift-restricted": {"podSecurityContext": {"runAsUser": None, "runAsGroup": None, "fsGroup": None},
                             "containerSecurityContext": {"runAsUser": None}},
    "host-network": {"hostNetwork": True, "networkPolicy": {"enabled": True}},
    "observability-forwarder-off": {"hpaForwarder": {"enabled": False}, "prometheusRule": {"enabled": True},
                                    "dashboards": {"enabled": True}, "metrics": {"serviceMonitor": {"enabled": True}}},
    "secrets-cluster-wide": {"hpaForwarder": {"secretsClusterWide": True, "secretNamespaces": ["shop"]}},
}

GOLDEN_CASES = ["default", "cert-manager", "provided-secret", "everything-on"]
# Pinned so the golden files do not move with the Helm SDK's default Kubernetes version.
GOLDEN_KUBERNETES_VERSION = "v1.34.0"


# ---------------------------------------------------------------------------------------------------------
# helpers


def render_objects(render_chart: Any, values: dict[str, Any] | None, **options: Any) -> Objects:
    return render_chart.documents(render_chart.render(values, name=RELEASE, namespace=NAMESPACE, **options))


def of_kind(objects: Objects, kind: str) -> list[dict[str, Any]]:
    return [obj for _, obj in objects if obj["kind"] == kind]


def one(objects: Objects, kind: str) -> dict[str, Any]:
    """The one object of a kind; "ConfigMap" is the injection configuration, not the optional dashboard."""
    found = [obj for template, obj in objects if obj["kind"] == kind and not template.endswith("/dashboard.yaml")]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def merged_values(values: dict[str, Any]) -> dict[str, Any]:
    with helm.Chart.load(CHART) as chart:
        return chart.merge_values(values)


def selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Kubernetes' LabelSelector semantics: every matchLabels pair and every expression must hold."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for requirement in selector.get("matchExpressions") or []:
        key, operator, values = requirement["key"], requirement["operator"], requirement.get("values", [])
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def argument(deployment: dict[str, Any], flag: str) -> str | None:
    for arg in container(deployment)["args"]:
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest, render_chart: Any) -> tuple[str, dict[str, Any], Objects]:
    name = request.param
    return name, merged_values(CASES[name]), render_objects(render_chart, CASES[name])


# ---------------------------------------------------------------------------------------------------------
# lint and Kubernetes validity

# kubernetes-validate knows only built-in kinds. For the CRD kinds the chart renders, these strict subsets
# of the cert-manager v1 and Prometheus Operator v1 schemas (only the fields the chart uses) catch typos.
_selector_schema = {"type": "object", "additionalProperties": False, "properties": {
    "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
    "matchExpressions": {"type": "array"}}}
_metadata_schema = {"type": "object", "required": ["name", "namespace"], "additionalProperties": False, "properties": {
    "name": {"type": "string"}, "namespace": {"type": "string"},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    "annotations": {"type": "object", "additionalProperties": {"type": "string"}}}}
_issuer_ref_schema = {"type": "object", "required": ["name"], "additionalProperties": False, "properties": {
    "name": {"type": "string", "minLength": 1}, "kind": {"enum": ["Issuer", "ClusterIssuer"]}, "group": {"type": "string"}}}
CUSTOM_RESOURCE_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("cert-manager.io/v1", "Issuer"): {
        "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": False,
        "properties": {"apiVersion": {"const": "cert-manager.io/v1"}, "kind": {"const": "Issuer"}, "metadata": _metadata_schema,
                       "spec": {"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
                                "properties": {"selfSigned": {"type": "object", "additionalProperties": False},
                                               "ca": {"type": "object", "required": ["secretName"], "additionalProperties": False,
                                                      "properties": {"secretName": {"type": "string"}}}}}}},
    ("cert-manager.io/v1", "Certificate"): {
        "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": False,
        "properties": {"apiVersion": {"const": "cert-manager.io/v1"}, "kind": {"const": "Certificate"}, "metadata": _metadata_schema,
                       "spec": {"type": "object", "required": ["secretName", "issuerRef"], "additionalProperties": False,
                                "properties": {
                                    "secretName": {"type": "string"}, "isCA": {"type": "boolean"}, "commonName": {"type": "string"},
                                    "duration": {"type": "string", "pattern": "^([0-9.]+(ns|us|ms|s|m|h))+$"},
                                    "renewBefore": {"type": "string", "pattern": "^([0-9.]+(ns|us|ms|s|m|h))+$"},
                                    "dnsNames": {"type": "array", "items": {"type": "string"}},
                                    "usages": {"type": "array", "items": {"enum": [
                                        "signing", "digital signature", "content commitment", "key encipherment", "key agreement",
                                        "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
                                        "server auth", "client auth", "code signing", "email protection", "s/mime",
                                        "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
                                        "microsoft sgc", "netscape sgc"]}},
                                    "privateKey": {"type": "object", "additionalProperties": False, "properties": {
                                        "algorithm": {"enum": ["RSA", "ECDSA", "Ed25519"]}, "size": {"type": "integer"},
                                        "encoding": {"enum": ["PKCS1", "PKCS8"]}, "rotationPolicy": {"enum": ["Never", "Always"]}}},
                                    "issuerRef": _issuer_ref_schema}}}},
    ("monitoring.coreos.com/v1", "ServiceMonitor"): {
        "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": False,
        "properties": {"apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": {"const": "ServiceMonitor"},
                       "metadata": _metadata_schema,
                       "spec": {"type": "object", "required": ["selector", "endpoints"], "additionalProperties": False,
                                "properties": {
                                    "selector": _selector_schema,
                                    "namespaceSelector": {"type": "object", "additionalProperties": False, "properties": {
                                        "matchNames": {"type": "array", "items": {"type": "string"}}, "any": {"type": "boolean"}}},
                                    "endpoints": {"type": "array", "minItems": 1, "items": {
                                        "type": "object", "additionalProperties": False, "properties": {
                                            "port": {"type": "string"}, "path": {"type": "string"},
                                            "scheme": {"enum": ["http", "https"]},
                                            "interval": {"type": "string", "pattern": "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"},
                                            "scrapeTimeout": {"type": "string", "pattern": "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"}}}}}}}},
}

_prometheus_duration = "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
CUSTOM_RESOURCE_SCHEMAS[("monitoring.coreos.com/v1", "PrometheusRule")] = {
    "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": False,
    "properties": {"apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": {"const": "PrometheusRule"},
                   "metadata": _metadata_schema,
                   "spec": {"type": "object", "required": ["groups"], "additionalProperties": False, "properties": {
                       "groups": {"type": "array", "minItems": 1, "items": {
                           "type": "object", "required": ["name", "rules"], "additionalProperties": False, "properties": {
                               "name": {"type": "string", "minLength": 1}, "interval": {"type": "string", "pattern": _prometheus_duration},
                               "rules": {"type": "array", "minItems": 1, "items": {
                                   "type": "object", "required": ["alert", "expr"], "additionalProperties": False, "properties": {
                                       "alert": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                                       "expr": {"type": "string", "minLength": 1},
                                       "for": {"type": "string", "pattern": _prometheus_duration},
                                       "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                                       "annotations": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}}}}}}

CLUSTER_SCOPED_KINDS = {"ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration"}


def test_chart_lints_without_warnings(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, _, _ = case
    report = helm.lint(CHART, CASES[name], strict=True, namespace=NAMESPACE)
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert report["errors"] == [] and problems == [], f"{name}: {problems or report['errors']}"


def test_every_rendered_object_is_valid_kubernetes(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, _, objects = case
    assert objects, f"{name}: nothing rendered"
    for template, obj in objects:
        where = f"{name}: {template}: {obj['kind']}/{obj['metadata'].get('name')}"
        custom = CUSTOM_RESOURCE_SCHEMAS.get((obj["apiVersion"], obj["kind"]))
        if custom is not None:
            jsonschema.validate(obj, custom)
        else:
            try:
                kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(f"{where}: {error.message} at {list(error.path)}")
            except kubernetes_validate.SchemaNotFoundError as error:
                pytest.fail(f"{where}: {error.message}")
        if obj["kind"] in CLUSTER_SCOPED_KINDS:
            assert "namespace" not in obj["metadata"], where
        else:
            assert obj["metadata"].get("namespace"), f"{where}: a namespaced object must name its namespace"


def test_object_names_are_unique_per_kind_and_namespace(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, _, objects = case
    keys = [(obj["apiVersion"], obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"]) for _, obj in objects]
    duplicates = {key for key in keys if keys.count(key) > 1}
    assert not duplicates, f"{name}: {duplicates}"


# ---------------------------------------------------------------------------------------------------------
# the MutatingWebhookConfiguration


def test_webhook_can_never_block_pods_by_surprise(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, values, objects = case
    configuration = one(objects, "MutatingWebhookConfiguration")
    assert len(configuration["webhooks"]) == 1
    webhook = configuration["webhooks"][0]
    assert webhook["admissionReviewVersions"] == ["v1"]
    assert webhook["sideEffects"] == "NoneOnDryRun"
    assert webhook["reinvocationPolicy"] == "IfNeeded"
    assert webhook["failurePolicy"] == values["webhook"]["failurePolicy"]
    assert webhook["failurePolicy"] in {"Ignore", "Fail"}
    assert webhook["timeoutSeconds"] == values["webhook"]["timeoutSeconds"] <= 10
    assert webhook["rules"] == [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                                 "resources": ["pods"], "scope": "Namespaced"}]
    if not CASES[name].get("webhook"):
        assert webhook["failurePolicy"] == "Ignore" and webhook["timeoutSeconds"] == 5, "the defaults are the safe ones"


def test_protected_namespaces_are_never_selected_whatever_the_user_adds(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, values, objects = case
    selector = one(objects, "MutatingWebhookConfiguration")["webhooks"][0]["namespaceSelector"]
    user_labels = dict(values["webhook"]["namespaceSelector"]["matchLabels"])
    excluded = PROTECTED_NAMESPACES | set(values["webhook"]["excludeNamespaces"])
    for namespace in excluded:
        labels = {**user_labels, "kubernetes.io/metadata.name": namespace}
        assert not selector_matches(selector, labels), f"{name}: namespace {namespace} would be sent to the webhook"
    # The exclusion is a NotIn on the name label that kube-apiserver sets on every namespace.
    not_in = [e for e in selector["matchExpressions"]
              if e["key"] == "kubernetes.io/metadata.name" and e["operator"] == "NotIn"]
    assert not_in and PROTECTED_NAMESPACES <= set(not_in[0]["values"])
    # An ordinary namespace still reaches the webhook (unless the user's own conditions say otherwise).
    if name != "everything-on":
        assert selector_matches(selector, {"kubernetes.io/metadata.name": "shop"})
    else:
        assert selector_matches(selector, {"kubernetes.io/metadata.name": "apps", "injection": "enabled"})
        assert not selector_matches(selector, {"kubernetes.io/metadata.name": "apps"})


def test_opt_out_label_keeps_pods_and_namespaces_away_from_the_webhook(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, _, objects = case
    webhook = one(objects, "MutatingWebhookConfiguration")["webhooks"][0]
    opt_out = {"kube-injector.io/inject": "false"}
    assert not selector_matches(webhook["objectSelector"], opt_out)
    assert selector_matches(webhook["objectSelector"], {"app": "shop"})
    assert selector_matches(webhook["objectSelector"], {"kube-injector.io/inject": "true"})
    namespace_labels = {"kubernetes.io/metadata.name": "apps", "injection": "enabled"}
    assert selector_matches(webhook["namespaceSelector"], namespace_labels)
    assert not selector_matches(webhook["namespaceSelector"], {**namespace_labels, **opt_out})


def _match_conditions(objects: Objects) -> dict[str, str]:
    webhook = one(objects, "MutatingWebhookConfiguration")["webhooks"][0]
    return {condition["name"]: condition["expression"] for condition in webhook.get("matchConditions", [])}


def test_match_conditions_are_used_where_the_cluster_has_them(render_chart: Any) -> None:
    assert set(_match_conditions(render_objects(render_chart, {}))) == {"not-opted-out", "names-a-profile"}
    # With default profiles every pod may be injected, so only the opt-out may skip the call.
    assert set(_match_conditions(render_objects(render_chart, CASES["everything-on"]))) == {"not-opted-out"}
    assert _match_conditions(render_objects(render_chart, {}, kube_version="v1.29.4")) == {}
    assert set(_match_conditions(render_objects(render_chart, {}, kube_version="v1.30.0-eks-1a2b3c"))) == {"not-opted-out", "names-a-profile"}
    assert _match_conditions(render_objects(render_chart, {"webhook": {"useMatchConditions": False}})) == {}


# (pod annotations, not-opted-out, names-a-profile)
MATCH_CONDITION_PODS = [
    (None, True, False),
    ({}, True, False),
    ({"team": "shop"}, True, False),
    ({"kube-injector.io/inject": "false"}, False, True),
    ({"kube-injector.io/inject": "java-agent,cluster-info"}, True, True),
]


@pytest.mark.parametrize("annotations, not_opted_out, names_a_profile", MATCH_CONDITION_PODS)
def test_match_condition_expressions_skip_only_pods_the_webhook_would_leave_alone(
        render_chart: Any, annotations: dict[str, str] | None, not_opted_out: bool, names_a_profile: bool) -> None:
    celpy = pytest.importorskip("celpy", reason="cel-python (PyPI) evaluates the CEL expressions")
    pod: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"},
                           "spec": {"containers": [{"name": "app", "image": "app"}]}}
    if annotations is not None:
        pod["metadata"]["annotations"] = annotations
    environment = celpy.Environment()
    results = {}
    for name, expression in _match_conditions(render_objects(render_chart, {})).items():
        program = environment.program(environment.compile(expression))
        results[name] = bool(program.evaluate({"object": celpy.json_to_cel(pod)}))
    assert results == {"not-opted-out": not_opted_out, "names-a-profile": names_a_profile}


def test_webhook_calls_the_service_on_the_mutate_path(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, values, objects = case
    client = one(objects, "MutatingWebhookConfiguration")["webhooks"][0]["clientConfig"]
    service = one(objects, "Service")
    assert client["service"] == {"name": service["metadata"]["name"], "namespace": NAMESPACE, "path": "/mutate", "port": 443}
    https = [p for p in service["spec"]["ports"] if p["port"] == 443]
    assert https and https[0]["targetPort"] == "https"
    deployment = one(objects, "Deployment")
    ports = {p["name"]: p["containerPort"] for p in container(deployment)["ports"]}
    listen = values["server"]["hostNetworkPort" if values["hostNetwork"] else "port"]
    assert ports["https"] == listen
    assert argument(deployment, "--listen") == f"0.0.0.0:{listen}"
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()


def test_each_certificate_mode_gives_the_webhook_a_ca_and_the_pods_the_matching_secret(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, values, objects = case
    configuration = one(objects, "MutatingWebhookConfiguration")
    client = configuration["webhooks"][0]["clientConfig"]
    volumes = {v["name"]: v for v in one(objects, "Deployment")["spec"]["template"]["spec"]["volumes"]}
    mounted_secret = volumes["tls"]["secret"]["secretName"]
    mode = values["certificates"]["mode"]
    if mode == "generate":
        secret = one(objects, "Secret")
        assert secret["metadata"]["name"] == mounted_secret and secret["type"] == "kubernetes.io/tls"
        assert client["caBundle"] == secret["data"]["ca.crt"]
        assert "cert-manager.io/inject-ca-from" not in configuration["metadata"].get("annotations", {})
    elif mode == "secret":
        assert of_kind(objects, "Secret") == [], "the provided Secret is the user's, the chart must not overwrite it"
        assert mounted_secret == values["certificates"]["secret"]["name"]
        assert client["caBundle"] == values["certificates"]["secret"]["caBundle"]
    else:
        assert "caBundle" not in client, "cert-manager's CA injector owns caBundle"
        certificates = {c["metadata"]["name"]: c for c in of_kind(objects, "Certificate")}
        injected_from = configuration["metadata"]["annotations"]["cert-manager.io/inject-ca-from"]
        namespace, certificate_name = injected_from.split("/")
        assert namespace == NAMESPACE and certificate_name in certificates
        serving = certificates[certificate_name]["spec"]
        assert serving["secretName"] == mounted_secret
        assert set(serving["dnsNames"]) == {f"{RELEASE}.{NAMESPACE}.svc", f"{RELEASE}.{NAMESPACE}.svc.cluster.local"}
        assert "server auth" in serving["usages"]
        issuers = {i["metadata"]["name"] for i in of_kind(objects, "Issuer")}
        own_issuer = values["certificates"]["certManager"]["issuerRef"]["name"]
        if own_issuer:
            assert serving["issuerRef"]["name"] == own_issuer and issuers == set()
        else:
            assert serving["issuerRef"]["name"] in issuers
            ca = [c for c in certificates.values() if c["spec"].get("isCA")]
            assert len(ca) == 1 and ca[0]["spec"]["issuerRef"]["name"] in issuers
    # No subPath: the Secret volume's symlink swap is how rotated files reach the server.
    for mount in container(one(objects, "Deployment"))["volumeMounts"]:
        assert "subPath" not in mount
    assert argument(one(objects, "Deployment"), "--tls-cert") == "/etc/kube-injector/tls/tls.crt"
    assert argument(one(objects, "Deployment"), "--tls-key") == "/etc/kube-injector/tls/tls.key"


# ---------------------------------------------------------------------------------------------------------
# RBAC

ALLOWED_CLUSTER_RULES = {
    ("", "events"): {"create", "patch", "get", "list", "watch"},
    ("apps", "replicasets"): {"get"},
    ("apps", "statefulsets"): {"get"},
    ("apps", "daemonsets"): {"get"},
    ("batch", "jobs"): {"get"},
    ("autoscaling", "horizontalpodautoscalers"): {"get", "list", "watch"},
    ("", "namespaces"): {"get", "list", "watch"},
    ("", "resourcequotas"): {"list", "watch"},
    ("", "limitranges"): {"list", "watch"},
}


def granted(rules: list[dict[str, Any]]) -> dict[tuple[str, str], set[str]]:
    result: dict[tuple[str, str], set[str]] = {}
    for rule in rules:
        for group in rule.get("apiGroups", []):
            for resource in rule.get("resources", []):
                result.setdefault((group, resource), set()).update(rule["verbs"])
    return result


def test_rbac_grants_nothing_beyond_what_the_paths_need(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, values, objects = case
    forwarder = values["hpaForwarder"]
    roles = of_kind(objects, "ClusterRole") + of_kind(objects, "Role")
    for role in roles:
        for rule in role["rules"]:
            for field in ("apiGroups", "resources", "verbs", "resourceNames"):
                assert "*" not in rule.get(field, []), f"{name}: wildcard in {role['metadata']['name']}"
            assert not {"escalate", "bind", "impersonate", "delete", "deletecollection"} & set(rule["verbs"])
            assert "nonResourceURLs" not in rule

    for role in roles:
        for (group, resource), verbs in granted(role["rules"]).items():
            if resource == "secrets":
                assert verbs == {"get"}, f"{name}: secrets may only be read one by one, got {verbs}"
            elif resource == "leases":
                assert role["kind"] == "Role" and role["metadata"]["namespace"] == NAMESPACE
                assert group == "coordination.k8s.io" and verbs <= {"get", "create", "update"}
            else:
                assert role["kind"] == "ClusterRole", f"{name}: unexpected namespaced grant on {resource}"
                assert verbs <= ALLOWED_CLUSTER_RULES[(group, resource)], f"{name}: {resource} {verbs}"

    main = granted(next(r for r in of_kind(objects, "ClusterRole") if r["metadata"]["name"] == RELEASE)["rules"])
    assert {"create", "patch"} <= main[("", "events")]
    assert ("", "secrets") not in main
    for kind in ("replicasets", "statefulsets", "daemonsets"):
        assert main[("apps", kind)] == {"get"}
    assert main[("batch", "jobs")] == {"get"}
    # The admission checks' caches (Pod Security labels, quotas, LimitRange defaults).
    assert main[("", "namespaces")] == {"get", "list", "watch"}
    assert main[("", "resourcequotas")] == main[("", "limitranges")] == {"list", "watch"}

    cluster_secret_roles = [r for r in of_kind(objects, "ClusterRole") if ("", "secrets") in granted(r["rules"])]
    secret_roles = [r for r in of_kind(objects, "Role") if ("", "secrets") in granted(r["rules"])]
    lease_roles = [r for r in of_kind(objects, "Role") if ("coordination.k8s.io", "leases") in granted(r["rules"])]
    if not forwarder["enabled"]:
        assert ("autoscaling", "horizontalpodautoscalers") not in main and main[("", "events")] == {"create", "patch"}
        assert cluster_secret_roles == secret_roles == lease_roles == []
        assert "--no-hpa-forwarder" in container(one(objects, "Deployment"))["args"]
        return
    args = container(one(objects, "Deployment"))["args"]
    assert "--no-hpa-forwarder" not in args
    # The Lease is named after the release, so two releases in one namespace never share one.
    assert f"--leader-election-lease-name={one(objects, 'Deployment')['metadata']['name']}-hpa-forwarder" in args
    assert main[("autoscaling", "horizontalpodautoscalers")] == {"get", "list", "watch"}
    assert {"get", "list", "watch"} <= main[("", "events")]
    assert len(lease_roles) == 1 and granted(lease_roles[0]["rules"])[("coordination.k8s.io", "leases")] == {"get", "create", "update"}
    if forwarder["secretsClusterWide"]:
        assert len(cluster_secret_roles) == 1 and secret_roles == []
    else:
        assert cluster_secret_roles == [], f"{name}: cluster-wide Secrets access without secretsClusterWide"
        assert sorted(r["metadata"]["namespace"] for r in secret_roles) == sorted(set(forwarder["secretNamespaces"]))
    for role in cluster_secret_roles + secret_roles:
        rule = next(r for r in role["rules"] if "secrets" in r["resources"])
        if forwarder["secretNames"]:
            assert rule["resourceNames"] == forwarder["secretNames"]
        else:
            assert "resourceNames" not in rule


def test_every_binding_gives_its_role_to_the_webhook_service_account_only(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, _, objects = case
    account = one(objects, "ServiceAccount")["metadata"]
    roles = {(r["kind"], r["metadata"].get("namespace"), r["metadata"]["name"]) for r in of_kind(objects, "ClusterRole") + of_kind(objects, "Role")}
    bindings = of_kind(objects, "ClusterRoleBinding") + of_kind(objects, "RoleBinding")
    assert len(bindings) == len(roles)
    for binding in bindings:
        reference = binding["roleRef"]
        namespace = None if reference["kind"] == "ClusterRole" else binding["metadata"]["namespace"]
        assert (reference["kind"], namespace, reference["name"]) in roles, f"{name}: dangling {reference}"
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account["name"], "namespace": account["namespace"]}]


# ---------------------------------------------------------------------------------------------------------
# the Deployment


def test_pods_run_locked_down(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, values, objects = case
    pod = one(objects, "Deployment")["spec"]["template"]["spec"]
    for forbidden in ("hostPID", "hostIPC"):
        assert not pod.get(forbidden)
    assert bool(pod.get("hostNetwork")) == values["hostNetwork"], "only an explicit hostNetwork: true may share the node's network"
    assert pod["securityContext"]["runAsNonRoot"] is True
    # Absent only when set to null (OpenShift assigns one); never root.
    assert pod["securityContext"].get("runAsUser", 1) > 0
    assert ("runAsUser" in pod["securityContext"]) == (values["podSecurityContext"].get("runAsUser") is not None)
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    security = container(one(objects, "Deployment"))["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["privileged"] is False
    assert security["runAsNonRoot"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    resources = container(one(objects, "Deployment"))["resources"]
    assert resources["requests"]["cpu"] and resources["requests"]["memory"] and resources["limits"]["memory"]
    for volume in pod["volumes"]:
        assert "hostPath" not in volume


# The Pod Security Standards' "restricted" profile, as far as the rendered pod can show it.
RESTRICTED_VOLUME_TYPES = {"configMap", "secret", "emptyDir", "projected", "downwardAPI", "csi", "persistentVolumeClaim", "ephemeral"}


def test_pods_meet_the_restricted_pod_security_standard(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, values, objects = case
    pod = one(objects, "Deployment")["spec"]["template"]["spec"]
    if values["hostNetwork"]:
        # The "baseline" and "restricted" profiles both forbid host namespaces: only an explicit choice gets here.
        assert pod["hostNetwork"] is True
        return
    for volume in pod["volumes"]:
        kinds = set(volume) - {"name"}
        assert kinds <= RESTRICTED_VOLUME_TYPES, f"{name}: volume {volume['name']} uses {kinds}"
    for each in pod["containers"] + pod.get("initContainers", []):
        assert not any("hostPort" in port for port in each.get("ports", []))
        security = each["securityContext"]
        assert security["capabilities"]["drop"] == ["ALL"] and not security["capabilities"].get("add")
        assert security["allowPrivilegeEscalation"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_probes_and_shutdown_match_the_server_drain(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, values, objects = case
    deployment = one(objects, "Deployment")
    main = container(deployment)
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "https", "scheme": "HTTPS"}
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "https", "scheme": "HTTPS"}
    drain = values["server"]["drainSeconds"]
    assert argument(deployment, "--drain-seconds") == str(drain)
    assert main["lifecycle"]["preStop"]["exec"]["command"] == ["/bin/sleep", str(drain)]
    grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > 2 * drain, "the kubelet would kill the pod before the preStop sleep and the drain are over"
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_pods_know_their_own_name_and_namespace(case: tuple[str, dict[str, Any], Objects]) -> None:
    _, _, objects = case
    env = {e["name"]: e for e in container(one(objects, "Deployment"))["env"]}
    assert env["POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert env["POD_NAMESPACE"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}


def test_replicas_spread_and_survive_a_node_drain(case: tuple[str, dict[str, Any], Objects]) -> None:
    name, values, objects = case
    deployment = one(objects, "Deployment")
    assert deployment["spec"]["replicas"] == values["replicaCount"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    anti = deployment["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
    term = anti["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]
    assert term["topologyKey"] == "kubernetes.io/hostname"
    assert selector_matches(term["labelSelector"], pod_labels)
    budgets = of_kind(objects, "PodDisruptionBudget")
    budget = values["podDisruptionBudget"]
    if not budget["enabled"]:
        assert budgets == []
        return
    assert len(budgets) == 1, "an enabled budget is never dropped silently"
    spec = budgets[0]["spec"]
    assert selector_matches(spec["selector"], pod_labels)
    if budget.get("minAvailable") is not None:
        assert spec == {"minAvailable": budget["minAvailable"], "selector": spec["selector"]}
        assert budget["minAvailable"] < values["replicaCount"], "the budget would block every node drain"
    else:
        assert spec == {"maxUnavailable": budget["maxUnavailable"], "selector": spec["selector"]}


def test_configmap_holds_the_injection_configuration_and_its_checksum_rolls_the_pods(
        case: tuple[str, dict[str, Any], Objects], render_chart: Any) -> None:
    name, values, objects = case
    configmap = one(objects, "ConfigMap")
    assert yaml.safe_load(configmap["data"]["config.yaml"]) == values["injection"]
    rendered = render_chart.render(CASES[name], name=RELEASE, namespace=NAMESPACE)
    configmap_text = rendered["kube-injector/templates/configmap.yaml"]
    deployment = one(objects, "Deployment")
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["checksum/config"] == hashlib.sha256(configmap_text.encode()).hexdigest()
    assert argument(deployment, "--config") == "/etc/kube-injector/config/config.yaml"
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes["config"]["configMap"]["name"] == configmap["metadata"]["name"]


@pytest.mark.parametrize("release, namespace, fullname", [("edge", "platform", "edge-kube-injector"),
                                                        ("kube-injector-blue", "webhooks", "kube-injector-blue")])
def test_names_follow_the_release_and_its_namespace_is_excluded(render_chart: Any, release: str, namespace: str, fullname: str) -> None:
    objects = render_chart.documents(render_chart.render({}, name=release, namespace=namespace))
    webhook = one(objects, "MutatingWebhookConfiguration")["webhooks"][0]
    assert webhook["clientConfig"]["service"] == {"name": fullname, "namespace": namespace, "path": "/mutate", "port": 443}
    assert not selector_matches(webhook["namespaceSelector"], {"kubernetes.io/metadata.name": namespace})
    assert selector_matches(webhook["namespaceSelector"], {"kubernetes.io/metadata.name": NAMESPACE})
    assert one(objects, "Service")["metadata"]["name"] == fullname
    assert one(objects, "Secret")["metadata"]["name"] == f"{fullname}-tls"
    for _, obj in objects:
        if obj["kind"] not in CLUSTER_SCOPED_KINDS and obj["kind"] not in {"Role", "RoleBinding"}:
            assert obj["metadata"]["namespace"] == namespace, obj["kind"]
    crt = base64.b64decode(one(objects, "Secret")["data"]["tls.crt"])
    names = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName"], input=crt, capture_output=True).stdout.decode()
    assert f"DNS:{fullname}.{namespace}.svc," in names and f"DNS:{fullname}.{namespace}.svc.cluster.local" in names


def test_packaged_chart_carries_the_schema_and_no_keys_or_examples(tmp_path: Path) -> None:
    archive = helm.package(CHART, destination=tmp_path)
    with tarfile.open(archive) as packaged:
        members = packaged.getnames()
    assert "kube-injector/values.schema.json" in members and "kube-injector/templates/webhook.yaml" in members
    assert not [m for m in members if m.endswith((".key", ".pem")) or "/examples/" in m], members


def test_a_changed_injection_configuration_changes_the_pod_template(render_chart: Any) -> None:
    before = one(render_objects(render_chart, {}), "Deployment")
    changed = {"injection": {"defaultProfiles": [], "profiles": {"cluster-info": {"containers": ["app"]}}}}
    after = one(render_objects(render_chart, changed), "Deployment")
    key = "checksum/config"
    assert before["spec"]["template"]["metadata"]["annotations"][key] != after["spec"]["template"]["metadata"]["annotations"][key]


def test_service_monitor_scrapes_the_metrics_port_only_when_asked(render_chart: Any) -> None:
    assert of_kind(render_objects(render_chart, {}), "ServiceMonitor") == []
    objects = render_objects(render_chart, CASES["everything-on"])
    monitor = one(objects, "ServiceMonitor")
    service = one(objects, "Service")
    assert selector_matches(monitor["spec"]["selector"], service["metadata"]["labels"])
    metrics_port = [p for p in service["spec"]["ports"] if p["name"] == monitor["spec"]["endpoints"][0]["port"]]
    assert metrics_port and metrics_port[0]["port"] == 9090
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert argument(one(objects, "Deployment"), "--metrics-listen") == "0.0.0.0:9090"


# ---------------------------------------------------------------------------------------------------------
# the generated certificate, and keeping it across upgrades with lookup


def _openssl(*arguments: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *arguments], input=stdin, capture_output=True, timeout=30)


def test_generated_certificate_chains_to_the_ca_bundle_and_names_the_service(render_chart: Any, tmp_path: Path) -> None:
    objects = render_objects(render_chart, {})
    secret = one(objects, "Secret")["data"]
    ca_bundle = one(objects, "MutatingWebhookConfiguration")["webhooks"][0]["clientConfig"]["caBundle"]
    (tmp_path / "ca.crt").write_bytes(base64.b64decode(ca_bundle))
    (tmp_path / "tls.crt").write_bytes(base64.b64decode(secret["tls.crt"]))
    (tmp_path / "tls.key").write_bytes(base64.b64decode(secret["tls.key"]))
    service_name = f"{RELEASE}.{NAMESPACE}.svc"
    verified = _openssl("verify", "-purpose", "sslserver", "-verify_hostname", service_name,
                        "-CAfile", str(tmp_path / "ca.crt"), str(tmp_path / "tls.crt"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    names = _openssl("x509", "-in", str(tmp_path / "tls.crt"), "-noout", "-ext", "subjectAltName").stdout.decode()
    assert re.findall(r"DNS:([^,\s]+)", names) == [service_name, f"{service_name}.cluster.local"]
    certificate_key = _openssl("x509", "-in", str(tmp_path / "tls.crt"), "-noout", "-pubkey").stdout
    private_key = _openssl("pkey", "-in", str(tmp_path / "tls.key"), "-pubout").stdout
    assert certificate_key and certificate_key == private_key, "tls.key does not belong to tls.crt"


class _FakeAPIServer:
    """Just enough of the Kubernetes API for Helm's lookup of one Secret: discovery of v1 and a GET that
    answers with the stored Secret or a 404 Status. Plain HTTP on loopback; the requests are kept."""

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], dict[str, Any]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                path = self.path.split("?", 1)[0]
                match = re.fullmatch(r"/api/v1/namespaces/([^/]+)/secrets/([^/]+)", path)
                if path == "/api/v1":
                    self._answer(200, {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                        {"name": "secrets", "singularName": "secret", "namespaced": True, "kind": "Secret",
                         "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}]})
                elif match and (match[1], match[2]) in server.secrets:
                    self._answer(200, server.secrets[(match[1], match[2])])
                else:
                    self._answer(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                       "reason": "NotFound", "code": 404, "message": f"{path} not found"})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *arguments: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "_FakeAPIServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    @property
    def kubeconfig(self) -> str:
        return yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "clusters": [{"name": "fake", "cluster": {"server": f"http://127.0.0.1:{self._server.server_port}"}}],
            "users": [{"name": "fake", "user": {"token": "test-token"}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake", "namespace": NAMESPACE}}]})


def _render_against(api: _FakeAPIServer, render_chart: Any) -> Objects:
    with helm.Config(kubeconfig_content=api.kubeconfig, namespace=NAMESPACE) as config, helm.Chart.load(CHART) as chart:
        rendered = config.render(chart, None, name=RELEASE, namespace=NAMESPACE, is_upgrade=True)
    return render_chart.documents(rendered)


def _tls_secret(data: dict[str, bytes]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": f"{RELEASE}-tls", "namespace": NAMESPACE},
            "data": {key: base64.b64encode(value).decode() for key, value in data.items()}}


def test_upgrade_keeps_the_generated_certificate_found_by_lookup(render_chart: Any) -> None:
    existing = {"ca.crt": b"existing CA", "tls.crt": b"existing certificate", "tls.key": b"existing key"}
    with _FakeAPIServer() as api:
        api.secrets[(NAMESPACE, f"{RELEASE}-tls")] = _tls_secret(existing)
        objects = _render_against(api, render_chart)
    assert f"/api/v1/namespaces/{NAMESPACE}/secrets/{RELEASE}-tls" in [r.split("?")[0] for r in api.requests]
    secret = one(objects, "Secret")
    assert {k: base64.b64decode(v) for k, v in secret["data"].items()} == existing
    ca_bundle = one(objects, "MutatingWebhookConfiguration")["webhooks"][0]["clientConfig"]["caBundle"]
    assert base64.b64decode(ca_bundle) == existing["ca.crt"]


@pytest.mark.parametrize("stored", ["none", "without-ca", "without-data"])
def test_install_or_an_incomplete_secret_gets_a_fresh_certificate(render_chart: Any, stored: str) -> None:
    with _FakeAPIServer() as api:
        if stored == "without-ca":
            api.secrets[(NAMESPACE, f"{RELEASE}-tls")] = _tls_secret({"tls.crt": b"c", "tls.key": b"k"})
        if stored == "without-data":
            empty = _tls_secret({})
            del empty["data"]
            api.secrets[(NAMESPACE, f"{RELEASE}-tls")] = empty
        objects = _render_against(api, render_chart)
    data = one(objects, "Secret")["data"]
    assert base64.b64decode(data["ca.crt"]).startswith(b"-----BEGIN CERTIFICATE-----")
    assert base64.b64decode(data["tls.crt"]) != b"c"
    assert one(objects, "MutatingWebhookConfiguration")["webhooks"][0]["clientConfig"]["caBundle"] == data["ca.crt"]


def test_offline_rendering_cannot_see_the_cluster_so_each_render_makes_a_new_ca(render_chart: Any) -> None:
    # helm-python-sdk's offline render (like `helm template`) answers lookup with nothing; documented, not a bug.
    first = one(render_objects(render_chart, {}), "Secret")["data"]["ca.crt"]
    second = one(render_objects(render_chart, {}), "Secret")["data"]["ca.crt"]
    assert first != second


def test_provided_secret_mode_accepts_the_bundle_gen_certs_prints(render_chart: Any, webhook_certificates: GeneratedCertificates) -> None:
    values = {"certificates": {"mode": "secret", "secret": {"name": "demo-tls", "caBundle": webhook_certificates.printed_ca_bundle}}}
    objects = render_objects(render_chart, values)
    client = one(objects, "MutatingWebhookConfiguration")["webhooks"][0]["clientConfig"]
    assert base64.b64decode(client["caBundle"]) == webhook_certificates.ca_certificate.read_bytes()


# ---------------------------------------------------------------------------------------------------------
# wrong values are refused with a message that names the problem

REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("unknown failure policy", {"webhook": {"failurePolicy": "Maybe"}}, "at '/webhook/failurePolicy': value must be one of 'Ignore', 'Fail'"),
    ("replicas as a word", {"replicaCount": "two"}, "at '/replicaCount': got string, want integer"),
    ("no replicas", {"replicaCount": 0}, "at '/replicaCount': minimum"),
    ("unknown top-level key", {"replicas": 2}, "additional properties 'replicas' not allowed"),
    ("misspelt nested key", {"webhook": {"failurepolicy": "Fail"}}, "additional properties 'failurepolicy' not allowed"),
    ("unknown certificate mode", {"certificates": {"mode": "vault"}}, "at '/certificates/mode': value must be one of 'generate', 'certManager', 'secret'"),
    ("secret mode without a Secret", {"certificates": {"mode": "secret"}}, "at '/certificates/secret/name': minLength"),
    ("secret mode without a bundle", {"certificates": {"mode": "secret", "secret": {"name": "tls"}}}, "at '/certificates/secret/caBundle': minLength"),
    ("bundle that is not base64", {"certificates": {"mode": "secret", "secret": {"name": "tls", "caBundle": "-----BEGIN"}}}, "at '/certificates/secret/caBundle'"),
    ("webhook timeout too long", {"webhook": {"timeoutSeconds": 30}}, "at '/webhook/timeoutSeconds': maximum: got 30, want 10"),
    ("privileged port", {"server": {"port": 443}}, "at '/server/port': minimum: got 443, want 1,024"),
    ("namespace that is not a DNS label", {"webhook": {"excludeNamespaces": ["Team_A"]}}, "at '/webhook/excludeNamespaces/0'"),
    ("root user", {"podSecurityContext": {"runAsUser": 0}}, "at '/podSecurityContext/runAsUser': minimum: got 0, want 1"),
    ("root user in the container", {"containerSecurityContext": {"runAsUser": 0}}, "at '/containerSecurityContext/runAsUser': minimum: got 0, want 1"),
    ("misspelt security context key", {"podSecurityContext": {"runAsUserId": 1000}}, "additional properties 'runAsUserId' not allowed"),
    ("unknown log level", {"logLevel": "verbose"}, "at '/logLevel': value must be one of"),
    ("extra argument that is not a flag", {"extraArgs": ["serve"]}, "at '/extraArgs/0'"),
    ("extra env without a name", {"extraEnv": [{"value": "x"}]}, "at '/extraEnv/0': missing property 'name'"),
    ("probe path override", {"livenessProbe": {"httpGet": {"path": "/"}}}, "additional properties 'httpGet' not allowed"),
    ("budget as a word", {"podDisruptionBudget": {"minAvailable": "half"}}, "at '/podDisruptionBudget/minAvailable'"),
    ("privileged host port", {"hostNetwork": True, "server": {"hostNetworkPort": 443}}, "at '/server/hostNetworkPort': minimum: got 443, want 1,024"),
    ("host network as a word", {"hostNetwork": "yes"}, "at '/hostNetwork': got string, want boolean"),
    ("dashboard namespace that is not a DNS label", {"dashboards": {"enabled": True, "namespace": "Monitoring"}}, "at '/dashboards/namespace'"),
    ("certificate warning of zero days", {"prometheusRule": {"enabled": True, "certificateExpiryDays": 0}}, "at '/prometheusRule/certificateExpiryDays'"),
    ("unknown profile key", {"injection": {"profiles": {"agent": {"envs": []}}}}, "additional properties 'envs' not allowed"),
    ("unknown init container position", {"injection": {"profiles": {"agent": {"initContainerPosition": "middle"}}}}, "value must be one of 'first', 'last'"),
    ("bad cert-manager duration", {"certificates": {"mode": "certManager", "certManager": {"duration": "90 days"}}}, "at '/certificates/certManager/duration'"),
    ("image tag with a digest in it", {"image": {"tag": "1.0@sha256:abc"}}, "at '/image/tag'"),
    ("secrets namespaces as a string", {"hpaForwarder": {"secretNamespaces": "shop"}}, "at '/hpaForwarder/secretNamespaces': got string, want array"),
]

REFUSED_BY_TEMPLATES: list[tuple[str, dict[str, Any], str]] = [
    ("default profile that does not exist", {"injection": {"defaultProfiles": ["agent"]}},
     'injection.defaultProfiles names "agent", which is not under injection.profiles (known: cluster-info)'),
    ("grace period shorter than the drain", {"server": {"drainSeconds": 20}, "terminationGracePeriodSeconds": 30},
     "terminationGracePeriodSeconds (30) must exceed the preStop sleep plus the server's drain"),
    ("webhook and metrics on one port", {"metrics": {"port": 8443}}, "server.port and metrics.port are both 8443"),
    ("budget that blocks every drain", {"replicaCount": 1},
     "podDisruptionBudget.minAvailable (1) with replicaCount 1 would block every node drain: run more replicas, or set podDisruptionBudget.enabled=false, or minAvailable null and maxUnavailable 1"),
    ("budget with both bounds", {"podDisruptionBudget": {"maxUnavailable": 1}},
     "podDisruptionBudget: set exactly one of minAvailable and maxUnavailable"),
    ("budget with no bound", {"podDisruptionBudget": {"minAvailable": None}},
     "podDisruptionBudget: set exactly one of minAvailable and maxUnavailable"),
    ("host network ports that collide", {"hostNetwork": True, "server": {"hostNetworkPort": 10300}, "metrics": {"hostNetworkPort": 10300}},
     "server.hostNetworkPort and metrics.hostNetworkPort are both 10300"),
    ("host network on the kubelet's port", {"hostNetwork": True, "server": {"hostNetworkPort": 10250}},
     "server.hostNetworkPort is 10250, the kubelet's port"),
]


@pytest.mark.parametrize("what, values, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_schema_refuses_wrong_values_with_a_clear_message(render_chart: Any, what: str, values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm.HelmValuesError) as refused:
        render_chart.render(values, name=RELEASE, namespace=NAMESPACE)
    assert message in str(refused.value), f"{what}: {refused.value}"


@pytest.mark.parametrize("what, values, message", REFUSED_BY_TEMPLATES, ids=[r[0] for r in REFUSED_BY_TEMPLATES])
def test_templates_refuse_inconsistent_values_with_a_clear_message(render_chart: Any, what: str, values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm.HelmRenderError) as refused:
        render_chart.render(values, name=RELEASE, namespace=NAMESPACE)
    assert message in str(refused.value), f"{what}: {refused.value}"


def test_schema_is_draft_7_and_a_second_validator_agrees_with_helm() -> None:
    # Helm 3 before 3.18 validated with another library than Helm 4 does; Python's jsonschema stands in
    # for "a different draft-07 implementation" so the schema does not lean on one engine's quirks.
    schema = json.loads((CHART / "values.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    for name, values in CASES.items():
        errors = [e.message for e in validator.iter_errors(merged_values(values))]
        assert errors == [], f"{name}: {errors}"
    for what, values, _ in REFUSED:
        assert list(validator.iter_errors(merged_values(values))), f"{what}: accepted by jsonschema, refused by Helm"


def test_lint_reports_a_schema_refusal_as_an_error() -> None:
    report = helm.lint(CHART, {"webhook": {"failurePolicy": "Maybe"}}, strict=True, namespace=NAMESPACE)
    assert any("value must be one of 'Ignore', 'Fail'" in error for error in report["errors"])


def test_render_chart_cli_exits_2_and_names_the_key(tmp_path: Path) -> None:
    result = subprocess.run([str(REPOSITORY / "scripts" / "render-chart.py"), "--set", "webhook.failurePolicy=Maybe"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "/webhook/failurePolicy" in result.stderr


# ---------------------------------------------------------------------------------------------------------
# golden output and NOTES


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_rendered_objects_match_the_golden_file(render_chart: Any, name: str) -> None:
    values_file = GOLDEN / f"{name}.values.yaml"
    golden_file = GOLDEN / f"{name}.golden.yaml"
    if os.environ.get("KI_UPDATE_GOLDEN") == "1":
        values_file.write_text(yaml.safe_dump(CASES[name], sort_keys=True) if CASES[name] else "{}\n")
    values = yaml.safe_load(values_file.read_text()) or {}
    assert values == CASES[name], f"{values_file} and CASES[{name!r}] disagree; regenerate (see module docstring)"
    objects = render_objects(render_chart, values, kube_version=GOLDEN_KUBERNETES_VERSION)
    actual = render_chart.to_yaml_stream(render_chart.mask_generated(objects))
    if os.environ.get("KI_UPDATE_GOLDEN") == "1":
        golden_file.write_text(actual)
    assert golden_file.exists(), f"missing {golden_file}; regenerate (see module docstring)"
    assert actual == golden_file.read_text(), (
        f"the chart renders differently from {golden_file.name}; if intended, regenerate with "
        "KI_UPDATE_GOLDEN=1 python3 -m pytest -q Tests/python/test_chart.py -k golden and review the diff")


def test_notes_say_how_to_check_the_install(render_chart: Any) -> None:
    notes = render_chart.render({}, name=RELEASE, namespace=NAMESPACE)["kube-injector/templates/NOTES.txt"]
    for needle in (f"kubectl get mutatingwebhookconfiguration {RELEASE}", "--dry-run=server",
                   "kube-injector.io/inject=cluster-info", "kubectl describe deployment",
                   f"port-forward service/{RELEASE} 9090:9090", "reason=InjectionFailed",
                   "kube-system, kube-node-lease, kube-public, kube-injector"):
        assert needle in notes, needle
    failing = render_chart.render({"webhook": {"failurePolicy": "Fail"}}, name=RELEASE, namespace=NAMESPACE)
    assert "WARNING: failurePolicy is Fail" in failing["kube-injector/templates/NOTES.txt"]
    assert "single replica" not in failing["kube-injector/templates/NOTES.txt"]
    alone = render_chart.render({"webhook": {"failurePolicy": "Fail"}, "replicaCount": 1, "podDisruptionBudget": {"enabled": False}},
                                name=RELEASE, namespace=NAMESPACE)
    assert "WARNING: with a single replica" in alone["kube-injector/templates/NOTES.txt"]


# ---------------------------------------------------------------------------------------------------------
# examples, and the injection configuration as the binary reads it

EXAMPLES = sorted((CHART / "examples").glob("values-*.yaml"))
# What the examples leave for the command line (see the comments in each file).
EXAMPLE_COMMAND_LINE = {"values-provided-secret.yaml": {"certificates": {"secret": {"caBundle": SAMPLE_CA_BUNDLE}}}}


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        result[key] = _deep_merge(result[key], value) if isinstance(value, dict) and isinstance(result.get(key), dict) else value
    return result


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_values_render_valid_objects(render_chart: Any, example: Path) -> None:
    values = _deep_merge(yaml.safe_load(example.read_text()), EXAMPLE_COMMAND_LINE.get(example.name, {}))
    objects = render_objects(render_chart, values)
    for _, obj in objects:
        if (obj["apiVersion"], obj["kind"]) in CUSTOM_RESOURCE_SCHEMAS:
            jsonschema.validate(obj, CUSTOM_RESOURCE_SCHEMAS[(obj["apiVersion"], obj["kind"])])
        else:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_standalone_injection_example_is_what_the_chart_would_write(render_chart: Any) -> None:
    document = yaml.safe_load((CHART / "examples" / "injection.yaml").read_text())
    objects = render_objects(render_chart, {"injection": document})
    assert yaml.safe_load(one(objects, "ConfigMap")["data"]["config.yaml"]) == document


def test_examples_exist_for_each_certificate_mode_that_needs_values() -> None:
    names = {e.name for e in EXAMPLES}
    assert {"values-cert-manager.yaml", "values-provided-secret.yaml"} <= names


CONFIG_SOURCES = [(name, CASES[name]) for name in sorted(CASES)] + [
    (e.name, yaml.safe_load(e.read_text())) for e in EXAMPLES] + [
    ("injection.yaml", {"injection": yaml.safe_load((CHART / "examples" / "injection.yaml").read_text())})]


@pytest.mark.parametrize("source, values", CONFIG_SOURCES, ids=[c[0] for c in CONFIG_SOURCES])
def test_binary_accepts_the_configuration_the_chart_writes(render_chart: Any, tmp_path: Path, source: str, values: dict[str, Any]) -> None:
    binary = REPOSITORY / ".build" / "debug" / "kube-injector"
    if not binary.exists():
        pytest.skip("needs the debug build (.build/debug/kube-injector), which scripts/test.sh makes first")
    values = _deep_merge(values, EXAMPLE_COMMAND_LINE.get(source, {}))
    config = one(render_objects(render_chart, values), "ConfigMap")["data"]["config.yaml"]
    (tmp_path / "config.yaml").write_text(config)
    result = subprocess.run([str(binary), "check-config", str(tmp_path / "config.yaml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{source}: kube-injector check-config refused the chart's ConfigMap: {result.stdout}{result.stderr}"


def test_binary_refuses_a_chart_configmap_that_breaks_kubernetes_rules(render_chart: Any, tmp_path: Path) -> None:
    # The values schema checks only the shape; the rendered ConfigMap goes through the same code as
    # `serve`, which refuses every problem at once (exit 2) before it listens.
    binary = REPOSITORY / ".build" / "debug" / "kube-injector"
    if not binary.exists():
        pytest.skip("needs the debug build (.build/debug/kube-injector), which scripts/test.sh makes first")
    values = {"injection": {"defaultProfiles": [], "profiles": {"agent": {
        "env": [{"name": "A=B", "value": "x"}],
        "volumes": [{"name": "agent", "emptyDir": {"sizeLimitt": "1Gi"}}]}}}}
    config = one(render_objects(render_chart, values), "ConfigMap")["data"]["config.yaml"]
    (tmp_path / "config.yaml").write_text(config)
    result = subprocess.run([str(binary), "check-config", str(tmp_path / "config.yaml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    problems = result.stderr.strip().splitlines()
    assert len(problems) == 2, problems
    assert "profiles.agent.env[0].name: env var name \"A=B\"" in problems[0] and "(rule: IsRelaxedEnvVarName)" in problems[0]
    assert "profiles.agent.volumes[0].emptyDir: unknown field \"sizeLimitt\"" in problems[1]


# ---------------------------------------------------------------------------------------------------------
# the container image


_runtime_packages = runtime_packages


def test_dockerfile_builds_static_and_runs_as_non_root() -> None:
    dockerfile = (REPOSITORY / "Dockerfile").read_text()
    # The image's binary is the one the benchmarks measure: both come from scripts/build-release.sh.
    assert re.search(r"^RUN scripts/build-release\.sh", dockerfile, re.M)
    assert "scripts/build-release.sh" in _build_stage_copies(dockerfile)
    release = (REPOSITORY / "scripts" / "build-release.sh").read_text()
    assert "flags=(-c release --static-swift-stdlib --experimental-lto-mode=thin)" in release
    assert re.search(r"^FROM swift:\$\{SWIFT_VERSION\}-\$\{DEBIAN_RELEASE\} AS build$", dockerfile, re.M)
    assert re.search(r"^FROM debian:\$\{DEBIAN_RELEASE\}-slim AS runtime$", dockerfile, re.M)
    assert re.search(r"^USER 65532:65532$", dockerfile, re.M)
    assert {"ca-certificates", "libssl3", "libcurl4", "libyaml-0-2"} <= _runtime_packages(dockerfile)
    security = yaml.safe_load((CHART / "values.yaml").read_text())["podSecurityContext"]
    assert (security["runAsUser"], security["runAsGroup"]) == (65532, 65532), "the chart's ids and the image's USER should agree"
    ignored = (REPOSITORY / ".dockerignore").read_text().split()
    assert {".build/", ".git/", "*.key", "*.pem"} <= set(ignored)


def _build_stage_copies(dockerfile: str) -> list[str]:
    """The sources of the build stage's COPY lines (the last word of each line is its destination)."""
    build = dockerfile.split(" AS build", 1)[1].split(" AS runtime", 1)[0]
    return [source.rstrip("*") for line in re.findall(r"^COPY (.+)$", build, re.M)
            for source in line.split()[:-1] if not source.startswith("--")]


def test_dockerfile_build_stage_copies_every_path_the_manifest_needs() -> None:
    # SwiftPM refuses a manifest whose target directories are missing, and lld a missing order file:
    # `docker build` cannot run here, so check that the build stage copies what Package.swift names.
    if shutil.which("swift") is None:
        pytest.skip("needs the swift toolchain")
    manifest = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=REPOSITORY, check=True,
                                         capture_output=True, text=True, timeout=300).stdout)
    copied = _build_stage_copies((REPOSITORY / "Dockerfile").read_text())
    needed = []
    for target in manifest["targets"]:
        default = ("Tests/" if target["type"] == "test" else "Sources/") + target["name"]
        needed.append(target.get("path") or default)
    needed += re.findall(r"packageDirectory\)/([\w./-]+)", (REPOSITORY / "Package.swift").read_text())
    assert "scripts/link-order.txt" in needed, "Package.swift no longer names the link order file; update this test"
    lines = [line.strip() for line in (REPOSITORY / ".dockerignore").read_text().splitlines()]
    ignored = [line.rstrip("/") for line in lines if line and not line.startswith("#") and "*" not in line]
    for path in needed:
        assert (REPOSITORY / path).exists(), f"Package.swift names {path}, which does not exist"
        assert not any(path == pattern or path.startswith(pattern + "/") for pattern in ignored), \
            f".dockerignore keeps {path} out of the build context"
        assert any(path == source.rstrip("/") or path.startswith(source.rstrip("/") + "/") for source in copied), \
            f"the image's build stage does not copy {path} (COPY sources: {copied})"


def test_runtime_image_installs_every_library_the_release_binary_links(tmp_path: Path) -> None:
    binary = REPOSITORY / ".build" / "release" / "kube-injector"
    if not binary.exists() or shutil.which("readelf") is None or shutil.which("dpkg") is None:
        pytest.skip("needs the release build (scripts/build-release.sh), readelf and dpkg")
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                        subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True).stdout)
    assert needed, f"readelf found no libraries in {binary}"
    # A release build made without --static-swift-stdlib (e.g. by a benchmark) links the toolchain's Swift
    # runtime; the image's build stage links it statically, so only the system libraries matter here.
    swift_runtime = re.compile(r"^lib(swift|_?Foundation|dispatch|BlocksRuntime|_FoundationICU)")
    needed = [name for name in needed if not swift_runtime.match(name)]
    packages = _runtime_packages((REPOSITORY / "Dockerfile").read_text()) | {"libc6"}  # libc6 is in every Debian image
    for library in needed:
        owner = subprocess.run(["dpkg", "-S", f"*/{library}"], capture_output=True, text=True).stdout
        owners = {line.split(":", 1)[0] for line in owner.splitlines() if line}
        assert owners & packages, f"{library} comes from {owners or 'no package'}, which the runtime image lacks"


@pytest.mark.parametrize("forwarder", [
    {"enabled": True},
    {"enabled": False},
    {"enabled": True, "secretNamespaces": ["team-a", "shared"], "crossNamespaceSecrets": ["shared"], "allowHTTP": True},
], ids=["forwarder-on", "forwarder-off", "forwarder-cross-namespace-http"])
def test_binary_parses_every_argument_the_chart_passes(render_chart: Any, forwarder: dict[str, Any]) -> None:
    binary = REPOSITORY / ".build" / "debug" / "kube-injector"
    if not binary.exists():
        pytest.skip("needs the debug build (.build/debug/kube-injector), which scripts/test.sh makes first")
    deployment = one(render_objects(render_chart, {"hpaForwarder": forwarder}), "Deployment")
    args = container(deployment)["args"]
    if forwarder.get("crossNamespaceSecrets"):
        assert "--hpa-secret-namespace=shared" in args and "--hpa-allow-http" in args
    else:
        assert not any(a.startswith("--hpa-secret-namespace") or a == "--hpa-allow-http" for a in args)
    # The files the chart mounts do not exist here, so serve stops at the first of them, with exit 2;
    # what must never happen is that an argument is not understood at all.
    result = subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Unknown option" not in result.stderr and "Usage:" not in result.stderr, result.stderr
    assert "/etc/kube-injector" in result.stderr, result.stderr


def test_cross_namespace_secrets_must_be_namespace_names(render_chart: Any) -> None:
    with pytest.raises(Exception) as refused:
        render_objects(render_chart, {"hpaForwarder": {"enabled": True, "crossNamespaceSecrets": ["Not_A_Namespace"]}})
    assert "crossNamespaceSecrets" in str(refused.value)


def test_the_in_flight_body_budget_reaches_serve(render_chart: Any) -> None:
    default = one(render_objects(render_chart, None), "Deployment")
    assert argument(default, "--max-inflight-body-bytes") == str(64 * 1024 * 1024)
    raised = one(render_objects(render_chart, {"server": {"maxInflightBodyBytes": 268435456}}), "Deployment")
    assert argument(raised, "--max-inflight-body-bytes") == "268435456"
    with pytest.raises(Exception) as refused:
        render_objects(render_chart, {"server": {"maxInflightBodyBytes": 1024}})
    assert "maxInflightBodyBytes" in str(refused.value)


# ---------------------------------------------------------------------------------------------------------
# operator settings: log level, extra arguments and environment, security contexts, host network, labels,
# annotations, probes, scheduling, the disruption budget


def test_log_level_extra_args_and_env_reach_the_container(render_chart: Any) -> None:
    default = container(one(render_objects(render_chart, {}), "Deployment"))
    assert {"name": "KI_LOG_LEVEL", "value": "info"} in default["env"]
    values = {"logLevel": "debug", "extraArgs": ["--hpa-allow-http"],
              "extraEnv": [{"name": "HTTPS_PROXY", "value": "http://proxy:3128"},
                           {"name": "NODE_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}}]}
    main = container(one(render_objects(render_chart, values), "Deployment"))
    assert {"name": "KI_LOG_LEVEL", "value": "debug"} in main["env"]
    assert main["env"][-2:] == values["extraEnv"]
    assert main["args"][0] == "serve" and main["args"][-1] == "--hpa-allow-http", "extra arguments come after the chart's"


def test_security_contexts_are_overridable_and_run_as_user_may_be_null(render_chart: Any) -> None:
    pod = one(render_objects(render_chart, CASES["openshift-restricted"]), "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    main = pod["containers"][0]["securityContext"]
    assert "runAsUser" not in main and main["readOnlyRootFilesystem"] is True and main["capabilities"] == {"drop": ["ALL"]}
    own = {"podSecurityContext": {"runAsUser": 1000700000, "fsGroup": None, "supplementalGroups": [5555]},
           "containerSecurityContext": {"readOnlyRootFilesystem": False}}
    pod = one(render_objects(render_chart, own), "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == 1000700000 and pod["securityContext"]["supplementalGroups"] == [5555]
    assert "fsGroup" not in pod["securityContext"] and pod["securityContext"]["runAsGroup"] == 65532
    assert pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is False
    assert pod["containers"][0]["securityContext"]["allowPrivilegeEscalation"] is False, "keys not set keep the defaults"


def test_host_network_listens_on_its_own_port_with_cluster_dns(render_chart: Any) -> None:
    objects = render_objects(render_chart, {"hostNetwork": True})
    deployment = one(objects, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["hostNetwork"] is True and pod["dnsPolicy"] == "ClusterFirstWithHostNet"
    ports = {p["name"]: p["containerPort"] for p in container(deployment)["ports"]}
    assert ports == {"https": 10270, "metrics": 10271}
    assert argument(deployment, "--listen") == "0.0.0.0:10270"
    assert argument(deployment, "--metrics-listen") == "0.0.0.0:10271"
    # The API server still calls the Service on 443; the named targetPort follows the container port.
    service = one(objects, "Service")
    assert {p["name"]: p["targetPort"] for p in service["spec"]["ports"]} == {"https": "https", "metrics": "metrics"}
    off = one(render_objects(render_chart, {}), "Deployment")["spec"]["template"]["spec"]
    assert "hostNetwork" not in off and "dnsPolicy" not in off
    moved = one(render_objects(render_chart, {"hostNetwork": True, "server": {"hostNetworkPort": 9443}}), "Deployment")
    assert argument(moved, "--listen") == "0.0.0.0:9443"


def test_common_labels_are_on_every_object_and_never_in_a_selector(render_chart: Any) -> None:
    labels = {"example.com/cost-centre": "platform"}
    objects = render_objects(render_chart, {**CASES["everything-on"], "commonLabels": labels})
    for template, obj in objects:
        assert labels.items() <= obj["metadata"].get("labels", {}).items(), f"{template}: {obj['kind']}"
    deployment = one(objects, "Deployment")
    assert "example.com/cost-centre" not in deployment["spec"]["selector"]["matchLabels"]
    assert "example.com/cost-centre" not in one(objects, "Service")["spec"]["selector"]


def test_webhook_configuration_and_service_take_annotations(render_chart: Any) -> None:
    values = {"webhook": {"annotations": {"example.com/owner": "platform"}}, "service": {"annotations": {"example.com/lb": "internal"}}}
    objects = render_objects(render_chart, values)
    assert one(objects, "MutatingWebhookConfiguration")["metadata"]["annotations"] == {"example.com/owner": "platform"}
    assert one(objects, "Service")["metadata"]["annotations"] == {"example.com/lb": "internal"}
    both = render_objects(render_chart, {**values, "certificates": {"mode": "certManager"}})
    annotations = one(both, "MutatingWebhookConfiguration")["metadata"]["annotations"]
    assert annotations["example.com/owner"] == "platform" and "cert-manager.io/inject-ca-from" in annotations
    plain = render_objects(render_chart, {})
    assert "annotations" not in one(plain, "MutatingWebhookConfiguration")["metadata"]
    assert "annotations" not in one(plain, "Service")["metadata"]


def test_probe_timings_are_overridable_and_their_paths_are_not(render_chart: Any) -> None:
    main = container(one(render_objects(render_chart, CASES["everything-on"]), "Deployment"))
    assert main["livenessProbe"] == {"httpGet": {"path": "/healthz", "port": "https", "scheme": "HTTPS"},
                                     "initialDelaySeconds": 0, "periodSeconds": 20, "timeoutSeconds": 2, "failureThreshold": 5}
    assert main["readinessProbe"] == {"httpGet": {"path": "/readyz", "port": "https", "scheme": "HTTPS"},
                                      "initialDelaySeconds": 2, "periodSeconds": 3, "timeoutSeconds": 2, "failureThreshold": 2}


def test_priority_class_and_topology_spread_reach_the_pod(render_chart: Any) -> None:
    pod = one(render_objects(render_chart, CASES["everything-on"]), "Deployment")["spec"]["template"]["spec"]
    assert pod["priorityClassName"] == "system-cluster-critical"
    assert pod["topologySpreadConstraints"] == CASES["everything-on"]["topologySpreadConstraints"]
    plain = one(render_objects(render_chart, {}), "Deployment")["spec"]["template"]["spec"]
    assert "priorityClassName" not in plain and "topologySpreadConstraints" not in plain


@pytest.mark.parametrize("budget, replicas, spec", [
    ({}, 2, {"minAvailable": 1}),
    ({"minAvailable": "50%"}, 3, {"minAvailable": "50%"}),
    ({"minAvailable": None, "maxUnavailable": 1}, 1, {"maxUnavailable": 1}),
    ({"minAvailable": None, "maxUnavailable": "25%"}, 4, {"maxUnavailable": "25%"}),
], ids=["default", "percent", "one-replica-max-unavailable", "max-unavailable-percent"])
def test_disruption_budget_renders_the_bound_asked_for(render_chart: Any, budget: dict[str, Any], replicas: int, spec: dict[str, Any]) -> None:
    objects = render_objects(render_chart, {"replicaCount": replicas, "podDisruptionBudget": budget})
    rendered = one(objects, "PodDisruptionBudget")["spec"]
    assert {k: v for k, v in rendered.items() if k != "selector"} == spec
    kubernetes_validate.validate(one(objects, "PodDisruptionBudget"), KUBERNETES_VERSION, strict=True)


def test_one_replica_without_a_budget_is_said_in_the_notes(render_chart: Any) -> None:
    values = {"replicaCount": 1, "podDisruptionBudget": {"minAvailable": None, "maxUnavailable": 1}}
    notes = render_chart.render(values, name=RELEASE, namespace=NAMESPACE)["kube-injector/templates/NOTES.txt"]
    assert "NOTE: one replica" in notes


# ---------------------------------------------------------------------------------------------------------
# NetworkPolicy, PrometheusRule, Grafana dashboard


def test_network_policy_opens_the_webhook_port_to_all_and_metrics_to_the_selector(render_chart: Any) -> None:
    assert of_kind(render_objects(render_chart, {}), "NetworkPolicy") == []
    for values, webhook_port, metrics_port in (({"networkPolicy": {"enabled": True}}, 8443, 9090),
                                               (CASES["host-network"], 10270, 10271)):
        objects = render_objects(render_chart, values)
        policy = one(objects, "NetworkPolicy")["spec"]
        pod_labels = one(objects, "Deployment")["spec"]["template"]["metadata"]["labels"]
        assert selector_matches(policy["podSelector"], pod_labels)
        assert policy["policyTypes"] == ["Ingress"], "egress (API server, sinks) must stay open"
        webhook, metrics = policy["ingress"]
        assert webhook == {"ports": [{"port": webhook_port, "protocol": "TCP"}]}, "no 'from': the API server's address is unknown"
        assert metrics["ports"] == [{"port": metrics_port, "protocol": "TCP"}]
        assert metrics["from"] == [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}]
    own = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]
    policy = one(render_objects(render_chart, {"networkPolicy": {"enabled": True, "metricsFrom": own}}), "NetworkPolicy")
    assert policy["spec"]["ingress"][1]["from"] == own
    closed = one(render_objects(render_chart, {"networkPolicy": {"enabled": True, "metricsFrom": []}}), "NetworkPolicy")
    assert len(closed["spec"]["ingress"]) == 1, "no peers: the metrics port is closed, not open to all"


REQUIRED_ALERTS = {
    "KubeInjectorFailOpenInjections": "kube_injector_admission_requests_total",
    "KubeInjectorCertificateExpiresSoon": "kube_injector_serving_certificate_expiry_timestamp_seconds",
    "KubeInjectorEventsDropped": "kube_injector_events_dropped_total",
    "KubeInjectorScaleForwardFailures": "kube_injector_hpa_scales_failed_total",
    "KubeInjectorNoForwarderLeader": "kube_injector_leader",
    "KubeInjectorAPIServerErrors": "kube_injector_apiserver_requests_total",
}


def prometheus_rules(objects: Objects) -> dict[str, dict[str, Any]]:
    return {rule["alert"]: rule for group in one(objects, "PrometheusRule")["spec"]["groups"] for rule in group["rules"]}


def test_prometheus_rule_has_each_alert_only_when_asked(render_chart: Any) -> None:
    assert of_kind(render_objects(render_chart, {}), "PrometheusRule") == []
    objects = render_objects(render_chart, CASES["everything-on"])
    rule = one(objects, "PrometheusRule")
    assert rule["metadata"]["labels"]["release"] == "prometheus"
    rules = prometheus_rules(objects)
    assert set(rules) == set(REQUIRED_ALERTS)
    for alert, metric in REQUIRED_ALERTS.items():
        assert metric in rules[alert]["expr"], alert
        assert f'namespace="{NAMESPACE}"' in rules[alert]["expr"], f"{alert} would match another release's metrics"
        assert rules[alert]["labels"] == {"severity": "warning", "team": "platform"}
        assert "{{ $" in rules[alert]["annotations"]["description"] or alert == "KubeInjectorNoForwarderLeader"
    assert rules["KubeInjectorNoForwarderLeader"]["for"] == "5m"
    assert 'outcome="failed-open"' in rules["KubeInjectorFailOpenInjections"]["expr"]
    assert "< 7 * 86400" in rules["KubeInjectorCertificateExpiresSoon"]["expr"]
    longer = prometheus_rules(render_objects(render_chart, {"prometheusRule": {"enabled": True, "certificateExpiryDays": 21}}))
    assert "< 21 * 86400" in longer["KubeInjectorCertificateExpiresSoon"]["expr"]
    # Without the forwarder there is no Lease and no forwarding, so its alerts would only be noise.
    without = prometheus_rules(render_objects(render_chart, CASES["observability-forwarder-off"]))
    assert set(without) == set(REQUIRED_ALERTS) - {"KubeInjectorScaleForwardFailures", "KubeInjectorNoForwarderLeader"}


DASHBOARD_FILE = CHART / "dashboards" / "kube-injector.json"
# Panel title -> a metric its queries must use.
REQUIRED_PANELS = {
    "Admission rate by outcome": "kube_injector_admission_requests_total",
    "Admission latency quantiles": "kube_injector_admission_duration_seconds_bucket",
    "Fail-open injections by reason": "kube_injector_admission_failed_open_total",
    "Event writes, retries and drops": "kube_injector_events_dropped_total",
    "Forwarder deliveries": "kube_injector_hpa_scales_sent_total",
    "Serving certificate expires in": "kube_injector_serving_certificate_expiry_timestamp_seconds",
    "Forwarder leader": "kube_injector_leader",
}


def dashboard_queries(dashboard: dict[str, Any]) -> dict[str, list[str]]:
    return {panel["title"]: [target["expr"] for target in panel.get("targets", [])]
            for panel in dashboard["panels"] if panel["type"] != "row"}


def test_dashboard_file_has_the_panels_an_operator_needs() -> None:
    dashboard = json.loads(DASHBOARD_FILE.read_text())
    assert dashboard["uid"] == "kube-injector" and dashboard["title"] == "kube-injector"
    queries = dashboard_queries(dashboard)
    for title, metric in REQUIRED_PANELS.items():
        assert title in queries, f"missing panel {title!r}"
        assert any(metric in expr for expr in queries[title]), f"{title}: no query on {metric}"
    latency = " ".join(queries["Admission latency quantiles"])
    assert all(f"histogram_quantile({q}," in latency for q in ("0.5", "0.9", "0.99"))
    events = " ".join(queries["Event writes, retries and drops"])
    assert all(m in events for m in ("kube_injector_events_sent_total", "kube_injector_events_retried_total",
                                     "kube_injector_events_dropped_total"))
    for title, expressions in queries.items():
        for expr in expressions:
            assert 'namespace="$namespace"' in expr, f"{title}: {expr} ignores the namespace variable"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert {"datasource", "namespace"} <= variables


def test_dashboard_config_map_carries_the_file_for_the_grafana_sidecar(render_chart: Any) -> None:
    assert [c for c in of_kind(render_objects(render_chart, {}), "ConfigMap") if "dashboard" in c["metadata"]["name"]] == []
    objects = render_objects(render_chart, CASES["everything-on"])
    found = [o for t, o in objects if t.endswith("/dashboard.yaml")]
    assert len(found) == 1 and found[0]["kind"] == "ConfigMap"
    dashboard = found[0]
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert dashboard["metadata"]["namespace"] == "monitoring"
    assert dashboard["metadata"]["annotations"] == {"grafana_folder": "Kubernetes"}
    assert json.loads(dashboard["data"]["kube-injector.json"]) == json.loads(DASHBOARD_FILE.read_text())
    default_namespace = render_objects(render_chart, {"dashboards": {"enabled": True, "labels": {"grafana_org": "2"}}})
    plain = [o for t, o in default_namespace if t.endswith("/dashboard.yaml")][0]["metadata"]
    assert plain["namespace"] == NAMESPACE and plain["labels"]["grafana_org"] == "2" and plain["labels"]["grafana_dashboard"] == "1"


def test_packaged_chart_carries_the_dashboard(tmp_path: Path) -> None:
    archive = helm.package(CHART, destination=tmp_path)
    with tarfile.open(archive) as packaged:
        assert "kube-injector/dashboards/kube-injector.json" in packaged.getnames()


# ---------------------------------------------------------------------------------------------------------
# the sample sink Secrets, the forwarder's values file and the README name the same Secrets

SINKS = sorted((CHART / "examples" / "sinks").glob("*.yaml"))


def test_sample_sink_secrets_are_the_ones_the_forwarder_values_may_read() -> None:
    forwarder = yaml.safe_load((CHART / "examples" / "values-hpa-forwarder.yaml").read_text())["hpaForwarder"]
    secrets = [yaml.safe_load(path.read_text()) for path in SINKS]
    assert sorted(s["metadata"]["name"] for s in secrets) == sorted(forwarder["secretNames"])
    for path, secret in zip(SINKS, secrets):
        assert secret["metadata"]["namespace"] in forwarder["secretNamespaces"], path.name
        assert f"hpa-event: {secret['metadata']['name']}" in path.read_text(), f"{path.name}: its comment names another Secret"
        kubernetes_validate.validate(secret, KUBERNETES_VERSION, strict=True)
        if secret["stringData"]["url"].startswith("http://"):
            assert forwarder["allowHTTP"] is True, f"{path.name} needs hpaForwarder.allowHTTP"
    names = {s["metadata"]["name"] for s in secrets}
    for document in (REPOSITORY / "README.md", REPOSITORY / "docs" / "hpa-forwarder.md"):
        for named in re.findall(r"hpa-event: (?:[a-z0-9-]+/)?([a-z0-9-]+)", document.read_text()):
            assert named in names, f"{document.name} names the Secret {named}, which no sample defines"


def test_knative_sample_sends_a_structured_cloud_event() -> None:
    secret = yaml.safe_load((CHART / "examples" / "sinks" / "knative.yaml").read_text())
    assert json.loads(secret["stringData"]["headers"]) == {"Content-Type": "application/cloudevents+json"}
    body = json.loads(secret["stringData"]["body"])
    assert body["specversion"] == "1.0" and body["type"] == "io.kube-injector.hpa.scaled"
    assert body["id"] == "_event_id_" and body["source"].startswith("/apis/autoscaling/")


@pytest.mark.parametrize("values, needles, absent", [
    ({}, ["No image is published: kube-injector:0.1.0", "kind load docker-image kube-injector:0.1.0",
          "Secret kube-injector-tls", "--set prometheusRule.enabled=true", "--set dashboards.enabled=true",
          "--set metrics.serviceMonitor.enabled=true"], ["hostNetwork:", "NetworkPolicy"]),
    ({"image": {"repository": "registry.example.com/kube-injector"}, "certificates": {"mode": "certManager"}},
     ["get certificate kube-injector-serving"], ["No image is published"]),
    ({"certificates": {"mode": "secret", "secret": {"name": "webhook-tls", "caBundle": SAMPLE_CA_BUNDLE}}},
     ["The pods serve the Secret webhook-tls"], []),
    ({"hostNetwork": True, "networkPolicy": {"enabled": True}, "prometheusRule": {"enabled": True},
      "dashboards": {"enabled": True, "namespace": "monitoring"}, "metrics": {"serviceMonitor": {"enabled": True}}},
     ["port 10270 (webhook) and 10271 (metrics)", "The NetworkPolicy lets only networkPolicy.metricsFrom",
      "get prometheusrule kube-injector", "ConfigMap kube-injector-dashboard in monitoring", "A ServiceMonitor asks Prometheus"],
     ["--set prometheusRule.enabled=true"]),
], ids=["default", "cert-manager-own-image", "provided-secret", "host-network-and-monitoring"])
def test_notes_say_what_to_do_next_in_each_mode(render_chart: Any, values: dict[str, Any], needles: list[str], absent: list[str]) -> None:
    notes = render_chart.render(values, name=RELEASE, namespace=NAMESPACE)["kube-injector/templates/NOTES.txt"]
    for needle in needles:
        assert needle in notes, needle
    for needle in absent:
        assert needle not in notes, needle
