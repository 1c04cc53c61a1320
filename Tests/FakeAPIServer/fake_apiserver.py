#!/usr/bin/env python3
"""A fake Kubernetes API server for kube-injector's tests (Python 3 standard library only).

A real API server cannot run on the test machine, so this one stands at the network boundary instead. It is
strict where the real one is strict, so a client that passes here does not merely pass here:

* HTTPS only (certificate and key given on the command line); bearer tokens checked against the accepted set,
  or a client certificate verified against --client-ca.
* Generic resources: `/api/v1/...` and `/apis/GROUP/VERSION/...`, namespaced (`.../namespaces/NS/RESOURCE[/NAME]`)
  and cluster-scoped, list / get / create / update (PUT) / patch / delete, plus the `status` subresource.
* Content types checked: POST and PUT take `application/json`; PATCH takes `application/json-patch+json`,
  `application/merge-patch+json` or `application/strategic-merge-patch+json`. Anything else is 415.
* Bodies validated: JSON object, apiVersion/kind matching the path, metadata.namespace matching the path,
  name or generateName present, and per kind: an Event needs involvedObject and reason, a known type, RFC 3339
  timestamps and a namespace matching its involvedObject's; a Lease needs MicroTime times; a Secret base64 data.
* resourceVersions from one counter; update and patch with a stale resourceVersion are 409 Conflict; create of
  an existing name is 409 AlreadyExists; a create in a namespace whose phase is Terminating is 403 with cause
  NamespaceTerminating.
* Watches (`?watch=true`) are chunked streams of `{"type", "object"}` lines, ending after timeoutSeconds; they
  resume from a resourceVersion (410 Expired in an ERROR event when it was compacted away), and send BOOKMARK
  events when `allowWatchBookmarks=true` (every --bookmark-interval seconds, and on demand).
* labelSelector (k=v, k!=v, k, !k) and fieldSelector (a.b=v, a.b!=v; only the fields the real server allows),
  limit and continue.

Usage: fake_apiserver.py --cert CERT --key KEY [--client-ca CA] [--token TOKEN]... [--port 0]
The first line on stdout is `PORT <n>` once the server accepts connections.

Control endpoints, on the same port under /fake/ (no authentication, never in the request log):

  GET    /fake/healthz                  200 "ok"
  POST   /fake/objects                  seed {"path": COLLECTION_PATH, "object": {...}} or {"objects": [...]};
                                        no validation; answers the stored object(s)
  GET    /fake/objects?path=PATH        the stored object, or {"items": [...]} for a collection path
  GET    /fake/requests[?pathPrefix=P]  {"requests": [{method, path, query, contentType, body, status,
                                        authentication, peer}]} in arrival order
  DELETE /fake/requests                 clear the log
  POST   /fake/failures                 {"method": "GET"|"*", "pathPrefix": "/api/...", "count": 1,
                                        "action": "status"|"hang"|"drop"|"delay", "status": 429,
                                        "retryAfter": 2, "reason": "...", "message": "...", "seconds": 1.0,
                                        "watch": true|false (omit: both)}; the next `count` matching requests
                                        answer with that Status, hang `seconds` then close, drop the connection
                                        without an answer, or are delayed `seconds` and then served
  DELETE /fake/failures                 forget pending failures
  POST   /fake/token                    {"token": "t"} or {"tokens": ["a", "b"]}: the accepted bearer tokens
  GET    /fake/watches                  {"open": N}: watch streams currently open
  POST   /fake/watches/gone             open watches send an ERROR event with code 410 and end
  POST   /fake/watches/drop             open watches are cut without the terminating chunk
  POST   /fake/watches/bookmark         open watches that allow bookmarks send one now
  POST   /fake/compact                  resourceVersions up to now expire: a watch from one of them gets 410
  POST   /fake/settings                 {"bookmarkIntervalSeconds": 1.0}
  POST   /fake/down                     {"seconds": S}: stop listening and cut every connection, listen again
                                        on the same port after S seconds (without "seconds": until SIGUSR2)
  POST   /fake/reset                    drop objects, log, failures and open watches

Signals: SIGUSR1 goes down (as /fake/down without seconds), SIGUSR2 comes back up, SIGTERM exits.
"""

import argparse
import base64
import copy
import json
import random
import re
import signal
import socket
import ssl
import string
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# --------------------------------------------------------------------------------------------------------------
# Resources

CLUSTER_SCOPED = {
    "namespaces", "nodes", "persistentvolumes", "clusterroles", "clusterrolebindings", "storageclasses",
    "customresourcedefinitions", "mutatingwebhookconfigurations", "validatingwebhookconfigurations",
    "priorityclasses", "apiservices",
}

