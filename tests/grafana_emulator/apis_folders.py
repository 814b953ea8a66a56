"""folder.grafana.app (Grafana 12: v1beta1; 13: v1 and v1beta1): /apis/folder.grafana.app/{version}/
namespaces/{namespace}/folders[/{name}], over the same folders as /api/folders.

Sources (grafana/grafana; README.md's conformance table has one row per rule):
- `pkg/registry/apis/folders/register.go` (`Mutate`: the title is trimmed; `Validate`);
- `pkg/registry/apis/folders/validate.go` (`validateOnCreate`, `validateOnUpdate`, `validateOnDelete`: a folder
  with dashboards, folders, alert rules or library elements in it is not deleted);
- `pkg/registry/apis/folders/conversions.go` (spec {title, description}, the parent in grafana.app/folder,
  generation = the legacy version);
- the errutil bases of `pkg/services/folder/model.go` (`ErrMaximumDepthReached`, `ErrCircularReference`,
  `ErrFolderNotEmpty`), rendered by `Error.Status()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import apis_common, kube, managed
from .folders import ROOT_FOLDER_NAME, folder_spec
from .model import MAX_FOLDER_DEPTH, UID_CHARS, Org, StoredFolder, User, clone, now

if TYPE_CHECKING:
    pass

GROUP = "folder.grafana.app"
GR = (GROUP, "folders")
KIND = "Folder"
RENDERED = ("v1beta1", "v1")
DEPTH = (400, "BadRequest", "Maximum nested folder depth reached", "folder.maximum-depth-reached")


def _title_problem(title: str) -> kube.Answer | None:
    """errutil errors in Grafana (ErrAPITitleEmpty, ErrNameExists) whose messageId was not read: no details."""
    if not title:
        return kube.bad_request("folder title cannot be empty")
    if title.lower() == ROOT_FOLDER_NAME:
        return kube.bad_request("A folder with that name already exists")
    return None


def _name_problem(name: str) -> kube.Answer | None:
    if name in ("general", "sharedwithme"):
        return kube.bad_request("invalid uid for folder provided")
    if not UID_CHARS.match(name):
        return kube.errutil_status(400, "BadRequest", "uid contains illegal characters", "folder.invalid-uid-chars")
    if len(name) > 40:
        return kube.errutil_status(400, "BadRequest", "uid too long, max 40 characters", "folder.uid-too-long")
    return None


def _spec_in(body: dict[str, Any]) -> tuple[str, str]:
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    title = spec.get("title") if isinstance(spec.get("title"), str) else ""
    description = spec.get("description") if isinstance(spec.get("description"), str) else ""
    return title.strip(" "), description


class FolderApiRules:
    """The /apis folder rules of `Grafana` (state.py), over the folders of FolderRules."""

    def folder_object(self, org: Org, f: StoredFolder, version: str,
                      at: dict[str, Any] | None = None) -> dict[str, Any]:
        snap = at or self._folder_now(f)
        meta: dict[str, Any] = {
            "name": f.uid, "namespace": kube.namespace_for(org.id, self.stack_id), "uid": f.k8s.uid,
            "resourceVersion": str(snap["rv"]), "generation": snap["generation"],
            "creationTimestamp": kube.rfc3339(f.created), "labels": {**f.k8s.labels, kube.INTERNAL_ID: str(f.id)}}
        if snap["annotations"]:
            meta["annotations"] = dict(snap["annotations"])
        return {"kind": KIND, "apiVersion": f"{GROUP}/{version}", "metadata": meta, "spec": clone(snap["spec"])}

    def _folder_now(self, f: StoredFolder) -> dict[str, Any]:
        return {"rv": f.k8s.resource_version, "generation": f.version, "annotations": f.k8s.annotations,
                "spec": folder_spec(f)}

    def _parent_problem(self, org: Org, name: str, parent: str, moving: bool) -> kube.Answer | None:
        """The parent must exist, not be the folder or under it, and keep the tree within the maximum depth."""
        if not parent:
            return None
        if parent == name:
            return kube.bad_request("folder cannot be parent of itself")
        if parent not in org.folders:
            return kube.not_found(GR, parent)
        ancestor = org.folders.get(parent)
        while moving and ancestor is not None:
            if ancestor.uid == name:
                return kube.errutil_status(400, "BadRequest", "Circular reference detected",
                                           "folder.circular-reference")
            ancestor = org.folders.get(ancestor.parent_uid)
        height = self._subtree_height(org, name) if moving else 1
        if self.depth(org, parent) + height > MAX_FOLDER_DEPTH:
            return kube.errutil_status(*DEPTH)
        return None

    def k8s_create_folder(self, org: Org, user: User, version: str, body: Any) -> kube.Answer:
        metadata = body.get("metadata") or {}
        name = apis_common.create_name(metadata)
        if not name:
            return apis_common.name_required(GROUP, KIND)
        annotations = kube.client_annotations(metadata)
        parent = annotations.get(kube.FOLDER, "")
        title, description = _spec_in(body)
        problem = _name_problem(name) or _title_problem(title) or self._parent_problem(org, name, parent, False)
        if problem is None and metadata.get("resourceVersion"):
            problem = kube.internal("resourceVersion should not be set on objects to be created")
        problem = problem or managed.on_create(annotations)
        if problem:
            return problem
        if name in org.folders:
            return kube.already_exists(GR, name)
        folder = self.insert_folder(org, user, name, title, parent, description, annotations)
        folder.k8s.labels = {str(k): str(v) for k, v in (metadata.get("labels") or {}).items() if k != kube.INTERNAL_ID}
        return 201, self.folder_object(org, folder, version)

    def k8s_update_folder(self, org: Org, user: User, version: str, name: str, body: Any) -> kube.Answer:
        folder = org.folders.get(name)
        if folder is None:  # AllowCreateOnUpdate
            body = {**body, "metadata": {k: v for k, v in (body.get("metadata") or {}).items()
                                         if k != "resourceVersion"}}
            return self.k8s_create_folder(org, user, version, body)
        metadata = body.get("metadata") or {}
        sent = str(metadata.get("resourceVersion") or "")
        if sent and sent != str(folder.k8s.resource_version):
            return kube.conflict(GR, name)
        annotations = kube.client_annotations(metadata)
        parent = annotations.get(kube.FOLDER, "")
        title, description = _spec_in(body)
        problem = _title_problem(title)
        if problem is None and parent != folder.parent_uid:
            problem = self._parent_problem(org, name, parent, True)
        problem = problem or managed.on_update(annotations, folder.k8s.annotations)
        if problem:
            return problem
        changed = (title, description, parent) != (folder.title, folder.description, folder.parent_uid)
        if changed:
            folder.title, folder.description, folder.parent_uid = title, description, parent
            folder.version += 1
            folder.updated, folder.updated_by = now(), user.login
        self.stamp_folder(folder, user, False, changed, annotations)
        folder.k8s.labels = {str(k): str(v) for k, v in (metadata.get("labels") or {}).items() if k != kube.INTERNAL_ID}
        return 200, self.folder_object(org, folder, version)

    def k8s_delete_folder(self, org: Org, name: str) -> kube.Answer:
        folder = org.folders.get(name)
        if folder is None:
            return kube.not_found(GR, name)
        inside = any(d.folder_uid == name for d in org.dashboards.values()) or \
            any(f.parent_uid == name for f in org.folders.values())
        if inside:  # validateOnDelete: the legacy /api DELETE takes the content with it, this one refuses
            return kube.errutil_status(400, "BadRequest", "Folder cannot be deleted: folder is not empty",
                                       "folder.not-empty")
        problem = managed.on_delete(folder.k8s.annotations)
        if problem:
            return problem
        del org.folders[name]
        return kube.deleted(GR, name, folder.k8s.uid)

    def k8s_get_folder(self, org: Org, version: str, name: str, rv: str) -> kube.Answer:
        folder = org.folders.get(name)
        if folder is None:
            return kube.not_found(GR, name)
        snap = apis_common.snapshot_at(folder.k8s.history, self._folder_now(folder), rv)
        return (200, self.folder_object(org, folder, version, snap)) if snap else kube.not_found(GR, name)

    def k8s_list_folders(self, org: Org, version: str, query: dict[str, list[str]]) -> kube.Answer:
        items = [(f.uid, {**f.k8s.labels, kube.INTERNAL_ID: str(f.id)},
                  lambda f=f: self.folder_object(org, f, version)) for f in org.folders.values()]

        def history(name: str) -> list[dict[str, Any]]:
            f = org.folders.get(name)
            return [self.folder_object(org, f, version, snap) for snap in f.k8s.history] if f else []

        return apis_common.list_answer(query, KIND, f"{GROUP}/{version}", self._rv, items, history)


FolderApiEndpoints = apis_common.resource_endpoints(GROUP, "folders", "folder", KIND, RENDERED)
