"""A real HTTP server on 127.0.0.1 that answers like Grafana's /api.

`Emulator` is the server and its knobs (faults, counts, recorded exchanges, the
query library, a sub-path). `_Handler` parses a request, routes it (routes.py),
authenticates it (auth.py), applies the fault knobs (faults.py) and counts it;
the endpoints come from one module per API area (instance.py, search.py,
dashboards.py, folders.py, datasources.py, query_library.py), and the rules of
each resource from the store in state.py.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from . import routes
from .apis_dashboards import DashboardApiEndpoints
from .apis_folders import FolderApiEndpoints
from .auth import authenticate
from .dashboards import DashboardEndpoints
from .datasources import DatasourceEndpoints
from .faults import Faults, locked_body, permanent
from .folders import FolderEndpoints
from .instance import InstanceEndpoints
from .kube import status as k8s_status
from .model import Org, User, clone, err
from .modes import DEFAULT, MODES
from .query_library import QueryEndpoints, QueryLibrary
from .routes import WRITES, Route
from .search import SearchEndpoints
from .state import Grafana


@dataclass
class Exchange:
    """One request and its answer, kept for OpenAPI validation."""

    method: str
    template: str  # the spec's path key, relative to /api
    query: dict[str, list[str]]
    request: Any
    status: int
    response: Any


class Emulator:
    """Start with `Emulator().start()`; `url` is its base URL; `stop()` ends it."""

    def __init__(self, tokens: dict[str, User] | None = None, users: dict[tuple[str, str], User] | None = None,
                 mode: str = DEFAULT):
        self.grafana = Grafana(MODES[mode])
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

    @property
    def stack_id(self) -> int | None:
        """Grafana Cloud: the stack whose /apis namespace is `stacks-<id>` (None on-prem: default, org-<id>)."""
        return self.grafana.stack_id

    @stack_id.setter
    def stack_id(self, value: int | None) -> None:
        self.grafana.stack_id = value

    @property
    def nested_folders(self) -> bool:
        """The `nestedFolders` feature toggle (on by default); only 11.6 has it, 12.2 removed it (PR #109212)."""
        return self.grafana.nested_folders

    @nested_folders.setter
    def nested_folders(self, value: bool) -> None:
        self.grafana.nested_folders = value

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
            dash = clone(stored.json)
            change(dash)
            body = {"dashboard": dash, "folderUid": stored.folder_uid, "overwrite": False, "message": ""}
            status, answer = self.grafana.save_dashboard(org, User(user, "Editor"), body)
            assert status == 200, answer
            return answer

    def move_dashboard(self, uid: str, folder_uid: str, user: str = "alice", org_id: int = 1) -> dict[str, Any]:
        """Move a dashboard to another folder as the UI does: a save of the same content with a new folderUid."""
        with self.grafana.lock:
            org = self.grafana.org(org_id)
            dash = clone(org.dashboards[uid].json)
            body = {"dashboard": dash, "folderUid": folder_uid, "overwrite": False, "message": ""}
            status, answer = self.grafana.save_dashboard(org, User(user), body)
            assert status == 200, answer
            return answer

    def restore_dashboard(self, uid: str, version: int, user: str = "alice", org_id: int = 1) -> dict[str, Any]:
        """Restore an old version, as the UI's version history does (POST .../restore)."""
        with self.grafana.lock:
            status, answer = self.grafana.restore_dashboard(self.grafana.org(org_id), User(user), uid,
                                                            {"version": version})
            assert status == 200, answer
            return answer

    def store_as_v2(self, uid: str, org_id: int = 1) -> None:
        """Someone converted the dashboard to the v2 schema (13.0's default for new dashboards)."""
        with self.grafana.lock:
            self.grafana.org(org_id).dashboards[uid].api_version = "v2beta1"

    def dashboard(self, uid: str, org_id: int = 1) -> dict[str, Any] | None:
        with self.grafana.lock:
            stored = self.grafana.org(org_id).dashboards.get(uid)
            return clone(stored.json) if stored else None

    # --- request handling ------------------------------------------------------------

    def authenticate(self, headers: Any) -> tuple[User | None, int | None, dict[str, Any] | None]:
        """(user, org id, None) or (None, None, the 401 body)."""
        return authenticate(self.tokens, self.users, headers)

    def draw(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._count_lock:
            return self._rng.random() < rate


class _Handler(InstanceEndpoints, SearchEndpoints, DashboardEndpoints, FolderEndpoints, DatasourceEndpoints,
               QueryEndpoints, DashboardApiEndpoints, FolderApiEndpoints, BaseHTTPRequestHandler):
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

    def _answer(self, method: str, template: str, query: dict[str, list[str]], body: Any, status: int,
                answer: Any) -> None:
        if self.app.record:
            with self.app._count_lock:
                self.app.exchanges.append(Exchange(method, template, query, clone(body), status,
                                                   clone(answer)))
        self._send(status, answer)

    # --- one request: route, count, faults, auth, the handler ----------------------------

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
        route = routes.find(method, path, app.query_library)
        template = route[2] if route else path
        with app._count_lock:
            app.counts[(method, template)] += 1
        faults = app.faults
        if faults.latency:
            time.sleep(faults.latency)
        eligible = method in WRITES or not faults.only_writes
        if eligible and template != "/health" and self._fault_before(faults):
            return
        if route is None:
            self._no_route(method, path, query)
            return
        self._handle(method, route, path, query, raw, faults, eligible)

    def _fault_before(self, faults: Faults) -> bool:
        """A reset, a proxy's 502/503/504 or a 429 instead of processing; True when one was sent."""
        app = self.app
        if app.draw(faults.reset_rate):
            self._reset()
            return True
        if app.draw(faults.error_rate):
            status = app._rng.choice([502, 503, 504])
            self._send(status, f"{status} upstream error from the proxy in front of Grafana", text=True)
            return True
        if app.draw(faults.rate_limit_rate):
            self._send(429, {"message": "Too Many Requests"}, {"Retry-After": faults.retry_after})
            return True
        return False

    def _no_route(self, method: str, path: str, query: dict[str, list[str]]) -> None:
        if path.startswith("/apis/"):  # what Kubernetes-style routing answers for an unknown group
            self._answer(method, path, query, None, 404, k8s_status(404, "NotFound", "the server could not find "
                                                                          "the requested resource"))
            return
        self._send(404, {"message": "Not found"})

    def _handle(self, method: str, route: Route, path: str, query: dict[str, list[str]], raw: bytes,
                faults: Faults, eligible: bool) -> None:
        """Parse the body, authenticate, process; then maybe lose the answer."""
        app = self.app
        template = route[2]
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                if template.startswith("/apis"):  # the apiserver's decoder, a Status
                    self._send(400, k8s_status(400, "BadRequest", "couldn't get version/kind; json parse error"))
                else:
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
        status, answer = self._process(method, route[3], args, user, org_id, query, body, faults)
        if eligible and app.draw(faults.lost_response_rate):
            self._reset()
            return
        self._answer(method, template, query, body, status, answer)

    def _process(self, method: str, name: str, args: tuple[str, ...], user: User | None, org_id: int,
                 query: dict[str, list[str]], body: Any, faults: Faults) -> tuple[int, Any]:
        """The handler's answer, unless the write overlaps another (database_locked) or fails permanently."""
        app = self.app
        is_write = method in WRITES
        locked = False
        if is_write:
            with app._count_lock:
                locked = faults.database_locked and app._writes_in_flight > 0
                app._writes_in_flight += 1
        try:
            if locked:
                status, answer = 500, locked_body(name)
            else:
                failure = permanent(faults, name, args, body) if is_write else None
                if failure is not None:
                    status, answer = failure
                else:
                    handler = getattr(self, "h_" + name)
                    with app.grafana.lock:
                        status, answer = handler(user, app.grafana.org(org_id), query, body, *args)
            if is_write and faults.database_locked:
                time.sleep(0.005)  # hold the "transaction" long enough for writes to overlap
        finally:
            if is_write:
                with app._count_lock:
                    app._writes_in_flight -= 1
        return status, answer