KINDS = {
    "pods": "Pod", "events": "Event", "namespaces": "Namespace", "secrets": "Secret", "configmaps": "ConfigMap",
    "services": "Service", "nodes": "Node", "deployments": "Deployment", "replicasets": "ReplicaSet",
    "statefulsets": "StatefulSet", "daemonsets": "DaemonSet", "jobs": "Job", "cronjobs": "CronJob",
    "leases": "Lease", "horizontalpodautoscalers": "HorizontalPodAutoscaler",
    "mutatingwebhookconfigurations": "MutatingWebhookConfiguration", "serviceaccounts": "ServiceAccount",
}

# Field selectors the real server accepts, per resource; every resource also takes metadata.name/namespace.
FIELD_SELECTABLE = {
    "events": {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
               "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
               "reason", "reportingComponent", "source", "type"},
    "pods": {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
             "status.phase", "status.podIP", "status.nominatedNodeName"},
    "secrets": {"type"},
    "namespaces": {"status.phase"},
}

PATCH_TYPES = {"application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json"}

NAME_PATTERN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
TIME_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
MICROTIME_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$")


def kind_of(resource):
    if resource in KINDS:
        return KINDS[resource]
    singular = resource[:-1] if resource.endswith("s") else resource
    return singular[:1].upper() + singular[1:]


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class ApiError(Exception):
    """A failure answered as a meta/v1 Status."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.details, self.headers = details, headers or {}

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}
        if self.details is not None:
            body["details"] = self.details
        return body


class ResourcePath:
    """`/api/v1/namespaces/NS/RESOURCE/NAME/SUBRESOURCE` and its /apis/GROUP/VERSION twin, parsed."""

    def __init__(self, group, version, resource, namespace, name, subresource):
        self.group, self.version, self.resource = group, version, resource
        self.namespace, self.name, self.subresource = namespace, name, subresource

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self):
        return (self.group, self.version, self.resource)

    @property
    def namespaced(self):
        return self.resource not in CLUSTER_SCOPED

    @staticmethod
    def parse(path):
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return None
        namespace = None
        if rest and rest[0] == "namespaces":
            if len(rest) <= 2 or (len(rest) == 3 and rest[2] in ("status", "finalize")):
                # The Namespace objects themselves: /api/v1/namespaces[/NS[/status]].
                namespace_name = rest[1] if len(rest) > 1 else None
                if namespace_name is not None and not NAME_PATTERN.match(namespace_name):
                    return None
                return ResourcePath(group, version, "namespaces", None, namespace_name,
                                    rest[2] if len(rest) == 3 else None)
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            return None
        resource = rest[0]
        name = rest[1] if len(rest) > 1 else None
        subresource = rest[2] if len(rest) > 2 else None
        for segment in filter(None, [namespace, name]):
            if not NAME_PATTERN.match(segment) or len(segment) > 253:
                return None
        if namespace is not None and resource in CLUSTER_SCOPED:
            return None
        return ResourcePath(group, version, resource, namespace, name, subresource)


# --------------------------------------------------------------------------------------------------------------
# Selectors and patches


def lookup(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    if isinstance(obj, dict) and dotted == "source":
        return obj.get("component")
    return obj


def parse_label_selector(text):
    terms = []
    for term in filter(None, (t.strip() for t in (text or "").split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            terms.append(("ne", key.strip(), value.strip()))
        elif "==" in term or "=" in term:
            key, value = re.split("==?", term, maxsplit=1)
            terms.append(("eq", key.strip(), value.strip()))
        elif term.startswith("!"):
            terms.append(("absent", term[1:].strip(), None))
        else:
            terms.append(("present", term, None))
    return terms


def matches_labels(obj, terms):
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for op, key, value in terms:
        if op == "eq" and labels.get(key) != value:
            return False
        if op == "ne" and labels.get(key) == value:
            return False
        if op == "present" and key not in labels:
            return False
        if op == "absent" and key in labels:
            return False
    return True


def parse_field_selector(text, resource):
    allowed = {"metadata.name", "metadata.namespace"} | FIELD_SELECTABLE.get(resource, set())
    terms = []
    for term in filter(None, (t.strip() for t in (text or "").split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            op = "ne"
        elif "=" in term:
            key, value = re.split("==?", term, maxsplit=1)
            op = "eq"
        else:
            raise ApiError(400, "BadRequest", f"invalid field selector: {term!r}")
        if key.strip() not in allowed:
            raise ApiError(400, "BadRequest", f'"{key.strip()}" is not a known field selector: only '
                           f'"{", ".join(sorted(allowed))}"')
        terms.append((op, key.strip(), value.strip()))
    return terms


def matches_fields(obj, terms):
    for op, key, value in terms:
        actual = lookup(obj, key)
        actual = "" if actual is None else str(actual)
        if (op == "eq") != (actual == value):
            return False
    return True


def merge_patch(target, patch):
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge_patch(target, patch):
    """Merge patch, except that lists of objects with a `name` are merged by name, as the real server does for
    containers, env, volumes and the like."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        current = result.get(key)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and isinstance(current, list) and all(
                isinstance(item, dict) and "name" in item for item in value + current):
            merged = {item["name"]: copy.deepcopy(item) for item in current}
            order = [item["name"] for item in current]
            for item in value:
                if item.get("$patch") == "delete":
                    merged.pop(item["name"], None)
                    continue
                if item["name"] not in merged:
                    order.append(item["name"])
                merged[item["name"]] = strategic_merge_patch(merged.get(item["name"]), item)
            result[key] = [merged[name] for name in order if name in merged]
        else:
            result[key] = strategic_merge_patch(current, value)
    return result


