"""One Kubernetes-style resource of Grafana's /apis (dashboards, folders, saved queries): one method per verb.

Paths are `/apis/<group>/<version>/namespaces/<namespace>/<resource>[/<name>]`
(pkg/apiserver in grafana/grafana). LIST pages with `limit` and the opaque
`continue` token of the list's metadata; updates carry `metadata.resourceVersion`
and a stale one is 409 Conflict; errors are a `Status` object whose `message`
the transport reports (errors.py).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from .errors import GrafanaError
from .transport import APIS, Transport

LIST_PAGE = 500  # items per page of a LIST


def absent_on_404(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except GrafanaError as exc:
        if exc.status == 404:
            return None
        raise


class ResourceAPI:
    """get, list, create, update, delete of one resource in one namespace."""

    def __init__(self, http: Transport, group_version: str, resource: str, namespace: str, noun: str) -> None:
        self.http = http
        self.group_version = group_version
        self.resource = resource
        self.namespace = namespace
        self.noun = noun  # how errors name one object: "dashboard", "saved query"

    def path(self, name: str = "") -> str:
        suffix = f"/{name}" if name else ""
        return f"{APIS}{self.group_version}/namespaces/{self.namespace}/{self.resource}{suffix}"

    def get(self, name: str) -> dict[str, Any] | None:
        return absent_on_404(lambda: self.http.call(f"{self.noun} {name!r}",
                                                    lambda api: api.client.GET(self.path(name))))

    def pages(self, **params: Any) -> Iterator[list[dict[str, Any]]]:
        """LIST, page after page (`limit`, then the `continue` token each page gives)."""
        token = ""
        while True:
            query = {"limit": LIST_PAGE, **params, **({"continue": token} if token else {})}
            page = self.http.call(f"list {self.resource}",
                                  lambda api: api.client.GET(self.path(), params=query)) or {}
            yield list(page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue") or ""
            if not token:
                return

    def list(self, **params: Any) -> list[dict[str, Any]]:
        return [item for page in self.pages(**params) for item in page]

    def create(self, obj: dict[str, Any], reconcile: Callable[[Any], Any] | None = None) -> dict[str, Any]:
        name = obj["metadata"]["name"]
        return self.http.call(f"create {self.noun} {name!r}", lambda api: api.client.POST(self.path(), json=obj),
                              write=True, reconcile=reconcile)

    def update(self, obj: dict[str, Any], reconcile: Callable[[Any], Any] | None = None) -> dict[str, Any]:
        name = obj["metadata"]["name"]
        return self.http.call(f"update {self.noun} {name!r}",
                              lambda api: api.client.PUT(self.path(name), json=obj), write=True, reconcile=reconcile)

    def delete(self, name: str) -> None:
        absent_on_404(lambda: self.http.call(f"delete {self.noun} {name!r}",
                                             lambda api: api.client.DELETE(self.path(name)), write=True))
