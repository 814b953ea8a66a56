"""The desired state of one target: folders, datasources, dashboards and saved queries.

Folders come from the dashboards' folder paths, below the environment's root
folder when it names one; their uids are derived from the path, so the same
code gives the same uids everywhere. Datasources come from the environment's
`datasources:` settings, named and typed by the Datasource declared in Python,
through one encoder whose secrets are resolved values for an API and
`$__env{}`/`$__file{}` references for files. Saved log queries go to the query
library where the target has one, and otherwise as their stand-in dashboard.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, Iterable

import attrs

from .config import ConfigError
from .model import (
    FOLDER_UID_PREFIX,
    MANAGED_KEY,
    MANAGED_TAG,
    MANAGED_VALUE,
    PROJECT_KEY,
    PROJECT_TAG,
    ROOT_FOLDER,
    DesiredDashboard,
    DesiredDatasource,
    DesiredFolder,
    DesiredQuery,
    DesiredState,
)
from .render import SAVED_QUERIES_FALLBACK, Rendered
from .secrets import Secret, SecretError, SecretRef

if TYPE_CHECKING:
    from .config import DatasourceSettings, Environment

QUERY_LIBRARY = "queries.grafana.app/v1"


@attrs.frozen
class TargetTraits:
    """What the desired state depends on in a target."""

    files: bool  # a provisioning tree: secrets as references, ownership in the manifest rather than in marks
    query_library: bool = False
    name: str = "this Grafana"


def folder_uid(path: str) -> str:
    """A stable uid for a folder path: "dash-" + slug, hashed when it would pass 40 characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "folder"
    uid = FOLDER_UID_PREFIX + slug
    if len(uid) <= 40:
        return uid
    digest = hashlib.sha1(path.encode()).hexdigest()[:8]
    return f"{FOLDER_UID_PREFIX}{slug[:40 - len(FOLDER_UID_PREFIX) - 9].rstrip('-')}-{digest}"


def folders_for(paths: Iterable[str], root: str | None) -> tuple[list[DesiredFolder], dict[str, DesiredFolder | None]]:
    """Every folder on the way to each path, parents first; and path -> its folder (None = root)."""
    folders: dict[str, DesiredFolder] = {}
    where: dict[str, DesiredFolder | None] = {}
    for path in sorted(set(paths)):
        parts = [] if path == ROOT_FOLDER else path.split("/")
        if root:
            parts = [root] + parts
        parent = ""
        for depth in range(1, len(parts) + 1):
            sub = "/".join(parts[:depth])
            if sub not in folders:
                folders[sub] = DesiredFolder(folder_uid(sub), parts[depth - 1], parent, sub)
            parent = folders[sub].uid
        where[path] = folders["/".join(parts)] if parts else None
    ordered = sorted(folders.values(), key=lambda f: (f.depth, f.path))
    return ordered, where


def _secret(ref: SecretRef, env: "Environment", as_reference: bool) -> Secret | str:
    if as_reference:  # Grafana's own interpolation in provisioning files; never the value
        return f"$__env{{{ref.env}}}" if ref.env else f"$__file{{{ref.file}}}"
    return ref.resolve(env.base_dir)


def encode_datasource(env: "Environment", settings: "DatasourceSettings", declared: Any,
                      files: bool, project: str = "dash") -> DesiredDatasource:
    """The one datasource encoder: Grafana's fields, and the secrets as values (API) or references (files)."""
    where = f"{env.source}: environments.{env.name}.datasources.{settings.uid}"
    name = settings.name or (declared.name if declared else None)
    kind = settings.type or (declared.type if declared else None)
    if not name or not kind:
        raise ConfigError(f"{where}: no Datasource with this uid is declared in the dashboards; give its name "
                          "and type here")
    json_data = {**(declared.settings if declared else {}), **settings.json_data}
    if not files:  # a file is owned through the manifest instead
        json_data[MANAGED_KEY] = MANAGED_VALUE
        json_data[PROJECT_KEY] = project
    secrets: dict[str, Secret | str] = {}
    try:
        for key, ref in sorted(settings.secure_json_data.items()):
            secrets[key] = _secret(ref, env, files)
        if settings.basic_auth is not None:
            secrets["basicAuthPassword"] = _secret(settings.basic_auth.password, env, files)
    except SecretError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    body = {
        "uid": settings.uid, "name": name, "type": kind, "access": settings.access, "url": settings.url,
        "isDefault": settings.is_default, "basicAuth": settings.basic_auth is not None,
        "basicAuthUser": settings.basic_auth.user if settings.basic_auth else "", "jsonData": json_data,
    }
    return DesiredDatasource(settings.uid, name, kind, body, secrets)


