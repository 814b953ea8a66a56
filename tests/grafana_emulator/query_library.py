"""The query library: Kubernetes-style /apis/queries.grafana.app/v1 (Grafana Enterprise and Cloud).

Served only when `Emulator.query_library` is on. Errors are Kubernetes Status bodies.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from . import kube
from .model import Org, User, clone, now

if TYPE_CHECKING:
    from .server import Emulator
    from .state import Grafana

QUERIES_GV = "queries.grafana.app/v1"
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def k8s_status(code: int, reason: str, message: str, name: str | None = None) -> dict[str, Any]:
    """A Kubernetes Status, the error body of every /apis endpoint."""
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
              "reason": reason, "code": code}
    if name is not None:
        status["details"] = {"name": name, "group": "queries.grafana.app", "kind": "queries"}
    return status


class QueryLibrary:
    """Saved queries of one Grafana, by org; resourceVersion is a global counter, as in Kubernetes."""

    def __init__(self, grafana: Grafana) -> None:
        self.grafana = grafana
        self.version = 0

    def _stamp(self, obj: dict[str, Any], org: Org, user: User, created: dict[str, Any] | None) -> dict[str, Any]:
        self.version += 1
        meta = dict(obj.get("metadata") or {})
        meta["namespace"] = kube.namespace_for(org.id, self.grafana.stack_id)
        meta["resourceVersion"] = str(self.version)
        meta["uid"] = (created or {}).get("metadata", {}).get("uid") or secrets.token_hex(16)
        meta["creationTimestamp"] = (created or {}).get("metadata", {}).get("creationTimestamp") or now()
        meta["generation"] = (created or {}).get("metadata", {}).get("generation", 0) + 1
        annotations = dict(meta.get("annotations") or {})
        annotations.setdefault("grafana.app/createdBy", (created or {}).get("metadata", {}).get(
            "annotations", {}).get("grafana.app/createdBy", f"user:{user.login}"))
        annotations["grafana.app/updatedBy"] = f"user:{user.login}"
        meta["annotations"] = annotations
        return {"apiVersion": QUERIES_GV, "kind": "Query", "metadata": meta,
                "spec": clone(obj.get("spec") or {})}

    def _invalid(self, obj: Any, name: str | None = None) -> tuple[int, Any] | None:
        if not isinstance(obj, dict) or obj.get("kind") not in (None, "Query") or not isinstance(obj.get("spec"), dict):
            return 400, k8s_status(400, "BadRequest", "the body must be a Query object with a spec")
        spec = obj["spec"]
        if not isinstance(spec.get("title"), str) or not spec["title"].strip():
            return 422, k8s_status(422, "Invalid", "Query.queries.grafana.app is invalid: spec.title: Required value",
                                   name)
        if not isinstance(spec.get("targets"), list) or not spec["targets"]:
            return 422, k8s_status(422, "Invalid",
                                   "Query.queries.grafana.app is invalid: spec.targets: Required value", name)
        return None

    def create(self, org: Org, user: User, obj: Any) -> tuple[int, Any]:
        invalid = self._invalid(obj)
        if invalid:
            return invalid
        name = (obj.get("metadata") or {}).get("name") or ""
        if not name and (obj.get("metadata") or {}).get("generateName"):
            name = obj["metadata"]["generateName"] + secrets.token_hex(3)
        if not _NAME.match(name):
            return 422, k8s_status(422, "Invalid", f"Query.queries.grafana.app \"{name}\" is invalid: metadata.name: "
                                   "Invalid value: a lowercase RFC 1123 subdomain must consist of lower case "
                                   "alphanumeric characters or '-'", name)
        if name in org.queries:
            return 409, k8s_status(409, "AlreadyExists", f"queries.queries.grafana.app \"{name}\" already exists", name)
        stored = self._stamp({**obj, "metadata": {**obj.get("metadata", {}), "name": name}}, org, user, None)
        org.queries[name] = stored
        return 201, clone(stored)

    def get(self, org: Org, name: str) -> tuple[int, Any]:
        if name not in org.queries:
            return 404, k8s_status(404, "NotFound", f"queries.queries.grafana.app \"{name}\" not found", name)
        return 200, clone(org.queries[name])

    def update(self, org: Org, user: User, name: str, obj: Any) -> tuple[int, Any]:
        if name not in org.queries:
            return 404, k8s_status(404, "NotFound", f"queries.queries.grafana.app \"{name}\" not found", name)
        invalid = self._invalid(obj, name)
        if invalid:
            return invalid
        sent = (obj.get("metadata") or {}).get("resourceVersion")
        current = org.queries[name]["metadata"]["resourceVersion"]
        if not sent:
            return 422, k8s_status(422, "Invalid", f"Query.queries.grafana.app \"{name}\" is invalid: "
                                   "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update",
                                   name)
        if sent != current:
            return 409, k8s_status(409, "Conflict", f"Operation cannot be fulfilled on queries.queries.grafana.app "
                                   f"\"{name}\": the object has been modified; please apply your changes to the "
                                   "latest version and try again", name)
        stored = self._stamp({**obj, "metadata": {**obj.get("metadata", {}), "name": name}}, org, user,
                             org.queries[name])
        org.queries[name] = stored
        return 200, clone(stored)

    def delete(self, org: Org, name: str) -> tuple[int, Any]:
        if name not in org.queries:
            return 404, k8s_status(404, "NotFound", f"queries.queries.grafana.app \"{name}\" not found", name)
        gone = org.queries.pop(name)
        return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                     "details": {"name": name, "group": "queries.grafana.app", "kind": "queries",
                                 "uid": gone["metadata"]["uid"]}}

    def list(self, org: Org, limit: int, token: str) -> tuple[int, Any]:
        names = sorted(org.queries)
        start = int(token) if token.isdigit() else 0
        chosen = names[start:start + limit] if limit > 0 else names[start:]
        more = limit > 0 and start + limit < len(names)
        return 200, {"apiVersion": QUERIES_GV, "kind": "QueryList",
                     "metadata": {"resourceVersion": str(self.version),
                                  **({"continue": str(start + limit)} if more else {})},
                     "items": [clone(org.queries[n]) for n in chosen]}


class QueryEndpoints:
    """The queries.grafana.app/v1 handlers of the request handler (server.py)."""

    app: Emulator

    def _namespace_org(self, user: User, org: Org, namespace: str) -> tuple[Org | None, Any]:
        """The namespace authorizer (kube.namespace_problem), with the stack namespace on Cloud."""
        problem = kube.namespace_problem(namespace, org.id, self.app.grafana.stack_id,
                                         ("queries.grafana.app", "queries"), "list")
        return (None, problem) if problem else (org, None)

    def h_queries_discovery(self, user, org, query, body):
        return 200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": QUERIES_GV, "resources": [
            {"name": "queries", "singularName": "query", "namespaced": True, "kind": "Query",
             "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}]}

    def h_list_queries(self, user, org, query, body, namespace):
        org, problem = self._namespace_org(user, org, namespace)
        if problem:
            return problem
        limit = int((query.get("limit") or ["0"])[0] or 0)
        return self.app.library.list(org, limit, (query.get("continue") or [""])[0])

    def h_create_query(self, user: User, org, query, body, namespace):
        org, problem = self._namespace_org(user, org, namespace)
        if problem:
            return problem
        if user.role == "Viewer":
            return 403, k8s_status(403, "Forbidden", "queries.queries.grafana.app is forbidden: requires queries:write")
        return self.app.library.create(org, user, body)

    def h_get_query(self, user, org, query, body, namespace, name):
        org, problem = self._namespace_org(user, org, namespace)
        return problem or self.app.library.get(org, name)

    def h_update_query(self, user, org, query, body, namespace, name):
        org, problem = self._namespace_org(user, org, namespace)
        return problem or self.app.library.update(org, user, name, body)

    def h_delete_query(self, user, org, query, body, namespace, name):
        org, problem = self._namespace_org(user, org, namespace)
        return problem or self.app.library.delete(org, name)