def json_patch(target, operations):
    """RFC 6902; a failing operation is a 422 like the real server's."""
    if not isinstance(operations, list):
        raise ApiError(400, "BadRequest", "a JSON patch must be an array of operations")
    doc = copy.deepcopy(target)

    def split(pointer):
        if pointer == "":
            return []
        if not pointer.startswith("/"):
            raise ApiError(422, "Invalid", f"invalid JSON pointer {pointer!r}")
        return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]

    def parent(tokens):
        node = doc
        for token in tokens[:-1]:
            if isinstance(node, list):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise ApiError(422, "Invalid", f"path {'/'.join(tokens)!r} does not exist")
        return node, tokens[-1]

    def get(pointer):
        node, last = parent(split(pointer))
        if isinstance(node, list):
            return node[int(last)]
        if last not in node:
            raise ApiError(422, "Invalid", f"path {pointer!r} does not exist")
        return node[last]

    def remove(pointer):
        node, last = parent(split(pointer))
        if isinstance(node, list):
            return node.pop(int(last))
        if last not in node:
            raise ApiError(422, "Invalid", f"unable to remove nonexistent key {last!r}")
        return node.pop(last)

    def add(pointer, value):
        node, last = parent(split(pointer))
        if isinstance(node, list):
            node.insert(len(node) if last == "-" else int(last), value)
        else:
            node[last] = value

    try:
        for op in operations:
            kind, path = op.get("op"), op.get("path")
            if not isinstance(path, str):
                raise ApiError(422, "Invalid", f"operation {op!r} has no path")
            if kind == "add":
                add(path, copy.deepcopy(op["value"]))
            elif kind == "remove":
                remove(path)
            elif kind == "replace":
                remove(path)
                add(path, copy.deepcopy(op["value"]))
            elif kind == "move":
                add(path, remove(op["from"]))
            elif kind == "copy":
                add(path, copy.deepcopy(get(op["from"])))
            elif kind == "test":
                if get(path) != op.get("value"):
                    raise ApiError(422, "Invalid", f"test operation failed at {path!r}")
            else:
                raise ApiError(422, "Invalid", f"unknown JSON patch operation {kind!r}")
    except (IndexError, ValueError, KeyError, TypeError) as error:
        raise ApiError(422, "Invalid", f"JSON patch cannot be applied: {error}")
    return doc


# --------------------------------------------------------------------------------------------------------------
# Validation


def invalid(kind, name, causes):
    """422 as the real server words it: `Event "x" is invalid: field: message`."""
    message = "; ".join(f"{c['field']}: {c['message']}" for c in causes)
    return ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {message}',
                    {"name": name, "kind": kind.lower() + "s",
                     "causes": [{"reason": "FieldValueInvalid", **c} for c in causes]})


def validate(path, obj):
    kind = kind_of(path.resource)
    meta = obj.get("metadata") or {}
    name = meta.get("name") or ""
    causes = []
    if not name:
        causes.append({"field": "metadata.name", "message": "Required value: name or generateName is required"})
    elif not NAME_PATTERN.match(name) or len(name) > 253:
        causes.append({"field": "metadata.name", "message": f"Invalid value: {name!r}: a lowercase RFC 1123 subdomain"})
    for field in ("labels", "annotations"):
        values = meta.get(field)
        if values is not None and (not isinstance(values, dict) or
                                   not all(isinstance(v, str) for v in values.values())):
            causes.append({"field": f"metadata.{field}", "message": "Invalid value: must map strings to strings"})

    if path.resource == "events" and path.group == "":
        involved = obj.get("involvedObject")
        if not isinstance(involved, dict) or not involved:
            causes.append({"field": "involvedObject", "message": "Required value"})
        elif involved.get("namespace") and involved.get("namespace") != meta.get("namespace"):
            causes.append({"field": "involvedObject.namespace",
                           "message": "Invalid value: does not match event.namespace"})
        if not obj.get("reason"):
            causes.append({"field": "reason", "message": "Required value"})
        if obj.get("type") not in (None, "Normal", "Warning"):
            causes.append({"field": "type", "message": f"Unsupported value: {obj.get('type')!r}: "
                                                       "supported values: \"Normal\", \"Warning\""})
        for field in ("firstTimestamp", "lastTimestamp"):
            value = obj.get(field)
            if value is not None and (not isinstance(value, str) or not TIME_PATTERN.match(value)):
                causes.append({"field": field, "message": f"Invalid value: {value!r}: not RFC 3339"})
        if obj.get("eventTime") is not None and not MICROTIME_PATTERN.match(str(obj.get("eventTime"))):
            causes.append({"field": "eventTime", "message": "Invalid value: not MicroTime"})
        count = obj.get("count")
        if count is not None and (not isinstance(count, int) or count < 0):
            causes.append({"field": "count", "message": "Invalid value: must be a non-negative integer"})
    elif path.resource == "leases":
        spec = obj.get("spec") or {}
        duration = spec.get("leaseDurationSeconds")
        if duration is not None and (not isinstance(duration, int) or duration <= 0):
            causes.append({"field": "spec.leaseDurationSeconds", "message": "Invalid value: must be greater than 0"})
        for field in ("acquireTime", "renewTime"):
            value = spec.get(field)
            if value is not None and (not isinstance(value, str) or not MICROTIME_PATTERN.match(value)):
                causes.append({"field": f"spec.{field}", "message": f"Invalid value: {value!r}: not MicroTime"})
    elif path.resource == "secrets" and path.group == "":
        for key, value in (obj.get("data") or {}).items():
            try:
                base64.b64decode(value, validate=True)
            except Exception:
                causes.append({"field": f"data[{key}]", "message": "Invalid value: not base64"})
    if causes:
        raise invalid(kind, name, causes)


