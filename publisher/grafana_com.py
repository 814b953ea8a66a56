"""grafana.com dashboards as code: fetch a declared revision into the project's cache, check it, make it ours.

The file comes from `{DASH_GRAFANA_COM_URL or https://grafana.com}/api/dashboards/{id}/revisions/{rev}/download`
into `.dash-cache/grafana.com/` beside dash.yaml, and is kept only once its SHA-256 is the declared one,
so a cached file is always a checked one and a warm cache builds offline. Its datasource inputs are
filled in the way Grafana's own import fills them (pkg/services/dashboardimport/utils/
dash_template_evaluator.go: every `${NAME}` of an input in every string, `__inputs` dropped), with the
uid of the declared datasource; its datasource variables default to that datasource.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .dashboard_inputs import fill_inputs
from .output import bytes_hash, write_atomic

if TYPE_CHECKING:
    from .sdk.grafana_com import GrafanaCom

DEFAULT_URL = "https://grafana.com"
URL_VARIABLE = "DASH_GRAFANA_COM_URL"
CACHE_DIR = ".dash-cache"
TIMEOUT_S = 30


class GrafanaComError(Exception):
    """The declaration or the file is wrong: an error of the build."""


class Unavailable(Exception):
    """The file is not in the cache and cannot be fetched now (offline, grafana.com down): not the user's fault."""


def _base() -> str:
    return (os.environ.get(URL_VARIABLE) or DEFAULT_URL).rstrip("/")


def download_url(declared: "GrafanaCom") -> str:
    return f"{_base()}/api/dashboards/{declared.id}/revisions/{declared.revision}/download"


def cached_path(cache_root: Path, declared: "GrafanaCom") -> Path:
    return cache_root / CACHE_DIR / "grafana.com" / f"{declared.id}-r{declared.revision}.json"


def fetch(declared: "GrafanaCom", cache_root: Path) -> bytes:
    """The file's bytes, from the cache when it holds them, else downloaded, checked and cached."""
    path = cached_path(cache_root, declared)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = None
    except OSError as exc:
        raise GrafanaComError(f"{declared.label}: cannot read the cached file {path}: {exc.strerror or exc}") from None
    if data is not None and bytes_hash(data) == declared.sha256:
        return data
    data = download(declared.id, declared.revision)
    found = bytes_hash(data)
    if found != declared.sha256:
        raise GrafanaComError(
            f"{declared.label}: the file from {download_url(declared)} has sha256 {found}, but the declaration says "
            f"{declared.sha256}: if you meant to move to this file, put its hash in sha256=; if not, the file "
            "changed under you (a mirror's copy, or a different revision) and was not used")
    write_atomic(path, data)
    return data


def download(dashboard_id: int, revision: int) -> bytes:
    """The file of a dashboard's revision, as grafana.com serves it."""
    return _get(f"{_base()}/api/dashboards/{dashboard_id}/revisions/{revision}/download",
                f"grafana.com/{dashboard_id}@{revision}")


def latest_revision(dashboard_id: int) -> int:
    """The newest revision of a dashboard (`revision` of GET /api/dashboards/{id})."""
    import orjson

    label = f"grafana.com/{dashboard_id}"
    try:
        revision = orjson.loads(_get(f"{_base()}/api/dashboards/{dashboard_id}", label)).get("revision")
    except (orjson.JSONDecodeError, AttributeError):
        revision = None
    if not isinstance(revision, int):
        raise GrafanaComError(f"{label}: grafana.com did not say which revision is the latest; give one "
                              f"({label}@REVISION)")
    return revision


def _get(url: str, label: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "dash"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310 - http(s) by construction
            return answer.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise GrafanaComError(f"{label}: {url} answered 404: no such dashboard or revision on "
                                  "grafana.com (check the id and the revision number on its page)") from None
        raise Unavailable(f"{url} answered {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise Unavailable(f"cannot reach {url}: {reason}") from None


def unavailable_hint(declared: "GrafanaCom", cache_root: Path, why: str) -> str:
    """What to tell the user when a dashboard could not be fetched: which, why, and how to fill the cache."""
    return (f"{declared.label} ({declared.dashboard_uid}) was not built: {why}; it is left as it is wherever it "
            f"is published. To build it, run once with access to grafana.com, put the file at "
            f"{cached_path(cache_root, declared)}, or set {URL_VARIABLE} to a mirror")


def dashboard_json(declared: "GrafanaCom", data: bytes) -> dict[str, Any]:
    """The fetched file as our dashboard: inputs filled, migrated to schemaVersion 42, datasource variables
    defaulting to ours, our uid."""
    import orjson

    try:
        dashboard = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise GrafanaComError(f"{declared.label}: the file is not JSON ({exc})") from None
    if not isinstance(dashboard, dict) or not isinstance(dashboard.get("panels", dashboard.get("rows")), list):
        raise GrafanaComError(f"{declared.label}: the file is not a dashboard (no panels)")
    from .importer.migrate import migrate

    values = _input_values(declared, dashboard.get("__inputs") or [])
    # Then brought to the schema our own dashboards have, by the migrations Grafana applies on load (old
    # layouts, Angular panels Grafana 12 no longer renders), as `dash import` does.
    dashboard = migrate(fill_inputs(dashboard, values))
    _default_datasource_variables(declared, dashboard)
    dashboard.pop("id", None)
    dashboard["uid"] = declared.dashboard_uid
    if declared.title is not None:
        dashboard["title"] = declared.title
    tags = list(dashboard.get("tags") or [])
    dashboard["tags"] = tags + [t for t in declared.tags if t not in tags]
    return dashboard


def _input_values(declared: "GrafanaCom", inputs: list[Any]) -> dict[str, str]:
    """`${NAME}` -> value for each input, as Grafana's import asks for them; errors name what is missing."""
    values: dict[str, str] = {}
    names = [i.get("name") for i in inputs if isinstance(i, dict)]
    for name in sorted(set(declared.datasources) - set(names)):
        raise GrafanaComError(f"{declared.label}: datasources= names {name!r}, which is not an input of the file "
                              f"(its inputs: {', '.join(map(str, names)) or 'none'})")
    for item in inputs:
        if not isinstance(item, dict):
            continue
        name, kind, plugin = item.get("name"), item.get("type"), item.get("pluginId")
        if kind == "datasource" and plugin == "__expr__":
            values[f"${{{name}}}"] = "__expr__"  # as Grafana forces it
        elif kind == "datasource":
            ds = declared.datasources.get(name) or next(
                (d for d in declared.all_datasources() if d.type == plugin), None)
            if ds is None:
                raise GrafanaComError(
                    f"{declared.label}: input {name} wants a {plugin} datasource: pass datasource= a {plugin} "
                    f"Datasource, or datasources={{{name!r}: ...}}")
            values[f"${{{name}}}"] = ds.uid
        elif kind == "constant":
            value = declared.inputs.get(name, item.get("value"))
            if value is None:
                raise GrafanaComError(f"{declared.label}: constant input {name} has no default: give inputs="
                                      f"{{{name!r}: '...'}}")
            values[f"${{{name}}}"] = str(value)
    return values


def _default_datasource_variables(declared: "GrafanaCom", dashboard: dict[str, Any]) -> None:
    """A datasource variable of a type we point at starts on our datasource (viewers can still switch)."""
    templating = dashboard.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    for variable in variables if isinstance(variables, list) else []:
        if not isinstance(variable, dict) or variable.get("type") != "datasource":
            continue
        ds = next((d for d in declared.all_datasources() if d.type == variable.get("query")), None)
        if ds is not None:
            variable["current"] = {"text": ds.name, "value": ds.uid}
