"""The desired state of one environment: folders, datasources and dashboards.

Folders come from the dashboards' folder paths, below the environment's root
folder when it names one; their uids are derived from the path, so the same
code gives the same uids everywhere. Datasources come from the environment's
`datasources:` settings, named and typed by the Datasource declared in Python.
Dashboards are the rendered JSON plus the managed-by-dash tag.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable

import attrs

from .config import ConfigError, Environment
from .model import FOLDER_UID_PREFIX, MANAGED_KEY, MANAGED_TAG, MANAGED_VALUE
from .secrets import Secret, SecretError

ROOT_FOLDER = "General"  # Grafana's name for "no folder"


@attrs.frozen
class DesiredFolder:
    uid: str
    title: str
    parent_uid: str  # "" at the top
    path: str  # "Monitoring/Platform", for messages

    @property
    def depth(self) -> int:
        return self.path.count("/") + 1


@attrs.frozen
class DesiredDatasource:
    uid: str
    name: str
    type: str
    body: dict[str, Any]  # what Grafana stores, without secrets
    secrets: dict[str, Secret] = attrs.field(factory=dict, repr=False)


@attrs.frozen
class DesiredDashboard:
    uid: str
    title: str
    folder_uid: str
    folder_path: str
    json: dict[str, Any] = attrs.field(repr=False)
    source: str


@attrs.frozen
class DesiredState:
    folders: list[DesiredFolder]
    datasources: list[DesiredDatasource]
    dashboards: list[DesiredDashboard]
    external_datasources: list[str]  # uids the dashboards use that this env does not manage
    log_queries: list[Any] = attrs.field(factory=list)  # every declared saved query
    saved_queries: list[Any] = attrs.field(factory=list)  # those to publish to a query library (set by the plan)
    query_library: bool = False  # the server has one (set by the plan)


def folder_uid(path: str) -> str:
    """A stable uid for a folder path: "dash-" + slug, hashed when it would pass 40 characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "folder"
    uid = FOLDER_UID_PREFIX + slug
    if len(uid) <= 40:
        return uid
    digest = hashlib.sha1(path.encode()).hexdigest()[:8]
    return f"{FOLDER_UID_PREFIX}{slug[:40 - len(FOLDER_UID_PREFIX) - 9].rstrip('-')}-{digest}"


def _folders(paths: Iterable[str], root: str | None) -> tuple[list[DesiredFolder], dict[str, DesiredFolder | None]]:
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


def _datasource(env: Environment, settings: Any, declared: Any) -> DesiredDatasource:
    name = settings.name or (declared.name if declared else None)
    kind = settings.type or (declared.type if declared else None)
    if not name or not kind:
        raise ConfigError(
            f"{env.source}: environments.{env.name}.datasources.{settings.uid}: no Datasource with this uid is "
            "declared in the dashboards; give its name and type here"
        )
    json_data = {**(declared.settings if declared else {}), **settings.json_data, MANAGED_KEY: MANAGED_VALUE}
    secrets: dict[str, Secret] = {}
    try:
        for key, ref in sorted(settings.secure_json_data.items()):
            secrets[key] = ref.resolve(env.base_dir)
        if settings.basic_auth is not None:
            secrets["basicAuthPassword"] = settings.basic_auth.password.resolve(env.base_dir)
    except SecretError as exc:
        raise ConfigError(f"{env.source}: environments.{env.name}.datasources.{settings.uid}: {exc}") from None
    body = {
        "uid": settings.uid,
        "name": name,
        "type": kind,
        "access": settings.access,
        "url": settings.url,
        "isDefault": settings.is_default,
        "basicAuth": settings.basic_auth is not None,
        "basicAuthUser": settings.basic_auth.user if settings.basic_auth else "",
        "jsonData": json_data,
    }
    return DesiredDatasource(settings.uid, name, kind, body, secrets)


def desired_state(rendered: list[Any], declared: dict[str, Any], env: Environment,
                  used: Iterable[str] = (), log_queries: Iterable[Any] = ()) -> DesiredState:
    """`rendered`: build.Rendered items; `declared`: Datasource by uid; `used`: uids the dashboards use."""
    folders, where = _folders((r.folder for r in rendered), env.folder)
    datasources = [_datasource(env, s, declared.get(uid)) for uid, s in sorted(env.datasources.items())]
    desired_dashboards = []
    for item in rendered:
        tags = list(item.json.get("tags") or [])
        if MANAGED_TAG not in tags:
            tags.append(MANAGED_TAG)
        data = {**item.json, "tags": tags}  # a shallow copy: nothing below the top level changes
        folder = where[item.folder]
        desired_dashboards.append(DesiredDashboard(
            item.uid, item.title, folder.uid if folder else "", folder.path if folder else ROOT_FOLDER, data,
            item.source))
    external = sorted(set(used) - set(env.datasources))
    return DesiredState(folders, datasources, desired_dashboards, external, list(log_queries))