# --------------------------------------------------------------------------------------------------------------
# Storage and watches


class Watch:
    """One open watch stream; the store's condition wakes it."""

    def __init__(self, path, allow_bookmarks):
        self.path, self.allow_bookmarks = path, allow_bookmarks
        self.gone = self.dropped = self.bookmark_now = False


class Store:
    HISTORY = 20000

    def __init__(self):
        self.condition = threading.Condition()
        self.resource_version = 100
        self.compacted = 0
        self.objects = {}       # (group, version, resource) -> {(namespace, name): object}
        self.history = []       # (resourceVersion, key, type, object)
        self.watches = set()

    def collection(self, key):
        return self.objects.setdefault(key, {})

    def _record(self, key, event_type, obj):
        self.history.append((self.resource_version, key, event_type, copy.deepcopy(obj)))
        if len(self.history) > self.HISTORY:
            del self.history[: len(self.history) - self.HISTORY]
        self.condition.notify_all()

    def _stamp(self, path, obj):
        self.resource_version += 1
        obj["metadata"]["resourceVersion"] = str(self.resource_version)
        obj.setdefault("apiVersion", path.api_version)
        obj.setdefault("kind", kind_of(path.resource))

    def check_namespace(self, path, name):
        if not path.namespace:
            return
        namespace = self.collection(("", "v1", "namespaces")).get((None, path.namespace))
        if namespace and (namespace.get("status") or {}).get("phase") == "Terminating":
            raise ApiError(403, "Forbidden",
                           f'{path.resource} "{name}" is forbidden: unable to create new content in namespace '
                           f'{path.namespace} because it is being terminated',
                           {"name": name, "kind": path.resource,
                            "causes": [{"reason": "NamespaceTerminating",
                                        "message": f"namespace {path.namespace} is being terminated",
                                        "field": "metadata.namespace"}]})

    def create(self, path, obj, validate_body=True):
        with self.condition:
            meta = obj.setdefault("metadata", {})
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + "".join(random.choices(string.ascii_lowercase + string.digits, k=5))
            if path.namespaced:
                meta["namespace"] = path.namespace
            if validate_body:
                validate(path, obj)
                self.check_namespace(path, meta.get("name"))
            items = self.collection(path.key)
            ident = (path.namespace if path.namespaced else None, meta["name"])
            if ident in items:
                raise ApiError(409, "AlreadyExists", f'{path.resource} "{meta["name"]}" already exists',
                               {"name": meta["name"], "kind": path.resource})
            meta["uid"] = meta.get("uid") or str(uuid.uuid4())
            meta.setdefault("creationTimestamp", now_rfc3339())
            self._stamp(path, obj)
            items[ident] = obj
            self._record(path.key, "ADDED", obj)
            return copy.deepcopy(obj)

    def get(self, path):
        with self.condition:
            obj = self.collection(path.key).get((path.namespace if path.namespaced else None, path.name))
            if obj is None:
                raise ApiError(404, "NotFound", f'{path.resource} "{path.name}" not found',
                               {"name": path.name, "kind": path.resource})
            return copy.deepcopy(obj)

    def replace(self, path, change):
        """Applies change(current) -> new object under the lock; conflicts and validation as the real server."""
        with self.condition:
            current = self.get(path)
            new = change(copy.deepcopy(current))
            if not isinstance(new, dict):
                raise ApiError(422, "Invalid", "the patched object is not a JSON object")
            meta = new.setdefault("metadata", {})
            if meta.get("name", path.name) != path.name:
                raise ApiError(400, "BadRequest", "the name of the object does not match the name on the URL")
            wanted = meta.get("resourceVersion")
            if wanted and wanted != current["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict",
                               f'Operation cannot be fulfilled on {path.resource} "{path.name}": the object has been '
                               "modified; please apply your changes to the latest version and try again",
                               {"name": path.name, "kind": path.resource})
            meta["name"] = path.name
            if path.namespaced:
                meta["namespace"] = path.namespace
            meta["uid"] = current["metadata"]["uid"]
            meta["creationTimestamp"] = current["metadata"].get("creationTimestamp")
            validate(path, new)
            self._stamp(path, new)
            self.collection(path.key)[(path.namespace if path.namespaced else None, path.name)] = new
            self._record(path.key, "MODIFIED", new)
            return copy.deepcopy(new)

    def delete(self, path):
        with self.condition:
            obj = self.get(path)
            del self.collection(path.key)[(path.namespace if path.namespaced else None, path.name)]
            self._stamp(path, obj)
            self._record(path.key, "DELETED", obj)
            return obj

    def list(self, path, labels, fields):
        with self.condition:
            items = [copy.deepcopy(o) for (ns, _), o in sorted(self.collection(path.key).items(),
                                                                key=lambda kv: (kv[0][0] or "", kv[0][1]))
                     if (not path.namespace or ns == path.namespace)
                     and matches_labels(o, labels) and matches_fields(o, fields)]
            return items, self.resource_version

    def reset(self):
        with self.condition:
            self.objects.clear()
            self.history.clear()
            for watch in self.watches:
                watch.dropped = True
            self.condition.notify_all()