def default_datasources(declared: dict[str, Any]) -> list[DesiredDatasource]:
    """Without an environment: the declared datasources that say where they are (`url=`)."""
    out = []
    for uid, ds in sorted(declared.items()):
        if ds.url:
            body = {"uid": uid, "name": ds.name, "type": ds.type, "access": "proxy", "url": ds.url,
                    "isDefault": ds.type == "prometheus", "basicAuth": False, "basicAuthUser": "",
                    "jsonData": dict(ds.settings)}
            out.append(DesiredDatasource(uid, ds.name, ds.type, body))
    return out


def _marked(tags: Iterable[str], project: str) -> list[str]:
    """`tags` with dash's marks: managed, and by which project."""
    tags = [t for t in tags if not t.startswith(PROJECT_TAG)]
    return tags + ([MANAGED_TAG] if MANAGED_TAG not in tags else []) + [PROJECT_TAG + project]


def saved_query_object(query: Any, project: str = "dash") -> dict[str, Any]:
    """A LogQuery as the query library's Query object, named by its uid."""
    tags = _marked(query.tags, project)
    return {
        "apiVersion": QUERY_LIBRARY,
        "kind": "Query",
        "metadata": {"name": query.uid},
        "spec": {"title": query.name, "description": query.description, "isVisible": True, "tags": tags,
                 "targets": [{"properties": query.target(), "variables": {}}]},
    }


def _dashboards(rendered: list[Rendered], where: dict[str, DesiredFolder | None], files: bool,
                project: str) -> list[DesiredDashboard]:
    out = []
    for item in rendered:
        data = None
        if not files:  # on a server the tags are the mark of ownership
            data = item.json
            data["tags"] = _marked(data.get("tags") or [], project)
        folder = where[item.folder]
        out.append(DesiredDashboard(item.uid, item.title, folder.uid if folder else "",
                                    folder.path if folder else ROOT_FOLDER, data, item.source,
                                    item.packed if files else b""))
    return out


def _route_queries(rendered: list[Rendered], queries: list[Any], traits: TargetTraits, project: str,
                   ) -> tuple[list[Rendered], list[DesiredQuery], str | None, str | None]:
    """Where the saved log queries go: (dashboards, queries, path, note)."""
    fallback = [r for r in rendered if r.role == SAVED_QUERIES_FALLBACK]
    if not queries:
        return rendered, [], None, None
    name = f"'{fallback[0].title}' ({fallback[0].uid})" if fallback else "'Saved log queries'"
    if traits.query_library:
        objects = [DesiredQuery(q.uid, q.name, saved_query_object(q, project)) for q in queries]
        note = (f"saved log queries: {len(queries)} go to Grafana's query library ({QUERY_LIBRARY}); the "
                f"fallback dashboard {name} is not published")
        return [r for r in rendered if r.role != SAVED_QUERIES_FALLBACK], objects, "query-library", note
    if traits.files:
        note = f"saved log queries: file provisioning has no query library; they go out as the dashboard {name}"
    else:
        note = (f"saved log queries: this Grafana has no query library ({QUERY_LIBRARY} is in Grafana Enterprise "
                f"and Cloud); the {len(queries)} queries go out as the dashboard {name}")
    return rendered, [], "dashboard", note


def desired_state(rendered: list[Rendered], declared: dict[str, Any], env: "Environment | None",
                  log_queries: list[Any], traits: TargetTraits, project: str = "dash",
                  held: list[tuple[str, str]] | None = None) -> DesiredState:
    """What the target should hold. `declared`: Datasource by uid; `rendered`: unique, rendered dashboards;
    `project`: whose objects they are, marked on each (dash.yaml's `project:`); `held`: (uid, folder) of
    dashboards declared but not built this run, kept as they are (their folders too: deleting a folder
    deletes what is in it)."""
    rendered, queries, path, note = _route_queries(rendered, log_queries, traits, project)
    root = env.folder if env is not None else None
    held = list(held or [])
    folders, where = folders_for([*(r.folder for r in rendered), *(folder for _, folder in held)], root)
    if env is None:
        datasources = default_datasources(declared)
    else:
        datasources = [encode_datasource(env, s, declared.get(uid), traits.files, project)
                       for uid, s in sorted(env.datasources.items())]
    notes = [note] if note else []
    notes += [f"dashboard {uid}: not built this run (see the warning above); left as it is, never deleted"
              for uid, _ in held]
    used = {uid for r in rendered for uid in r.datasources}
    external = sorted(used - set(env.datasources)) if env is not None else []
    held_at = [(uid, where[folder].path if where[folder] else ROOT_FOLDER) for uid, folder in held]
    return DesiredState(folders, datasources, _dashboards(rendered, where, traits.files, project), queries, notes,
                        path, external, project, held_at)
