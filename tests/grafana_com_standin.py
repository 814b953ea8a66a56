"""A local stand-in for grafana.com's dashboard downloads (there is no network here).

It serves `GET /api/dashboards/{id}/revisions/{revision}/download` from files given by path (the corpus'
Node Exporter Full for 1860), and `GET /api/dashboards/{id}` with the dashboard's latest `revision`,
with grafana.com's status codes: 200 and JSON, 404 with a JSON message for an unknown dashboard or
revision.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .conftest import ROOT

NODE_EXPORTER_FULL = ROOT.parent / "shared" / "corpus" / "rfmoz__node-exporter-full.json"
_DOWNLOAD = re.compile(r"^/api/dashboards/(\d+)/revisions/(\d+)/download$")
_DASHBOARD = re.compile(r"^/api/dashboards/(\d+)$")


class GrafanaComStandIn:
    def __init__(self, files: dict[tuple[int, int], Path]) -> None:
        self.files = dict(files)
        self.requests: list[str] = []
        self.down = False  # answer 503, as grafana.com does when it is unavailable
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                stand_in.requests.append(self.path)
                match = _DOWNLOAD.match(self.path)
                path = stand_in.files.get((int(match[1]), int(match[2]))) if match else None
                about = _DASHBOARD.match(self.path)
                revisions = [rev for (i, rev) in stand_in.files if about and i == int(about[1])]
                if stand_in.down:
                    self._send(503, b'{"message":"Service unavailable"}')
                elif revisions:
                    self._send(200, json.dumps({"id": int(about[1]), "revision": max(revisions)}).encode())
                elif path is None:
                    self._send(404, json.dumps({"code": "NotFound", "message": "Dashboard not found"}).encode())
                else:
                    self._send(200, path.read_bytes())

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "GrafanaComStandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