# --------------------------------------------------------------------------------------------------------------
# Shared state of the fake: store, tokens, failures, request log, settings


class Failure:
    def __init__(self, spec):
        self.method = spec.get("method", "*").upper()
        self.path_prefix = spec.get("pathPrefix", "/")
        self.remaining = int(spec.get("count", 1))
        self.action = spec.get("action", "status")
        self.status = int(spec.get("status", 500))
        self.retry_after = spec.get("retryAfter")
        self.reason = spec.get("reason")
        self.message = spec.get("message")
        self.seconds = float(spec.get("seconds", 30 if self.action == "hang" else 1))
        self.watch = spec.get("watch")
        if self.action not in ("status", "hang", "drop", "delay"):
            raise ApiError(400, "BadRequest", f"unknown failure action {self.action!r}")

    def matches(self, method, path, is_watch):
        return (self.remaining > 0 and self.method in ("*", method) and path.startswith(self.path_prefix)
                and (self.watch is None or bool(self.watch) == is_watch))

    def error(self):
        reasons = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
                   410: "Expired", 422: "Invalid", 429: "TooManyRequests", 500: "InternalError",
                   503: "ServiceUnavailable", 504: "Timeout"}
        headers, details = {}, None
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
            details = {"retryAfterSeconds": int(self.retry_after)}
        return ApiError(self.status, self.reason or reasons.get(self.status, "Unknown"),
                        self.message or f"injected failure {self.status}", details, headers)


class FakeState:
    def __init__(self, tokens, bookmark_interval):
        self.store = Store()
        self.lock = threading.Lock()
        self.tokens = set(tokens)
        self.failures = []
        self.requests = []
        self.bookmark_interval = bookmark_interval
        self.connections = set()
        # Set the moment the fake is told to go down, before the listener is closed, so that no request
        # slips through in between.
        self.down = False

    def take_failure(self, method, path, is_watch):
        with self.lock:
            for failure in self.failures:
                if failure.matches(method, path, is_watch):
                    failure.remaining -= 1
                    return failure
            return None


