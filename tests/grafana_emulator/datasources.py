"""Data sources (behaviour.md §4): the rules, and the /api/datasources endpoints."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .model import UID_CHARS, Org, StoredDatasource, User, clone, err, new_uid

if TYPE_CHECKING:
    from .server import Emulator


class DatasourceRules:
    """The datasource rules of `Grafana` (state.py), which provides `next_id`."""

    def datasource_dto(self, org: Org, ds: StoredDatasource) -> dict[str, Any]:
        body = ds.body
        return {
            "id": ds.id, "uid": ds.uid, "orgId": org.id, "name": body["name"], "type": body["type"],
            "typeLogoUrl": f"public/app/plugins/datasource/{body['type']}/img/logo.svg",
            "access": body.get("access") or "proxy", "url": body.get("url") or "", "user": body.get("user") or "",
            "database": body.get("database") or "", "basicAuth": bool(body.get("basicAuth")),
            "basicAuthUser": body.get("basicAuthUser") or "", "withCredentials": bool(body.get("withCredentials")),
            "isDefault": bool(body.get("isDefault")), "jsonData": clone(body.get("jsonData") or {}),
            "secureJsonFields": {k: True for k in sorted(ds.secure) if ds.secure[k]}, "version": ds.version,
            "readOnly": ds.read_only,
        }

    def _ds_invalid(self, body: dict[str, Any]) -> tuple[int, Any] | None:
        uid = body.get("uid") or ""
        if not isinstance(uid, str) or not UID_CHARS.match(uid):
            return 400, err("uid contains illegal characters")
        if len(uid) > 40:
            return 400, err("uid too long, max 40 characters")
        url = body.get("url") or ""
        if url and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/]+", url):
            return 400, err("Validation error, invalid URL")
        return None

    def create_datasource(self, org: Org, user: User, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not (body.get("name") or "").strip() or not body.get("type"):
            return 400, err("bad request data")
        invalid = self._ds_invalid(body)
        if invalid:
            return invalid
        if user.role != "Admin":
            return 403, err("Permission denied")
        if any(d.body["name"] == body["name"] for d in org.datasources.values()):
            return 409, err("data source with the same name already exists")
        uid = body.get("uid") or new_uid()
        if uid in org.datasources:
            return 409, err("data source with the same uid already exists")
        fields = {k: clone(v) for k, v in body.items() if k not in ("secureJsonData", "uid", "version")}
        ds = StoredDatasource(self.next_id(), uid, fields, dict(body.get("secureJsonData") or {}), 1)
        org.datasources[uid] = ds
        return 200, {"message": "Datasource added", "id": ds.id, "name": fields["name"],
                     "datasource": self.datasource_dto(org, ds)}

    def update_datasource(self, org: Org, user: User, uid: str, body: Any) -> tuple[int, Any]:
        ds = org.datasources.get(uid)
        if ds is None:
            return 404, err("Data source not found")
        if not isinstance(body, dict) or not (body.get("name") or "").strip():
            return 400, err("bad request data")
        if ds.read_only:
            return 403, err("Cannot update read-only data source")
        invalid = self._ds_invalid({**body, "uid": body.get("uid") or uid})
        if invalid:
            return invalid
        if user.role != "Admin":
            return 403, err("Permission denied")
        if any(d.body["name"] == body["name"] and d.uid != uid for d in org.datasources.values()):
            return 409, err("Failed to update datasource: data source with the same name already exists")
        sent_version = body.get("version") or 0
        # Optimistic lock: the update matches only while stored <= sent (pkg/.../store.go).
        if sent_version and ds.version > sent_version:
            return 409, err("Datasource has already been updated by someone else. Please reload and try again")
        ds.body = {k: clone(v) for k, v in body.items() if k not in ("secureJsonData", "uid", "version")}
        ds.secure.update(body.get("secureJsonData") or {})  # keys not sent are kept
        ds.version = sent_version + 1 if sent_version else ds.version + 1
        return 200, {"message": "Datasource updated", "id": ds.id, "name": ds.body["name"],
                     "datasource": self.datasource_dto(org, ds)}


class DatasourceEndpoints:
    """The /api/datasources handlers of the request handler (server.py)."""

    app: Emulator

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
