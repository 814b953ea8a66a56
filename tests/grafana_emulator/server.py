"""A real HTTP server on 127.0.0.1 that answers like Grafana's /api.

Auth, routing, search with paging, the fault knobs (latency, transient errors,
429 with Retry-After, connection resets, "database is locked" on concurrent
writes, permanent failures for chosen objects) and request counting. The
rules of each resource live in state.py.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from .state import QUERIES_GV, VERSION, Grafana, Org, QueryLibrary, User, err, errutil, k8s_status, slugify

UNAUTHORIZED = errutil(401, "auth.unauthorized", "Unauthorized")
INVALID_KEY = errutil(401, "api-key.invalid", "Invalid API key")
ORG_MISMATCH = errutil(401, "api-key.organization-mismatch", "API key does not belong to the requested organization")


@dataclass
class Faults:
    """What can go wrong. Probabilities are per request, drawn from a seeded RNG."""

    latency: float = 0.0  # seconds added to every request
    error_rate: float = 0.0  # 502/503/504 from "a proxy in front", before the request is processed
    rate_limit_rate: float = 0.0  # 429 with Retry-After, before processing
    retry_after: str = "1"
    reset_rate: float = 0.0  # connection closed without a response, before processing
    lost_response_rate: float = 0.0  # processed, then the connection closed: the client cannot know
    database_locked: bool = False  # a write that overlaps another write gets SQLite's 500
    permanent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # uid -> answer to its writes
    seed: int = 1
    only_writes: bool = False  # apply the random faults to writes only


@dataclass
class Exchange:
    """One request and its answer, kept for OpenAPI validation."""

    method: str
    template: str  # the spec's path key, relative to /api
    query: dict[str, list[str]]
    request: Any
    status: int
    response: Any


Route = tuple[str, re.Pattern, str, str]  # method, regex, spec template, handler name


def _route(method: str, template: str, handler: str, base: str = "/api") -> Route:
    pattern = "^" + base + re.sub(r"\{[^}]+\}", r"([^/]+)", template) + "/?$"
    return method, re.compile(pattern), template if base == "/api" else base + template, handler


ROUTES: list[Route] = [
    _route("GET", "/health", "health"),
    _route("GET", "/frontend/settings", "frontend_settings"),
    _route("GET", "/org", "get_org"),
    _route("GET", "/user", "get_user"),
    _route("GET", "/search", "search"),
    _route("POST", "/dashboards/db", "save_dashboard"),
    _route("GET", "/dashboards/uid/{uid}/versions/{DashboardVersionID}", "get_version"),
    _route("GET", "/dashboards/uid/{uid}/versions", "get_versions"),
    _route("POST", "/dashboards/uid/{uid}/restore", "restore"),
    _route("GET", "/dashboards/uid/{uid}", "get_dashboard"),
    _route("DELETE", "/dashboards/uid/{uid}", "delete_dashboard"),
    _route("GET", "/folders", "list_folders"),
    _route("POST", "/folders", "create_folder"),
    _route("POST", "/folders/{folder_uid}/move", "move_folder"),
    _route("GET", "/folders/{folder_uid}", "get_folder"),
    _route("PUT", "/folders/{folder_uid}", "update_folder"),
    _route("DELETE", "/folders/{folder_uid}", "delete_folder"),
    _route("GET", "/datasources", "list_datasources"),
    _route("POST", "/datasources", "create_datasource"),
    _route("GET", "/datasources/id/{name}", "datasource_id"),
    _route("GET", "/datasources/name/{name}", "get_datasource_by_name"),
    _route("GET", "/datasources/uid/{uid}", "get_datasource"),
    _route("PUT", "/datasources/uid/{uid}", "update_datasource"),
    _route("DELETE", "/datasources/uid/{uid}", "delete_datasource"),
]
# The query library (Grafana Enterprise and Cloud); served only when Emulator.query_library is on.
QUERY_ROUTES: list[Route] = [
    _route("GET", "/queries.grafana.app/v1", "queries_discovery", "/apis"),
    _route("GET", "/queries.grafana.app/v1/namespaces/{namespace}/queries", "list_queries", "/apis"),
    _route("POST", "/queries.grafana.app/v1/namespaces/{namespace}/queries", "create_query", "/apis"),
    _route("GET", "/queries.grafana.app/v1/namespaces/{namespace}/queries/{name}", "get_query", "/apis"),
    _route("PUT", "/queries.grafana.app/v1/namespaces/{namespace}/queries/{name}", "update_query", "/apis"),
    _route("DELETE", "/queries.grafana.app/v1/namespaces/{namespace}/queries/{name}", "delete_query", "/apis"),
]
WRITES = {"POST", "PUT", "DELETE", "PATCH"}


class Emulator:
    """Start with `Emulator().start()`; `url` is its base URL; `stop()` ends it."""

    def __init__(self, tokens: dict[str, User] | None = None, users: dict[tuple[str, str], User] | None = None):
        self.grafana = Grafana()
        self.library = QueryLibrary(self.grafana)
        self.query_library = False  # on: serve queries.grafana.app/v1, as Grafana Enterprise and Cloud do
        self.tokens = tokens if tokens is not None else {"glsa_test_admin_token": User("dash-ci", "Admin", (1,), True)}
        self.users = users if users is not None else {("admin", "admin"): User("admin", "Admin", (1, 2))}
        self.faults = Faults()
        self.counts: Counter[tuple[str, str]] = Counter()
        self.exchanges: list[Exchange] = []
        self.record = False
        self.sub_path = ""  # serve under e.g. "/grafana", as behind a reverse proxy
        self._rng = random.Random(1)
        self._writes_in_flight = 0
        self._count_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> "Emulator":
        emulator = self

        class Handler(_Handler):
            app = emulator

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.sub_path}"

    def reset(self) -> None:
        """Forget every object and count, as a fresh Grafana would (for benchmarks' cold runs)."""
        with self.grafana.lock:
            self.grafana.orgs = {1: Org(1, "Main Org."), 2: Org(2, "Second Org.")}
        self.reset_counts()

    def set_faults(self, **kwargs: Any) -> None:
        self.faults = Faults(**kwargs)
        self._rng = random.Random(self.faults.seed)

    def reset_counts(self) -> None:
        with self._count_lock:
            self.counts.clear()
            self.exchanges.clear()

    def count(self, method: str | None = None, template: str | None = None) -> int:
        return sum(n for (m, t), n in self.counts.items()
                   if (method is None or m == method) and (template is None or t == template))

    def writes(self) -> int:
        return sum(n for (m, _), n in self.counts.items() if m in WRITES)

    # --- acting as a person in the UI ------------------------------------------------

    def edit_dashboard(self, uid: str, change: Callable[[dict[str, Any]], None], user: str = "alice",
                       org_id: int = 1) -> dict[str, Any]:
        """Change a stored dashboard the way a save from the UI does: a new version by `user`."""
        with self.grafana.lock:
            org = self.grafana.org(org_id)
            stored = org.dashboards[uid]
            dash = copy.deepcopy(stored.json)
            change(dash)
            body = {"dashboard": dash, "folderUid": stored.folder_uid, "overwrite": False, "message": ""}
            status, answer = self.grafana.save_dashboard(org, User(user, "Editor"), body)
            assert status == 200, answer
            return answer

    def dashboard(self, uid: str, org_id: int = 1) -> dict[str, Any] | None:
        with self.grafana.lock:
            stored = self.grafana.org(org_id).dashboards.get(uid)
            return copy.deepcopy(stored.json) if stored else None

    # --- request handling ------------------------------------------------------------

    def authenticate(self, headers: Any) -> tuple[User | None, int | None, dict[str, Any] | None]:
        """(user, org id, None) or (None, None, the 401 body)."""
        auth = headers.get("Authorization") or ""
        user = None
        token_org = None
        if auth.startswith("Bearer "):
            user = self.tokens.get(auth[7:].strip())
            if user is None:
                return None, None, INVALID_KEY
            token_org = user.orgs[0]
        elif auth.startswith("Basic "):
            try:
                login, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None, None, UNAUTHORIZED
            if login == "api_key":  # Basic auth with the token as password (behaviour.md §0)
                user = self.tokens.get(password)
                token_org = user.orgs[0] if user else None
            else:
                user = self.users.get((login, password))
            if user is None:
                return None, None, UNAUTHORIZED
        else:
            return None, None, UNAUTHORIZED
        org_header = headers.get("X-Grafana-Org-Id")
        if org_header:
            try:
                org_id = int(org_header)
            except ValueError:
                return None, None, UNAUTHORIZED
            if token_org is not None and org_id != token_org:
                return None, None, ORG_MISMATCH
            if org_id not in user.orgs:
                return None, None, errutil(401, "auth.unauthorized", "User not a member of the requested organization")
        else:
            org_id = token_org or user.orgs[0]
        return user, org_id, None

    def draw(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._count_lock:
            return self._rng.random() < rate


class _Handler(BaseHTTPRequestHandler):
    app: Emulator
    protocol_version = "HTTP/1.1"
    # Go's net/http (Grafana) sets TCP_NODELAY; without it, headers and body leave as two segments and
    # Nagle's algorithm meets the client's delayed ACK: every keep-alive request would stall about 40 ms.
    disable_nagle_algorithm = True
    server_version = "Grafana"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    # --- plumbing --------------------------------------------------------------------

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None, text: bool = False) -> None:
        data = body.encode() if text else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8" if text else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _reset(self) -> None:
        """Close the connection abruptly (RST), as a crashed proxy would."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _dispatch(self, method: str) -> None:
        app = self.app
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if app.sub_path:
            if not path.startswith(app.sub_path + "/"):
                self._send(404, {"message": "Not found"})
                return
            path = path[len(app.sub_path):]
        routes = ROUTES + (QUERY_ROUTES if app.query_library else [])
        route = next(((m, rx, t, h) for m, rx, t, h in routes if m == method and rx.match(path)), None)
        template = route[2] if route else path
        with app._count_lock:
            app.counts[(method, template)] += 1
        faults = app.faults
        if faults.latency:
            time.sleep(faults.latency)
        eligible = method in WRITES or not faults.only_writes
        if eligible and template != "/health":
            if app.draw(faults.reset_rate):
                self._reset()
                return
            if app.draw(faults.error_rate):
                status = app._rng.choice([502, 503, 504])
                self._send(status, f"{status} upstream error from the proxy in front of Grafana", text=True)
                return
            if app.draw(faults.rate_limit_rate):
                self._send(429, {"message": "Too Many Requests"}, {"Retry-After": faults.retry_after})
                return
        if route is None:
            if path.startswith("/apis/"):  # what Kubernetes-style routing answers for an unknown group
                self._answer(method, path, query, None, 404, k8s_status(404, "NotFound", "the server could not find "
                                                                              "the requested resource"))
                return
            self._send(404, {"message": "Not found"})
            return
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                self._send(400, err("bad request data"))
                return
        if route[3] not in ("health",):
            user, org_id, problem = app.authenticate(self.headers)
            if problem is not None:
                self._answer(method, template, query, body, 401, problem)
                return
        else:
            user, org_id = None, 1
        args = route[1].match(path).groups()
        is_write = method in WRITES
        locked = False
        if is_write:
            with app._count_lock:
                locked = faults.database_locked and app._writes_in_flight > 0
                app._writes_in_flight += 1
        try:
            if locked:
                status, answer = 500, _locked_body(route[3])
            else:
                permanent = _permanent(faults, route[3], args, body) if is_write else None
                if permanent is not None:
                    status, answer = permanent
                else:
                    handler = getattr(self, "h_" + route[3])
                    with app.grafana.lock:
                        status, answer = handler(user, app.grafana.org(org_id), query, body, *args)
                if is_write and faults.database_locked:
                    time.sleep(0.005)  # hold the "transaction" long enough for writes to overlap
        finally:
            if is_write:
                with app._count_lock:
                    app._writes_in_flight -= 1
        if eligible and app.draw(faults.lost_response_rate):
            self._reset()
            return
        self._answer(method, template, query, body, status, answer)

    def _answer(self, method: str, template: str, query: dict[str, list[str]], body: Any, status: int,
                answer: Any) -> None:
        if self.app.record:
            with self.app._count_lock:
                self.app.exchanges.append(Exchange(method, template, query, copy.deepcopy(body), status,
                                                   copy.deepcopy(answer)))
        self._send(status, answer)

    # --- small endpoints (behaviour.md §8) -------------------------------------------

    def h_health(self, user, org, query, body):
        return 200, {"commit": "0123456789abcdef", "database": "ok", "version": VERSION}

    def h_frontend_settings(self, user, org, query, body):
        return 200, {"buildInfo": {"hideVersion": False, "version": VERSION, "versionString": f"Grafana v{VERSION}",
                                   "commit": "0123456789abcdef", "commitShort": "0123456", "buildstamp": 0,
                                   "edition": "Open Source", "latestVersion": "", "hasUpdate": False, "env": "production"}}

    def h_get_org(self, user, org: Org, query, body):
        return 200, {"id": org.id, "name": org.name, "address": {"address1": "", "address2": "", "city": "",
                                                               "zipCode": "", "state": "", "country": ""}}

    def h_get_user(self, user: User, org: Org, query, body):
        return 200, {"id": 1, "uid": "u" + slugify(user.login), "email": f"{user.login}@example.com",
                     "name": user.login, "login": user.login, "theme": "", "orgId": org.id,
                     "isGrafanaAdmin": user.role == "Admin", "isDisabled": False, "isExternal": False,
                     "isExternallySynced": False, "isGrafanaAdminExternallySynced": False, "isProvisioned": False,
                     "authLabels": [], "updatedAt": "2026-01-01T00:00:00Z", "createdAt": "2026-01-01T00:00:00Z",
                     "avatarUrl": "", "accessControl": {}}

    # --- search (behaviour.md §2) ----------------------------------------------------

    def h_search(self, user, org: Org, query, body):
        try:
            limit = int((query.get("limit") or ["1000"])[0])
        except ValueError:
            limit = 1000  # a non-numeric value falls back to the default
        if limit > 5000:
            return 422, err("Limit is above maximum allowed (5000), use page parameter to access hits beyond limit")
        try:
            page = max(1, int((query.get("page") or ["1"])[0]))
        except ValueError:
            page = 1
        if query.get("dashboardIds") and (query.get("dashboardUIDs") or query.get("dashboardUID")):
            return 400, err("search supports UIDs or IDs, not both")
        text = (query.get("query") or [""])[0].lower()
        tags = query.get("tag") or []
        kind = (query.get("type") or [""])[0]
        uids = set((query.get("dashboardUIDs") or []) + (query.get("dashboardUID") or []))
        folders = query.get("folderUIDs")
        hits = []
        if kind in ("", "dash-folder") and not tags:
            for f in org.folders.values():
                if text in f.title.lower() and (not uids or f.uid in uids) and \
                        (folders is None or f.parent_uid in folders):
                    hit = {"id": f.id, "uid": f.uid, "orgId": org.id, "title": f.title,
                           "uri": f"db/{slugify(f.title)}", "url": f"/dashboards/f/{f.uid}/{slugify(f.title)}",
                           "slug": "", "type": "dash-folder", "tags": [], "isStarred": False, "sortMeta": 0,
                           "isDeleted": False}
                    if f.parent_uid:
                        parent = org.folders[f.parent_uid]
                        hit.update({"folderId": parent.id, "folderUid": parent.uid, "folderTitle": parent.title,
                                    "folderUrl": f"/dashboards/f/{parent.uid}/{slugify(parent.title)}"})
                    hits.append(hit)
        if kind in ("", "dash-db"):
            for d in org.dashboards.values():
                dtags = d.json.get("tags") or []
                title = d.json.get("title", "")
                if text and text not in title.lower():
                    continue
                if not all(t in dtags for t in tags) or (uids and d.uid not in uids):
                    continue
                if folders is not None and d.folder_uid not in folders:
                    continue
                slug = slugify(title)
                hit = {"id": d.id, "uid": d.uid, "orgId": org.id, "title": title, "uri": f"db/{slug}",
                       "url": f"/d/{d.uid}/{slug}", "slug": "", "type": "dash-db", "tags": list(dtags),
                       "isStarred": False, "sortMeta": 0, "isDeleted": False}
                folder = org.folders.get(d.folder_uid)
                if folder is not None:  # root dashboards omit the folder keys
                    hit.update({"folderId": folder.id, "folderUid": folder.uid, "folderTitle": folder.title,
                                "folderUrl": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}"})
                hits.append(hit)
        reverse = (query.get("sort") or ["alpha-asc"])[0] == "alpha-desc"
        hits.sort(key=lambda h: (h["title"].lower(), h["uid"]), reverse=reverse)
        start = (page - 1) * limit
        return 200, hits[start:start + limit]

    # --- dashboards ------------------------------------------------------------------

    def h_save_dashboard(self, user, org, query, body):
        return self.app.grafana.save_dashboard(org, user, body)

    def h_get_dashboard(self, user, org: Org, query, body, uid):
        d = org.dashboards.get(uid)
        if d is None:
            return 404, err("Dashboard not found")
        # No copy: a stored dashboard is replaced on save, never changed in place, and is encoded at once.
        return 200, {"dashboard": d.json, "meta": self.app.grafana.dashboard_meta(org, d)}

    def h_delete_dashboard(self, user: User, org: Org, query, body, uid):
        d = org.dashboards.get(uid)
        if d is None:
            return 404, err("Dashboard not found")
        if d.provisioned:
            return 400, err("provisioned dashboard cannot be deleted")
        if user.role == "Viewer":
            return 403, err("Access denied to this dashboard")
        del org.dashboards[uid]
        title = d.json.get("title", "")
        return 200, {"title": title, "message": f"Dashboard {title} deleted", "uid": uid}

    def h_get_versions(self, user, org: Org, query, body, uid):
        d = org.dashboards.get(uid)
        if d is None:
            return 404, err("Dashboard not found")
        try:
            limit = int((query.get("limit") or ["1000"])[0])
            start = int((query.get("start") or ["0"])[0])
        except ValueError:
            return 400, err("bad request data")
        chosen = d.versions[start:start + limit]
        more = start + limit < len(d.versions)
        return 200, {"continueToken": str(start + limit) if more else "",
                     "versions": [self.app.grafana.version_dto(d, v, False) for v in chosen]}

    def h_get_version(self, user, org: Org, query, body, uid, version):
        d = org.dashboards.get(uid)
        if d is None:
            return 404, err("Dashboard not found")
        found = next((v for v in d.versions if str(v.version) == version), None)
        if found is None:
            return 404, err("Dashboard version not found")
        return 200, self.app.grafana.version_dto(d, found, True)

    def h_restore(self, user, org, query, body, uid):
        return self.app.grafana.restore_dashboard(org, user, uid, body)

    # --- folders ---------------------------------------------------------------------

    def h_list_folders(self, user, org: Org, query, body):
        parent = (query.get("parentUid") or [""])[0]
        limit = int((query.get("limit") or ["1000"])[0])
        page = max(1, int((query.get("page") or ["1"])[0]))
        children = sorted((f for f in org.folders.values() if f.parent_uid == parent), key=lambda f: f.title.lower())
        chosen = children[(page - 1) * limit: page * limit]
        out = []
        for f in chosen:
            hit = {"id": f.id, "uid": f.uid, "title": f.title}
            if f.parent_uid:
                hit["parentUid"] = f.parent_uid
            out.append(hit)
        return 200, out

    def h_create_folder(self, user: User, org, query, body):
        if user.role == "Viewer":
            return 403, err("Access denied")
        return self.app.grafana.create_folder(org, user, body if isinstance(body, dict) else {})

    def h_get_folder(self, user, org: Org, query, body, uid):
        f = org.folders.get(uid)
        if f is None:
            return 404, err("folder not found", "not-found")
        return 200, self.app.grafana.folder_dto(org, f)

    def h_update_folder(self, user, org, query, body, uid):
        return self.app.grafana.update_folder(org, user, uid, body if isinstance(body, dict) else {})

    def h_move_folder(self, user, org, query, body, uid):
        return self.app.grafana.move_folder(org, user, uid, body if isinstance(body, dict) else {})

    def h_delete_folder(self, user, org, query, body, uid):
        return self.app.grafana.delete_folder(org, uid)

    # --- datasources -----------------------------------------------------------------

    def h_list_datasources(self, user, org: Org, query, body):
        items = []
        for ds in sorted(org.datasources.values(), key=lambda d: d.body["name"].lower())[:5000]:
            dto = self.app.grafana.datasource_dto(org, ds)
            for key in ("secureJsonFields", "version", "withCredentials", "basicAuthUser"):
                dto.pop(key)
            dto["typeName"] = ds.body["type"].capitalize()
            items.append(dto)
        return 200, items

    def h_create_datasource(self, user, org, query, body):
        return self.app.grafana.create_datasource(org, user, body)

    def _ds_by_name(self, org: Org, name: str):
        return next((d for d in org.datasources.values() if d.body["name"] == name), None)

    def h_datasource_id(self, user, org, query, body, name):
        ds = self._ds_by_name(org, name)
        return (404, err("Data source not found")) if ds is None else (200, {"id": ds.id})

    def h_get_datasource_by_name(self, user, org, query, body, name):
        ds = self._ds_by_name(org, name)
        return (404, err("Data source not found")) if ds is None else (200, self.app.grafana.datasource_dto(org, ds))

    def h_get_datasource(self, user, org: Org, query, body, uid):
        ds = org.datasources.get(uid)
        return (404, err("Data source not found")) if ds is None else (200, self.app.grafana.datasource_dto(org, ds))

    def h_update_datasource(self, user, org, query, body, uid):
        return self.app.grafana.update_datasource(org, user, uid, body)

    def h_delete_datasource(self, user: User, org: Org, query, body, uid):
        ds = org.datasources.get(uid)
        if ds is None:
            return 404, err("Data source not found")
        if ds.read_only:
            return 403, err("Cannot delete read-only data source")
        del org.datasources[uid]
        return 200, {"message": "Data source deleted", "id": ds.id}


    # --- the query library (queries.grafana.app/v1) --------------------------------

    def _namespace_org(self, user: User, org: Org, namespace: str) -> tuple[Org | None, Any]:
        wanted = 1 if namespace == "default" else int(namespace[4:]) if re.match(r"^org-\d+$", namespace) else None
        if wanted is None or wanted != org.id:
            return None, (403, k8s_status(403, "Forbidden", f"namespace {namespace!r} does not match the request's org"))
        return org, None

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


def _locked_body(handler: str) -> dict[str, Any]:
    """SQLite's busy error as Grafana reports it in production mode (no "error" key)."""
    if "dashboard" in handler:
        return err("Failed to save dashboard")
    if "folder" in handler:
        return err("Folder API error")
    return err("Failed to update datasource" if handler == "update_datasource" else "Failed to add datasource")


def _permanent(faults: Faults, handler: str, args: tuple[str, ...], body: Any) -> tuple[int, Any] | None:
    """A configured permanent failure for the object this write touches."""
    if not faults.permanent:
        return None
    uid = args[0] if args else None
    if uid is None and isinstance(body, dict):
        uid = (body.get("dashboard") or {}).get("uid") if isinstance(body.get("dashboard"), dict) else body.get("uid")
    answer = faults.permanent.get(uid or "")
    return copy.deepcopy(answer) if answer else None
