"""What every Kubernetes-style /apis resource shares: Status bodies, namespaces, metadata stamping, lists.

Sources (grafana/grafana unless named; README.md's conformance table cites each rule):
- Status bodies: k8s.io/apimachinery `pkg/api/errors` (`NewNotFound`, `NewAlreadyExists`, `NewConflict`,
  `NewInvalid`, `NewBadRequest`, `NewForbidden`) and `endpoints/handlers/responsewriters` (`Forbidden`);
  errutil errors render through `Error.Status()` in `pkg/apimachinery/errutil/errors.go`.
- Annotation and label keys: `pkg/apimachinery/utils/meta.go`.
- Namespaces: authlib `ParseNamespace`, `OrgNamespaceFormatter`, `CloudNamespaceFormatter`, and the
  namespace authorizer `pkg/services/apiserver/auth/authorizer/namespace.go`.
- Stamping: `pkg/storage/unified/apistore/prepare.go` (`prepareObjectForStorage`, `prepareObjectForUpdate`).
- Lists and history: `pkg/storage/unified/apistore/util.go` (`toListRequest`).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from .model import K8sMeta, User, clone

Answer = tuple[int, Any]
GR = tuple[str, str]  # (group, resource)

CREATED_BY = "grafana.app/createdBy"
UPDATED_BY = "grafana.app/updatedBy"
UPDATED_TIMESTAMP = "grafana.app/updatedTimestamp"
FOLDER = "grafana.app/folder"
MESSAGE = "grafana.app/message"
GRANT_PERMISSIONS = "grafana.app/grant-permissions"  # never stored (prepareObjectForStorage)
GET_HISTORY = "grafana.app/get-history"  # LabelKeyGetHistory
INTERNAL_ID = "grafana.app/deprecatedInternalID"  # LabelKeyDeprecatedInternalID
SERVER_KEYS = (CREATED_BY, UPDATED_BY, UPDATED_TIMESTAMP, FOLDER, MESSAGE, GRANT_PERMISSIONS)
OPTIMISTIC_LOCK = "the object has been modified; please apply your changes to the latest version and try again"
NOT_SERVED = "the server could not find the requested resource"
VERBS = {("GET", False): "list", ("GET", True): "get", ("POST", False): "create", ("PUT", True): "update",
         ("DELETE", True): "delete"}


# --- Status bodies -------------------------------------------------------------------------------

def status(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": message}
    if reason:
        body["reason"] = reason
    if details:
        body["details"] = details
    body["code"] = code
    return body


def qualified(gr: GR) -> str:
    return f"{gr[1]}.{gr[0]}"


def _details(gr: GR, name: str) -> dict[str, Any]:
    return {**({"name": name} if name else {}), "group": gr[0], "kind": gr[1]}


def not_found(gr: GR, name: str) -> Answer:
    return 404, status(404, "NotFound", f'{qualified(gr)} "{name}" not found', _details(gr, name))


def already_exists(gr: GR, name: str) -> Answer:
    return 409, status(409, "AlreadyExists", f'{qualified(gr)} "{name}" already exists', _details(gr, name))


def conflict(gr: GR, name: str, why: str = OPTIMISTIC_LOCK) -> Answer:
    return 409, status(409, "Conflict", f'Operation cannot be fulfilled on {qualified(gr)} "{name}": {why}',
                       _details(gr, name))


def bad_request(message: str) -> Answer:
    return 400, status(400, "BadRequest", message)


def invalid(group: str, kind: str, name: str, field: str, cause: str, detail: str) -> Answer:
    details = {"name": name, "group": group, "kind": kind,
               "causes": [{"reason": cause, "message": detail, "field": field}]}
    return 422, status(422, "Invalid", f'{kind}.{group} "{name}" is invalid: {field}: {detail}', details)


def forbidden(gr: GR, name: str, verb: str, namespace: str, reason: str = "") -> Answer:
    """responsewriters.Forbidden: Grafana's apiserver user has an empty name in the messages it shows."""
    head = f'{qualified(gr)} "{name}" is forbidden' if name else f"{qualified(gr)} is forbidden"
    tail = f'User "" cannot {verb} resource "{gr[1]}" in API group "{gr[0]}" in the namespace "{namespace}"'
    return 403, status(403, "Forbidden", f"{head}: {tail}" + (f": {reason}" if reason else ""), _details(gr, name))


def internal(message: str) -> Answer:
    """A plain Go error: ErrorToAPIStatus answers 500 with no reason (StatusReasonUnknown)."""
    return 500, status(500, "", message)


def errutil_status(code: int, reason: str, message: str, message_id: str) -> Answer:
    """An errutil.Error rendered by the apiserver: its public message, the messageId in details.uid."""
    return code, status(code, reason, message, {"uid": message_id})


def deleted(gr: GR, name: str, uid: str) -> Answer:
    """registry.Store.finalizeDelete without ReturnDeletedObject: a Success Status."""
    return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                 "details": {**_details(gr, name), "uid": uid}}


# --- namespaces ----------------------------------------------------------------------------------

def namespace_for(org_id: int, stack_id: int | None) -> str:
    """OrgNamespaceFormatter on-prem, CloudNamespaceFormatter with a stack id (request.GetNamespaceMapper)."""
    if stack_id:
        return f"stacks-{stack_id}"
    return "default" if org_id == 1 else f"org-{org_id}"


