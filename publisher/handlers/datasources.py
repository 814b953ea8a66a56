"""Datasources: by uid, with secrets sent but never shown, and a digest to notice that they changed.

Grafana never returns a secret (it answers `secureJsonFields: {"basicAuthPassword": true}`),
so a plain comparison cannot see that a password changed. dash stores a salted
scrypt digest of the secrets it sent in the datasource's jsonData
(`dashSecretDigest`) and compares the desired secrets against it. The digest
is slow to brute-force (scrypt, n=2^14) and never leaves Grafana.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from ..client import Grafana, GrafanaError
from ..desired import DesiredDatasource, DesiredState
from ..model import CREATE, DELETE, UNCHANGED, UPDATE, Change, Outcome
from ..normalize import SECRET_DIGEST_KEY, datasource as normalize, is_managed_datasource
from .base import ApplyOptions, KindPlan, PlanOptions

SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 16}


def secret_digest(secrets: dict[str, Any], salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(12)
    material = "\x00".join(f"{k}={v.reveal()}" for k, v in sorted(secrets.items())).encode()
    digest = hashlib.scrypt(material, salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def secrets_match(secrets: dict[str, Any], stored: str | None) -> bool:
    if not secrets:
        return not stored
    try:
        scheme, salt, _ = (stored or "").split("$")
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(secret_digest(secrets, bytes.fromhex(salt)), stored)


class DatasourceHandler:
    kind = "datasource"

    def plan(self, grafana: Grafana, state: DesiredState, options: PlanOptions) -> KindPlan:
        lookups = state.datasources + [uid for uid in state.external_datasources]
        lives = grafana.map_reads(lookups, lambda item: grafana.get_or_none(
            f"datasource {getattr(item, 'uid', item)!r}",
            lambda api: api.datasource.get_datasource_by_uid(getattr(item, "uid", item))))
        for live in lives:
            if isinstance(live, BaseException):
                raise live
        changes = [self._compare(d, live) for d, live in zip(state.datasources, lives)]
        notes = []
        for uid, live in zip(state.external_datasources, lives[len(state.datasources):]):
            if live is None:
                notes.append(f"dashboards use datasource {uid!r}, which this environment neither manages "
                             f"(datasources: in dash.yaml) nor has; their panels will show no data")
        if options.prune:
            wanted = {d.uid for d in state.datasources} | set(state.external_datasources)
            every = grafana.call("list datasources", lambda api: api.datasource.list_datasources())
            changes[:0] = [Change(self.kind, d["uid"], d["name"], DELETE, live=d)
                           for d in sorted(every, key=lambda d: d["uid"])
                           if is_managed_datasource(d) and d["uid"] not in wanted]
        return KindPlan(changes, notes)

    def _compare(self, ds: DesiredDatasource, live: dict[str, Any] | None) -> Change:
        if live is None:
            notes = (f"sends {len(ds.secrets)} secret(s): {', '.join(sorted(ds.secrets))}",) if ds.secrets else ()
            return Change(self.kind, ds.uid, ds.name, CREATE, desired=ds, notes=notes)
        ours, theirs = normalize(ds.body), normalize(live)
        details = [f"{key} changed" for key in sorted(ours) if key != "jsonData" and ours[key] != theirs[key]]
        for key in sorted(set(ours["jsonData"]) | set(theirs["jsonData"])):
            if ours["jsonData"].get(key) != theirs["jsonData"].get(key):
                details.append(f"jsonData.{key} changed")
        stored = (live.get("jsonData") or {}).get(SECRET_DIGEST_KEY)
        secrets_changed = not secrets_match(ds.secrets, stored)
        if secrets_changed:
            details.append("secrets changed: " + (", ".join(sorted(ds.secrets)) or "removed"))
        action = UPDATE if details else UNCHANGED
        return Change(self.kind, ds.uid, ds.name, action, tuple(details), ds, {**live, "_secrets_changed": secrets_changed})

    def _body(self, ds: DesiredDatasource, send_secrets: bool, stored_digest: str | None) -> dict[str, Any]:
        body = {**ds.body, "jsonData": dict(ds.body["jsonData"])}
        if ds.secrets:
            body["jsonData"][SECRET_DIGEST_KEY] = secret_digest(ds.secrets) if send_secrets else stored_digest
            if send_secrets:
                body["secureJsonData"] = {k: v.reveal() for k, v in ds.secrets.items()}
        return body

    def apply(self, grafana: Grafana, change: Change, options: ApplyOptions) -> Outcome:
        uid = change.uid
        if change.action == DELETE:
            grafana.delete(f"delete datasource {uid!r}", lambda api: api.datasource.delete_datasource_by_uid(uid))
            return Outcome(change, True, "deleted")
        ds: DesiredDatasource = change.desired

        def already(api: Any) -> dict[str, Any] | None:
            live = api.datasource.get_datasource_by_uid(uid)
            digest = (live.get("jsonData") or {}).get(SECRET_DIGEST_KEY)
            same = normalize(live) == normalize(ds.body) and secrets_match(ds.secrets, digest)
            return {"datasource": live} if same else None

        try:
            if change.action == CREATE:
                answer = grafana.call(f"create datasource {ds.name!r}",
                                      lambda api: api.datasource.create_datasource(self._body(ds, True, None)),
                                      write=True, reconcile=already)
            else:
                live = change.live
                send = live.get("_secrets_changed", False)
                body = {**self._body(ds, send, (live.get("jsonData") or {}).get(SECRET_DIGEST_KEY)),
                        "version": live.get("version")}
                answer = grafana.call(f"update datasource {ds.name!r}",
                                      lambda api: api.datasource.update_datasource_by_uid(uid, body),
                                      write=True, reconcile=already)
        except GrafanaError as exc:
            if exc.status == 409 and "same name" in exc.server_message:
                raise GrafanaError(
                    f"another datasource in Grafana already uses the name {ds.name!r}; rename ours (its "
                    f"Datasource declaration) or remove or rename theirs (HTTP 409: {exc.server_message})",
                    409, exc.body) from None
            raise
        version = (answer.get("datasource") or {}).get("version")
        return Outcome(change, True, "created" if change.action == CREATE else "updated", version)
