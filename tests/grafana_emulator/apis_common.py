"""The request side every /apis resource shares: which versions are served, the namespace and role checks,
the body checks of Kubernetes' create and update handlers, and LIST (selectors, paging, history).

Sources: k8s.io/apiserver `endpoints/handlers` (create.go, update.go: the namespace and name checks,
`the API version in the data ...`), `registry/rest` (`BeforeCreate`: generateName, "name or generateName is
required"), Grafana's `pkg/storage/unified/apistore/util.go` (`toListRequest`: the history selector) and
docs `developer-resources/api-reference/http-api/resource-history.md`.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Callable

from . import kube
from .model import Org, User

if TYPE_CHECKING:
    from .state import Grafana

_GENERATED = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apiserver storage/names SimpleNameGenerator
HISTORY_NEEDS_NAME = "metadata.name field selector required for history requests"


def first(query: dict[str, list[str]], key: str) -> str:
    return (query.get(key) or [""])[0]


def scope_problem(grafana: Grafana, user: User, org: Org, gr: kube.GR, rendered: tuple[str, ...], version: str,
                  namespace: str, method: str, name: str = "") -> kube.Answer | None:
    """Served group version (else the apiserver's 404), the namespace authorizer, and no writes by a Viewer."""
    served = dict(grafana.mode.groups).get(gr[0], ())
    if version not in served or version not in rendered:
        return 404, kube.status(404, "NotFound", kube.NOT_SERVED)
    verb = kube.VERBS[(method, bool(name))]
    problem = kube.namespace_problem(namespace, org.id, grafana.stack_id, gr, verb, name)
    if problem is not None:
        return problem
    if method != "GET" and user.role == "Viewer":
        return kube.forbidden(gr, name, verb, namespace)
    return None


def body_problem(body: Any, group_version: str, namespace: str, url_name: str | None = None) -> kube.Answer | None:
    """The handlers' checks before any storage: an object, its apiVersion, namespace and (on PUT) name."""
    if not isinstance(body, dict) or not isinstance(body.get("metadata") or {}, dict):
        return kube.bad_request("the body of the request was in an unknown format")
    if body.get("apiVersion") and body["apiVersion"] != group_version:
        return kube.bad_request(f"the API version in the data ({body['apiVersion']}) does not match the expected "
                                f"API version ({group_version})")
    metadata = body.get("metadata") or {}
    if metadata.get("namespace") and metadata["namespace"] != namespace:
        return kube.bad_request("the namespace of the provided object does not match the namespace sent on the request")
    if url_name is not None and (metadata.get("name") or "") != url_name:
        return kube.bad_request(f"the name of the object ({metadata.get('name') or ''}) does not match the name on "
                                f"the URL ({url_name})")
    return None


def create_name(metadata: dict[str, Any]) -> str:
    """BeforeCreate: metadata.name, else generateName plus five random characters."""
    name = metadata.get("name") or ""
    if not name and metadata.get("generateName"):
        name = str(metadata["generateName"]) + "".join(secrets.choice(_GENERATED) for _ in range(5))
    return name


def name_required(group: str, kind: str) -> kube.Answer:
    return kube.invalid(group, kind, "", "metadata.name", "FieldValueRequired",
                        "Required value: name or generateName is required")


Requirements = list[tuple[str, str, list[str]]]


def _history_name(labels: Requirements, fields: Requirements) -> str | kube.Answer:
    """toListRequest: grafana.app/get-history alone, with `=`, and one metadata.name field selector."""
    if len(labels) != 1:
        return kube.bad_request("single label supported with: " + kube.GET_HISTORY)
    if labels[0][1] != "=":
        return kube.bad_request("only = operator supported with: " + kube.GET_HISTORY)
    if not fields:
        return kube.bad_request(HISTORY_NEEDS_NAME)
    if len(fields) != 1:
        return kube.bad_request("only one field selector supported for history requests")
    if fields[0][0] != "metadata.name":
        return kube.bad_request(HISTORY_NEEDS_NAME)
    return fields[0][2][0] if fields[0][2] else ""


Listed = tuple[str, dict[str, str], Callable[[], dict[str, Any]]]  # name, labels, the object


def list_answer(query: dict[str, list[str]], kind: str, api_version: str, rv: int, items: list[Listed],
                history: Callable[[str], list[dict[str, Any]]]) -> kube.Answer:
    """LIST: labelSelector, fieldSelector (metadata.name), limit/continue; or a history LIST (newest first)."""
    try:
        labels = kube.parse_selector(first(query, "labelSelector"))
        fields = kube.parse_selector(first(query, "fieldSelector"))
        limit = int(first(query, "limit") or 0)
    except ValueError as problem:
        return kube.bad_request(str(problem))
    if any(key == kube.GET_HISTORY for key, _, _ in labels):
        name = _history_name(labels, fields)
        if not isinstance(name, str):
            return name
        objects = history(name)
    else:
        objects = [render() for name, item_labels, render in sorted(items, key=lambda item: item[0])
                   if kube.selector_matches(labels, item_labels)
                   and kube.selector_matches(fields, {"metadata.name": name})]
    paged = kube.page(objects, limit, first(query, "continue"), rv)
    if paged is None:
        return kube.bad_request("invalid continue token")
    return 200, kube.list_body(kind, api_version, rv, *paged)


def snapshot_at(history: list[dict[str, Any]], current: dict[str, Any], rv: str) -> dict[str, Any] | None:
    """GET ?resourceVersion=N: the object as written at N (resource-history.md), the current one without N."""
    if not rv or rv == str(current["rv"]):
        return current
    return next((h for h in history if str(h["rv"]) == rv), None)


def resource_endpoints(group: str, plural: str, singular: str, kind: str, rendered: tuple[str, ...]) -> type:
    """The request handler's methods for one resource of /apis (server.py dispatches by name): the group's
    resource list, then LIST, POST, GET, PUT and DELETE, each checked for scope (and body) first and handed to
    the Grafana model's `k8s_<verb>_<resource>`. One class per resource kind, the same rules for each."""
    resource = (group, plural)

    def scope(self: Any, user: User, org: Org, version: str, namespace: str, method: str, name: str = "") -> Any:
        return scope_problem(self.app.grafana, user, org, resource, rendered, version, namespace, method, name)

    def resources(self: Any, user: User, org: Org, query: Any, body: Any, version: str) -> kube.Answer:
        if version not in dict(self.app.grafana.mode.groups).get(group, ()) or version not in rendered:
            return 404, kube.status(404, "NotFound", kube.NOT_SERVED)
        return 200, kube.resource_list(f"{group}/{version}", [(plural, singular, kind)])

    def list_(self: Any, user: User, org: Org, query: Any, body: Any, version: str, namespace: str) -> kube.Answer:
        problem = scope(self, user, org, version, namespace, "GET")
        return problem or getattr(self.app.grafana, f"k8s_list_{plural}")(org, version, query)

    def create(self: Any, user: User, org: Org, query: Any, body: Any, version: str, namespace: str) -> kube.Answer:
        problem = scope(self, user, org, version, namespace, "POST") or \
            body_problem(body, f"{group}/{version}", namespace)
        return problem or getattr(self.app.grafana, f"k8s_create_{singular}")(org, user, version, body)

    def get(self: Any, user: User, org: Org, query: Any, body: Any, version: str, namespace: str,
            name: str) -> kube.Answer:
        problem = scope(self, user, org, version, namespace, "GET", name)
        return problem or getattr(self.app.grafana, f"k8s_get_{singular}")(org, version, name,
                                                                           first(query, "resourceVersion"))

    def update(self: Any, user: User, org: Org, query: Any, body: Any, version: str, namespace: str,
               name: str) -> kube.Answer:
        problem = scope(self, user, org, version, namespace, "PUT", name) or \
            body_problem(body, f"{group}/{version}", namespace, name)
        return problem or getattr(self.app.grafana, f"k8s_update_{singular}")(org, user, version, name, body)

    def delete(self: Any, user: User, org: Org, query: Any, body: Any, version: str, namespace: str,
               name: str) -> kube.Answer:
        problem = scope(self, user, org, version, namespace, "DELETE", name)
        return problem or getattr(self.app.grafana, f"k8s_delete_{singular}")(org, name)

    methods = {f"h_{singular}_resources": resources, f"h_list_k8s_{plural}": list_,
               f"h_create_k8s_{singular}": create, f"h_get_k8s_{singular}": get,
               f"h_update_k8s_{singular}": update, f"h_delete_k8s_{singular}": delete}
    return type(f"{kind}ApiEndpoints", (), {"__doc__": f"The {group} handlers of the request handler.", **methods})


def resource_routes(route: Callable[..., Any], group: str, plural: str, singular: str) -> list[Any]:
    """The routes of `resource_endpoints`' methods, under /apis."""
    base = f"/{group}/{{version}}/namespaces/{{namespace}}/{plural}"
    return [route("GET", f"/{group}/{{version}}", f"{singular}_resources", "/apis"),
            route("GET", base, f"list_k8s_{plural}", "/apis"),
            route("POST", base, f"create_k8s_{singular}", "/apis"),
            route("GET", base + "/{name}", f"get_k8s_{singular}", "/apis"),
            route("PUT", base + "/{name}", f"update_k8s_{singular}", "/apis"),
            route("DELETE", base + "/{name}", f"delete_k8s_{singular}", "/apis")]