# --------------------------------------------------------------------------------------------------------------
# HTTP


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-apiserver"

    def setup(self):
        self.request.settimeout(10)
        self.request.do_handshake()
        self.request.settimeout(120)   # idle keep-alive connections close after this
        super().setup()
        with self.state.lock:
            self.state.connections.add(self.request)

    def finish(self):
        with self.state.lock:
            self.state.connections.discard(self.request)
        try:
            super().finish()
        except OSError:
            pass

    @property
    def state(self):
        return self.server.state

    def log_message(self, format, *args):
        pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = lambda self: self.dispatch()

    # -- plumbing

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(length) if length else b""

    def send_json(self, code, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        if self.entry is not None:
            self.entry["status"] = code

    def drop(self):
        """Cut the connection without an answer."""
        self.close_connection = True
        try:
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def dispatch(self):
        self.entry = None
        url = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            if self.state.down:
                return self.drop()
            body = self.read_body()
            if url.path.startswith("/fake/"):
                return self.control(self.command, url.path, body)
            self.entry = {"method": self.command, "path": url.path, "query": self.query,
                          "contentType": self.headers.get("Content-Type"), "body": body.decode("utf-8", "replace"),
                          "status": None, "authentication": None,
                          "peer": f"{self.client_address[0]}:{self.client_address[1]}", "time": time.time()}
            with self.state.lock:
                self.state.requests.append(self.entry)
            self.authenticate()
            is_watch = self.command == "GET" and self.query.get("watch") in ("true", "1")
            failure = self.state.take_failure(self.command, url.path, is_watch)
            if failure is not None:
                if failure.action == "drop":
                    return self.drop()
                if failure.action == "hang":
                    time.sleep(failure.seconds)
                    return self.drop()
                if failure.action == "delay":
                    time.sleep(failure.seconds)
                else:
                    raise failure.error()
            self.serve_api(url.path, body, is_watch)
        except ApiError as error:
            self.send_json(error.code, error.status(), error.headers)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout, OSError):
            self.close_connection = True

    def authenticate(self):
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            with self.state.lock:
                accepted = header[len("Bearer "):] in self.state.tokens
            if accepted:
                self.entry["authentication"] = "token"
                return
            raise ApiError(401, "Unauthorized", "Unauthorized")
        try:
            certificate = self.request.getpeercert()
        except ValueError:
            certificate = None
        if certificate:
            self.entry["authentication"] = "certificate"
            return
        raise ApiError(401, "Unauthorized", "Unauthorized")

    # -- the Kubernetes API

    def serve_api(self, raw_path, body, is_watch):
        path = ResourcePath.parse(raw_path)
        if path is None or (path.subresource not in (None, "status")):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if path.namespaced and path.namespace is None and path.name is not None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        method = self.command
        if path.name is None:
            if method == "GET":
                return self.watch(path) if is_watch else self.list(path)
            if method == "POST":
                if path.namespaced and path.namespace is None:
                    raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
                obj = self.json_body(body, "application/json")
                self.check_identity(path, obj)
                return self.send_json(201, self.state.store.create(path, obj))
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        if method == "GET":
            return self.send_json(200, self.state.store.get(path))
        if method == "PUT":
            obj = self.json_body(body, "application/json")
            self.check_identity(path, obj)
            return self.send_json(200, self.state.store.replace(path, lambda current: obj))
        if method == "PATCH":
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if content_type not in PATCH_TYPES:
                raise ApiError(415, "UnsupportedMediaType", f'the body of the request was in an unknown format - '
                               f'accepted media types include: {", ".join(sorted(PATCH_TYPES))}')
            patch = self.parse_json(body)
            if content_type == "application/json-patch+json":
                change = lambda current: json_patch(current, patch)
            else:
                if not isinstance(patch, dict):
                    raise ApiError(400, "BadRequest", "a merge patch must be a JSON object")
                apply = merge_patch if content_type == "application/merge-patch+json" else strategic_merge_patch
                change = lambda current: apply(current, patch)
            return self.send_json(200, self.state.store.replace(path, change))
        if method == "DELETE":
            return self.send_json(200, self.state.store.delete(path))
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def parse_json(self, body):
        try:
            return json.loads(body or b"null")
        except ValueError as error:
            raise ApiError(400, "BadRequest", f"the body is not valid JSON: {error}")

    def json_body(self, body, expected_type):
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type != expected_type:
            raise ApiError(415, "UnsupportedMediaType",
                           f"the body of the request was in an unknown format ({content_type or 'none'}) - "
                           f"accepted media types include: {expected_type}")
        obj = self.parse_json(body)
        if not isinstance(obj, dict):
            raise ApiError(400, "BadRequest", "the body must be a JSON object")
        return obj

    def check_identity(self, path, obj):
        if obj.get("apiVersion") not in (None, path.api_version):
            raise ApiError(400, "BadRequest", f"the API version in the data ({obj['apiVersion']}) does not match "
                           f"the expected API version ({path.api_version})")
        if obj.get("kind") not in (None, kind_of(path.resource)) and path.resource in KINDS:
            raise ApiError(400, "BadRequest", f"the kind in the data ({obj['kind']}) does not match the expected "
                           f"kind ({kind_of(path.resource)})")
        namespace = (obj.get("metadata") or {}).get("namespace")
        if path.namespaced and namespace not in (None, "", path.namespace):
            raise ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace "
                           "sent on the request")

    def list(self, path):
        labels = parse_label_selector(self.query.get("labelSelector"))
        fields = parse_field_selector(self.query.get("fieldSelector"), path.resource)
        items, version = self.state.store.list(path, labels, fields)
        start = 0
        if self.query.get("continue"):
            try:
                start, version = (int(x) for x in base64.b64decode(self.query["continue"]).decode().split(":"))
            except Exception:
                raise ApiError(400, "BadRequest", "invalid continue token")
            if version <= self.state.store.compacted:
                raise ApiError(410, "Expired", "The provided continue parameter is too old to display a consistent "
                               "list result. You can start a new list without the continue parameter.")
        limit = int(self.query.get("limit") or 0)
        if self.query.get("resourceVersion") == "0":
            limit = 0   # served from the watch cache: the real server ignores limit then
        page = items[start:start + limit] if limit > 0 else items[start:]
        metadata = {"resourceVersion": str(version)}
        if limit > 0 and start + limit < len(items):
            metadata["continue"] = base64.b64encode(f"{start + limit}:{version}".encode()).decode()
            metadata["remainingItemCount"] = len(items) - start - limit
        for item in page:
            item.pop("apiVersion", None)
            item.pop("kind", None)
        self.send_json(200, {"kind": kind_of(path.resource) + "List", "apiVersion": path.api_version,
                             "metadata": metadata, "items": page})

    def write_chunk(self, data):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def write_event(self, event_type, obj):
        self.write_chunk(json.dumps({"type": event_type, "object": obj}).encode() + b"\n")

    def watch(self, path):
        store = self.state.store
        labels = parse_label_selector(self.query.get("labelSelector"))
        fields = parse_field_selector(self.query.get("fieldSelector"), path.resource)
        timeout = float(self.query.get("timeoutSeconds") or 1800)
        allow_bookmarks = self.query.get("allowWatchBookmarks") in ("true", "1")
        since = self.query.get("resourceVersion") or "0"
        try:
            since = int(since)
        except ValueError:
            raise ApiError(400, "BadRequest", f"invalid resourceVersion {since!r}")

        def visible(key, obj):
            return (key == path.key and (not path.namespace or (obj.get("metadata") or {}).get("namespace") == path.namespace)
                    and matches_labels(obj, labels) and matches_fields(obj, fields))

        watch = Watch(path, allow_bookmarks)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.entry["status"] = 200
        deadline = time.monotonic() + timeout
        with store.condition:
            store.watches.add(watch)
            if since == 0:
                # No resourceVersion: the current state as ADDED events, then changes.
                items, cursor = store.list(path, labels, fields)
                pending = [("ADDED", obj) for obj in items]
            elif since < store.compacted or (store.history and since < store.history[0][0] - 1):
                cursor, pending = since, None
            else:
                cursor, pending = since, []
        try:
            if pending is None:
                self.write_event("ERROR", ApiError(410, "Expired",
                                 f"too old resource version: {since} ({store.compacted})").status())
            else:
                for event_type, obj in pending:
                    self.write_event(event_type, obj)
                if not self.stream_changes(watch, visible, cursor, deadline):
                    return self.drop()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        finally:
            with store.condition:
                store.watches.discard(watch)

    def stream_changes(self, watch, visible, cursor, deadline):
        """Writes events after `cursor` as they happen, and bookmarks, until the deadline or a control endpoint
        ends the watch. Returns False when the connection must be cut rather than ended cleanly."""
        store = self.state.store
        next_bookmark = time.monotonic() + self.state.bookmark_interval
        while True:
            with store.condition:
                while True:
                    events = [(t, o) for (rv, key, t, o) in store.history if rv > cursor and visible(key, o)]
                    if store.history:
                        cursor = max(cursor, store.history[-1][0])
                    now = time.monotonic()
                    if (events or watch.gone or watch.dropped or watch.bookmark_now
                            or now >= deadline or now >= next_bookmark):
                        break
                    store.condition.wait(min(deadline, next_bookmark) - now)
                version = store.resource_version
                gone, dropped, bookmark_now = watch.gone, watch.dropped, watch.bookmark_now
                watch.bookmark_now = False
            for event_type, obj in events:
                self.write_event(event_type, obj)
            if dropped:
                return False
            if gone:
                self.write_event("ERROR", ApiError(410, "Expired", "too old resource version").status())
                return True
            if now >= deadline:
                return True
            if bookmark_now or now >= next_bookmark:
                next_bookmark = now + self.state.bookmark_interval
                if watch.allow_bookmarks:
                    self.write_bookmark(watch.path, version)

    def write_bookmark(self, path, version):
        self.write_event("BOOKMARK", {"kind": kind_of(path.resource), "apiVersion": path.api_version,
                                      "metadata": {"resourceVersion": str(version),
                                                   "annotations": {"k8s.io/initial-events-end": "true"}}})

    # -- control endpoints

    def control(self, method, path, body):
        store = self.state.store
        request = self.parse_json(body) if body else {}
        if (method, path) == ("GET", "/fake/healthz"):
            return self.send_json(200, {"status": "ok"})
        if (method, path) == ("POST", "/fake/objects"):
            seeds = request.get("objects") or [request]
            stored = []
            for seed in seeds:
                target = ResourcePath.parse(seed.get("path", ""))
                if target is None or target.name is not None:
                    raise ApiError(400, "BadRequest", f"seed path {seed.get('path')!r} is not a collection path")
                stored.append(store.create(target, copy.deepcopy(seed["object"]), validate_body=False))
            return self.send_json(201, stored[0] if "objects" not in request else {"items": stored})
        if (method, path) == ("GET", "/fake/objects"):
            target = ResourcePath.parse(self.query.get("path", ""))
            if target is None:
                raise ApiError(400, "BadRequest", "path is not a resource path")
            if target.name is not None:
                return self.send_json(200, store.get(target))
            items, _ = store.list(target, [], [])
            return self.send_json(200, {"items": items})
        if path == "/fake/requests":
            with self.state.lock:
                if method == "DELETE":
                    self.state.requests.clear()
                    return self.send_json(200, {"requests": []})
                prefix = self.query.get("pathPrefix", "")
                log = [dict(e) for e in self.state.requests if e["path"].startswith(prefix)]
            return self.send_json(200, {"requests": log})
        if path == "/fake/failures":
            with self.state.lock:
                if method == "DELETE":
                    self.state.failures.clear()
                else:
                    self.state.failures.append(Failure(request))
            return self.send_json(200, {"pending": len(self.state.failures)})
        if (method, path) == ("POST", "/fake/token"):
            tokens = request.get("tokens") or [request.get("token")]
            with self.state.lock:
                self.state.tokens = set(filter(None, tokens))
            return self.send_json(200, {"tokens": len(self.state.tokens)})
        if (method, path) == ("GET", "/fake/watches"):
            with store.condition:
                return self.send_json(200, {"open": len(store.watches)})
        if method == "POST" and path in ("/fake/watches/gone", "/fake/watches/drop", "/fake/watches/bookmark"):
            flag = {"gone": "gone", "drop": "dropped", "bookmark": "bookmark_now"}[path.rsplit("/", 1)[1]]
            with store.condition:
                for watch in store.watches:
                    setattr(watch, flag, True)
                count = len(store.watches)
                store.condition.notify_all()
            return self.send_json(200, {"watches": count})
        if (method, path) == ("POST", "/fake/compact"):
            with store.condition:
                store.compacted = store.resource_version
            return self.send_json(200, {"compacted": store.compacted})
        if (method, path) == ("POST", "/fake/settings"):
            if "bookmarkIntervalSeconds" in request:
                self.state.bookmark_interval = float(request["bookmarkIntervalSeconds"])
            return self.send_json(200, {"bookmarkIntervalSeconds": self.state.bookmark_interval})
        if (method, path) == ("POST", "/fake/down"):
            self.state.down = True
            self.send_json(200, {"down": True})
            self.close_connection = True
            seconds = request.get("seconds")
            threading.Thread(target=self.server.controller.down, args=(seconds,), daemon=True).start()
            return
        if (method, path) == ("POST", "/fake/reset"):
            store.reset()
            with self.state.lock:
                self.state.requests.clear()
                self.state.failures.clear()
            return self.send_json(200, {"reset": True})
        raise ApiError(404, "NotFound", f"no control endpoint {method} {path}")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, state, context, controller):
        self.state, self.context, self.controller = state, context, controller
        super().__init__(address, Handler)

    def get_request(self):
        # The TLS handshake runs in the connection's own thread (Handler.setup), not in the accept loop.
        sock, address = self.socket.accept()
        # Headers and body go out as separate writes; without this, Nagle and delayed ACKs add 40 ms each.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if not isinstance(error, (ssl.SSLError, OSError)):
            sys.stderr.write(f"fake-apiserver: {client_address}: {error!r}\n")


