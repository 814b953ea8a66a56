"""What every part of the emulator shares: the stored objects, Grafana's error-body shapes, ids and slugs.

Every rule, status code and error body in the resource modules follows
shared/grafana/behaviour.md (the section is named next to each rule).
Rules and handlers return (status, body).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson

UID_CHARS = re.compile(r"^[a-zA-Z0-9\-_]*$")
MAX_FOLDER_DEPTH = 4  # [folder] max_nested_folder_depth default (behaviour.md §3)
VERSION = "12.3.0"


def clone(data: Any) -> Any:
    """A deep copy of JSON data, an order of magnitude faster than copy.deepcopy (a LIST copies every spec)."""
    return orjson.loads(orjson.dumps(data))


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def slugify(title: str) -> str:
    """Grafana's slugify (pkg/infra/slugify), close enough for ASCII and Latin letters."""
    text = unicodedata.normalize("NFKD", title.lower().replace("&", "and").replace("@", "at"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def err(message: str, status: str | None = None) -> dict[str, Any]:
    """Shapes 1 and 2 of behaviour.md §0: {"message"} or {"status", "message"}."""
    return {"message": message} if status is None else {"status": status, "message": message}


def errutil(status_code: int, message_id: str, message: str) -> dict[str, Any]:
    """Shape 3 of behaviour.md §0 (errutil)."""
    return {"extra": None, "message": message, "messageId": message_id, "statusCode": status_code, "traceID": ""}


def new_uid() -> str:
    return "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(14))


@dataclass
class User:
    login: str
    role: str = "Admin"  # Admin, Editor or Viewer
    orgs: tuple[int, ...] = (1,)
    service_account: bool = False


@dataclass
class K8sMeta:
    """What the /apis (Kubernetes-style) view of an object adds to the legacy one; see kube.py."""

    uid: str = field(default_factory=lambda: str(uuid.uuid4()))  # metadata.uid, not the Grafana uid
    resource_version: int = 0  # metadata.resourceVersion, bumped by every write through /api or /apis
    annotations: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # set by clients; deprecatedInternalID is added on read
    history: list[dict[str, Any]] = field(default_factory=list)  # newest first: {rv, generation, annotations, spec}


@dataclass
class DashboardVersion:
    id: int
    version: int
    parent_version: int
    restored_from: int
    created: str
    created_by: str
    message: str
    data: dict[str, Any]


@dataclass
class StoredDashboard:
    id: int
    uid: str
    json: dict[str, Any]
    version: int
    folder_uid: str
    created: str
    updated: str
    created_by: str
    updated_by: str
    versions: list[DashboardVersion] = field(default_factory=list)
    provisioned: bool = False
    searchable_at: float = 0.0  # time.monotonic() from which search shows it (search lag, modes.py)
    api_version: str = "v1"  # the schema it is stored as: "v2beta1" once converted in the UI (13.0's default)
    k8s: K8sMeta = field(default_factory=K8sMeta)


@dataclass
class StoredFolder:
    id: int
    uid: str
    title: str
    parent_uid: str
    version: int
    created: str
    updated: str
    created_by: str
    updated_by: str
    description: str = ""
    k8s: K8sMeta = field(default_factory=K8sMeta)


@dataclass
class StoredDatasource:
    id: int
    uid: str
    body: dict[str, Any]  # everything but the secrets
    secure: dict[str, str]
    version: int
    read_only: bool = False


@dataclass
class Org:
    id: int
    name: str
    dashboards: dict[str, StoredDashboard] = field(default_factory=dict)
    folders: dict[str, StoredFolder] = field(default_factory=dict)
    datasources: dict[str, StoredDatasource] = field(default_factory=dict)
    queries: dict[str, dict[str, Any]] = field(default_factory=dict)  # the query library (queries.grafana.app)
