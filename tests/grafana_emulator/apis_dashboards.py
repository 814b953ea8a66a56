"""dashboard.grafana.app (Grafana 12: v1beta1; 13: v1 and v1beta1): /apis/dashboard.grafana.app/{version}/
namespaces/{namespace}/dashboards[/{name}], over the same store as /api/dashboards (unified storage).

Sources (grafana/grafana; README.md's conformance table has one row per rule):
- `pkg/registry/apis/dashboard/mutate.go` (`Mutate`: spec.id, spec.uid and spec.version are dropped);
- `pkg/registry/apis/dashboard/register.go` (`validateCreate`, `validateUpdate`, `validateDelete`,
  `validateFolderExists`) with `ValidateBasicDashboardProperties` in
  `pkg/services/dashboards/service/dashboard_service.go` and the reasons of `pkg/services/dashboards/errors.go`;
- `pkg/storage/unified/apistore/prepare.go` and `managed.go` (metadata, manager annotations);
- `apps/dashboard/pkg/migration/conversion` (a v2-stored dashboard read at v1: `status.conversion`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import apis_common, kube, managed
from .model import UID_CHARS, Org, StoredDashboard, User, clone, now

if TYPE_CHECKING:
    pass

GROUP = "dashboard.grafana.app"
GR = (GROUP, "dashboards")
FOLDERS = ("folder.grafana.app", "folders")
KIND = "Dashboard"
RENDERED = ("v0alpha1", "v1beta1", "v1")  # the v2 family has another spec: not emulated (README)
DROPPED = ("id", "uid", "version")


def _spec(data: dict[str, Any]) -> dict[str, Any]:
    return {k: clone(v) for k, v in data.items() if k not in DROPPED}


def _basic_problem(title: str, name: str, message: str) -> kube.Answer | None:
    """ValidateBasicDashboardProperties, answered as BadRequest with the DashboardErr reason."""
    if title == "":
        return kube.bad_request("Dashboard title cannot be empty")
    if len(title.encode()) > 5000:
        return kube.bad_request("Dashboard title cannot contain more than 5 000 characters")
    if len(message) > 500:
        return kube.bad_request("message too long, max 500 characters")
    if not UID_CHARS.match(name):
        return kube.bad_request("uid contains illegal characters")
    if len(name) > 40:
        return kube.bad_request("uid too long, max 40 characters")
    return None


class DashboardApiRules:
    """The /apis dashboard rules of `Grafana` (state.py), over its dashboards and their versions."""

    def dashboard_object(self, org: Org, d: StoredDashboard, version: str,
                         at: dict[str, Any] | None = None) -> dict[str, Any]:
        """The Kubernetes object: metadata.name is the uid, generation the legacy version, the spec the
        dashboard JSON without id/uid/version; a v2-stored dashboard comes down-converted, saying so."""
        snap = at or self._current(d)
        meta: dict[str, Any] = {
            "name": d.uid, "namespace": kube.namespace_for(org.id, self.stack_id), "uid": d.k8s.uid,
            "resourceVersion": str(snap["rv"]), "generation": snap["generation"],
            "creationTimestamp": kube.rfc3339(d.created), "labels": {**d.k8s.labels, kube.INTERNAL_ID: str(d.id)}}
        if snap["annotations"]:
            meta["annotations"] = dict(snap["annotations"])
        status = {"conversion": {"failed": False, "storedVersion": d.api_version}} \
            if d.api_version.startswith("v2") else {}
        return {"kind": KIND, "apiVersion": f"{GROUP}/{version}", "metadata": meta, "spec": _spec(snap["spec"]),
                "status": status}

    def _current(self, d: StoredDashboard) -> dict[str, Any]:
        return {"rv": d.k8s.resource_version, "generation": d.version, "annotations": d.k8s.annotations,
                "spec": d.json}

    def _dashboard_input(self, org: Org, body: dict[str, Any], name: str,
                         old: StoredDashboard | None) -> tuple[kube.Answer | None, dict[str, Any], dict[str, str], str]:
        """Admission: the basic properties, then the folder (404 when missing, only when it changes)."""
        spec = body.get("spec")
        annotations = kube.client_annotations(body.get("metadata") or {})
        folder = annotations.get(kube.FOLDER, "")
        if not isinstance(spec, dict):
            return kube.bad_request("the body of the request was in an unknown format"), {}, annotations, folder
        title = spec.get("title") if isinstance(spec.get("title"), str) else ""
        problem = _basic_problem(title, name, annotations.get(kube.MESSAGE, ""))
        if problem is None and folder and (old is None or folder != old.folder_uid):
            problem = kube.not_found(FOLDERS, folder) if folder not in org.folders else \
                self._folder_manager_problem(org, folder, annotations, old is None)
        return problem, spec, annotations, folder

    def _folder_manager_problem(self, org: Org, folder: str, annotations: dict[str, str],
                                creating: bool) -> kube.Answer | None:
        """validateFolderManagedBySameManager: a repo-managed folder takes only its own repo's dashboards."""
        folder_manager = managed.manager(org.folders[folder].k8s.annotations)
        if folder_manager is None or folder_manager[0] != "repo":
            return None
        mine = managed.manager(annotations)
        if mine is None:
            why = "folder is managed by a repository, but the dashboard is not managed"
        elif mine[0] != "repo" or mine[1] != folder_manager[1]:
            why = "folder is managed by a repository, but the dashboard is not managed by the same manager"
        else:
            return None
        return kube.bad_request(why) if creating else kube.internal(why)

    def k8s_create_dashboard(self, org: Org, user: User, version: str, body: Any) -> kube.Answer:
        metadata = body.get("metadata") or {}
        name = apis_common.create_name(metadata)
        if not name:
            return apis_common.name_required(GROUP, KIND)
        problem, spec, annotations, folder = self._dashboard_input(org, body, name, None)
        if problem is None and metadata.get("resourceVersion"):
            problem = kube.internal("resourceVersion should not be set on objects to be created")
        problem = problem or managed.on_create(annotations)
        if problem:
            return problem
        if name in org.dashboards:
            return kube.already_exists(GR, name)
        return 201, self._write(org, user, None, version, name, spec, folder, annotations, metadata)

    def _write(self, org: Org, user: User, existing: StoredDashboard | None, version: str, name: str,
               spec: dict[str, Any], folder: str, annotations: dict[str, str],
               metadata: dict[str, Any]) -> dict[str, Any]:
        """Store through the legacy rules (a new version when the spec or the folder changed)."""
        message = annotations.get(kube.MESSAGE, "")
        dash = {**_spec(spec), "uid": name}
        changed = existing is None or _spec(existing.json) != _spec(dash) or existing.folder_uid != folder
        if changed:
            stored = self._store_dashboard(org, user, existing, dash, folder, dash.get("title", ""), message,
                                           annotations)
        else:
            stored = existing
            kube.stamp(stored.k8s, kube.identity(user), False, False, stored.version, stored.json, folder, message,
                       now(), self.next_rv(), annotations)
        stored.k8s.labels = {str(k): str(v) for k, v in (metadata.get("labels") or {}).items()
                             if k != kube.INTERNAL_ID}
        stored.api_version = version
        return self.dashboard_object(org, stored, version)

    def k8s_update_dashboard(self, org: Org, user: User, version: str, name: str, body: Any) -> kube.Answer:
        existing = org.dashboards.get(name)
        if existing is None:  # AllowCreateOnUpdate: a PUT to a missing name creates it
            body = {**body, "metadata": {k: v for k, v in (body.get("metadata") or {}).items()
                                         if k != "resourceVersion"}}
            return self.k8s_create_dashboard(org, user, version, body)
        metadata = body.get("metadata") or {}
        sent = str(metadata.get("resourceVersion") or "")
        if sent and sent != str(existing.k8s.resource_version):  # no resourceVersion: an unconditional update
            return kube.conflict(GR, name)
        problem, spec, annotations, folder = self._dashboard_input(org, body, name, existing)
        problem = problem or managed.on_update(annotations, existing.k8s.annotations)
        if problem:
            return problem
        return 200, self._write(org, user, existing, version, name, spec, folder, annotations, metadata)

    def k8s_delete_dashboard(self, org: Org, name: str) -> kube.Answer:
        d = org.dashboards.get(name)
        if d is None:
            return kube.not_found(GR, name)
        if d.provisioned:  # validateDelete: classic file provisioning
            return kube.bad_request("provisioned dashboard cannot be deleted")
        problem = managed.on_delete(d.k8s.annotations)
        if problem:
            return problem
        del org.dashboards[name]
        return kube.deleted(GR, name, d.k8s.uid)

    def k8s_get_dashboard(self, org: Org, version: str, name: str, rv: str) -> kube.Answer:
        d = org.dashboards.get(name)
        if d is None:
            return kube.not_found(GR, name)
        snap = apis_common.snapshot_at(d.k8s.history, self._current(d), rv)
        return (200, self.dashboard_object(org, d, version, snap)) if snap else kube.not_found(GR, name)

    def k8s_list_dashboards(self, org: Org, version: str, query: dict[str, list[str]]) -> kube.Answer:
        items = [(d.uid, {**d.k8s.labels, kube.INTERNAL_ID: str(d.id)},
                  lambda d=d: self.dashboard_object(org, d, version)) for d in org.dashboards.values()]

        def history(name: str) -> list[dict[str, Any]]:
            d = org.dashboards.get(name)
            return [self.dashboard_object(org, d, version, snap) for snap in d.k8s.history] if d else []

        return apis_common.list_answer(query, KIND, f"{GROUP}/{version}", self._rv, items, history)


DashboardApiEndpoints = apis_common.resource_endpoints(GROUP, "dashboards", "dashboard", KIND, RENDERED)