class Controller:
    """Owns the listening server so it can go down and come back on the same port with the same state."""

    def __init__(self, state, context, port):
        self.state, self.context, self.port = state, context, port
        self.lock = threading.Lock()
        self.server = None

    def up(self):
        with self.lock:
            if self.server is not None:
                return
            self.server = Server(("127.0.0.1", self.port), self.state, self.context, self)
            self.port = self.server.server_address[1]
            self.state.down = False
            threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def down(self, seconds=None):
        self.state.down = True
        with self.lock:
            server, self.server = self.server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            store = self.state.store
            with store.condition:
                for watch in store.watches:
                    watch.dropped = True
                store.condition.notify_all()
            with self.state.lock:
                connections = list(self.state.connections)
            for connection in connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        if seconds is not None:
            time.sleep(float(seconds))
            self.up()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--client-ca", help="also accept client certificates signed by this CA")
    parser.add_argument("--token", action="append", default=[], help="an accepted bearer token (repeatable)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--bookmark-interval", type=float, default=60.0)
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.load_verify_locations(args.client_ca)
        context.verify_mode = ssl.CERT_OPTIONAL

    # A parent may start us with these blocked (Foundation's Process does); the control signals need them.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2})
    state = FakeState(args.token, args.bookmark_interval)
    controller = Controller(state, context, args.port)
    controller.up()
    signal.signal(signal.SIGUSR1, lambda *_: threading.Thread(target=controller.down, daemon=True).start())
    signal.signal(signal.SIGUSR2, lambda *_: threading.Thread(target=controller.up, daemon=True).start())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"PORT {controller.port}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