def parse_namespace(namespace: str) -> tuple[int, int | None] | str:
    """(org id, stack id), or ParseNamespace's error text."""
    if namespace == "default":
        return 1, None
    if match := re.fullmatch(r"org-(\d+)", namespace):
        org_id = int(match.group(1))
        return (org_id, None) if org_id > 1 else ("use default rather than org-1" if org_id == 1 else "invalid org id")
    if match := re.fullmatch(r"stacks?-(\d+)", namespace):  # "stack-" is the deprecated spelling
        return (1, int(match.group(1))) if int(match.group(1)) > 0 else "invalid stack id"
    if namespace.startswith(("org-", "stack-", "stacks-")):
        return "invalid org id" if namespace.startswith("org-") else "invalid stack id"
    return f"namespace didn't parse to a legal value: raw={namespace}"


def namespace_problem(namespace: str, org_id: int, stack_id: int | None, gr: GR, verb: str,
                      name: str = "") -> Answer | None:
    """The namespace authorizer: the namespace must be the caller's org's (and stack's)."""
    parsed = parse_namespace(namespace)
    if isinstance(parsed, str):
        return internal(parsed)  # the authorizer denies with an error: the apiserver answers 500
    if parsed[0] != org_id:
        return forbidden(gr, name, verb, namespace, "invalid org")
    if namespace.replace("stack-", "stacks-", 1) != namespace_for(org_id, stack_id):
        return forbidden(gr, name, verb, namespace, "invalid namespace")
    return None


# --- metadata ------------------------------------------------------------------------------------

def identity(user: User) -> str:
    """The `<type>:<uid>` of createdBy/updatedBy; the emulator's users have no uid, so the login stands in."""
    return f"{'service-account' if user.service_account else 'user'}:{user.login}"


def rfc3339(stamp: str) -> str:
    """model.now()'s microsecond stamp as the seconds-precision RFC 3339 Kubernetes uses."""
    return stamp[:19] + "Z"


def stamp(meta: K8sMeta, who: str, created: bool, changed: bool, generation: int, spec: dict[str, Any],
          folder: str, message: str, updated: str, rv: int, extra: dict[str, str] | None = None) -> None:
    """One write's metadata. `extra` is the client's annotations (an /apis write replaces them); None keeps
    the stored ones (a legacy /api write). createdBy is kept; updatedBy/updatedTimestamp change only when
    the spec or the folder changed, as does the generation (prepareObjectForUpdate)."""
    previous = meta.annotations
    kept = {k: v for k, v in (previous if extra is None else extra).items() if k not in SERVER_KEYS}
    if created:
        kept[CREATED_BY] = who
    else:
        if previous.get(CREATED_BY):
            kept[CREATED_BY] = previous[CREATED_BY]
        if changed:
            kept[UPDATED_BY], kept[UPDATED_TIMESTAMP] = who, rfc3339(updated)
        else:
            kept.update({k: previous[k] for k in (UPDATED_BY, UPDATED_TIMESTAMP) if k in previous})
    if folder:
        kept[FOLDER] = folder
    if message:
        kept[MESSAGE] = message
    meta.annotations, meta.resource_version = kept, rv
    if created or changed:
        meta.history.insert(0, {"rv": rv, "generation": generation, "annotations": dict(kept),
                                "spec": clone(spec)})


def client_annotations(metadata: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (metadata.get("annotations") or {}).items()}


# --- lists ---------------------------------------------------------------------------------------

_REQUIREMENT = re.compile(r"^\s*(!)?\s*([A-Za-z0-9._/-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9._-]*)"
                          r"|\s+(in|notin)\s*\(([^)]*)\))?\s*$")


def parse_selector(text: str) -> list[tuple[str, str, list[str]]]:
    """A label (or field) selector: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    requirements = []
    for part in (p for p in parts if p.strip()):
        match = _REQUIREMENT.match(part)
        if not match or (match.group(1) and (match.group(3) or match.group(5))):
            raise ValueError(f"unable to parse requirement: {part.strip()!r}")
        bang, key, op, value, set_op, values = match.groups()
        if bang:
            requirements.append((key, "!", []))
        elif op:
            requirements.append((key, "!=" if op == "!=" else "=", [value]))
        elif set_op:
            requirements.append((key, set_op, [v.strip() for v in values.split(",") if v.strip()]))
        else:
            requirements.append((key, "exists", []))
    return requirements


def selector_matches(requirements: list[tuple[str, str, list[str]]], values: dict[str, str]) -> bool:
    tests = {"exists": lambda k, v: k in values, "!": lambda k, v: k not in values,
             "=": lambda k, v: values.get(k) == v[0], "!=": lambda k, v: values.get(k) != v[0],
             "in": lambda k, v: values.get(k) in v, "notin": lambda k, v: values.get(k) not in v}
    return all(tests[op](key, vals) for key, op, vals in requirements)


def page(items: list[Any], limit: int, token: str, rv: int) -> tuple[list[Any], str] | None:
    """limit/continue paging; the token is opaque (unified storage's is base64 JSON). None: a bad token."""
    start = 0
    if token:
        try:
            start = int(json.loads(base64.b64decode(token))["o"])
        except (ValueError, KeyError, TypeError):
            return None
    chosen = items[start:start + limit] if limit > 0 else items[start:]
    more = limit > 0 and start + limit < len(items)
    following = base64.b64encode(json.dumps({"o": start + limit, "v": rv, "s": False}).encode()).decode()
    return chosen, following if more else ""


def list_body(kind: str, api_version: str, rv: int, items: list[Any], token: str) -> dict[str, Any]:
    return {"kind": f"{kind}List", "apiVersion": api_version,
            "metadata": {"resourceVersion": str(rv), **({"continue": token} if token else {})}, "items": items}


def resource_list(group_version: str, resources: list[tuple[str, str, str]]) -> dict[str, Any]:
    """GET /apis/{group}/{version}: the APIResourceList (name, singular name, kind)."""
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": [
        {"name": name, "singularName": singular, "namespaced": True, "kind": kind,
         "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]}
        for name, singular, kind in resources]}
