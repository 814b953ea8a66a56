"""Datasources on a Grafana server: by uid, with secrets sent but never shown, and a digest to notice changes.

Grafana never returns a secret (it answers `secureJsonFields: {"basicAuthPassword": true}`),
so a plain comparison cannot see that a password changed. dash stores a salted
scrypt digest of the secrets it sent in the datasource's jsonData
(`dashSecretDigest`) and compares the desired secrets against it. The digest
is slow to brute-force (scrypt, n=2^14) and never leaves Grafana.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import os
from typing import Any

from ..grafana import GrafanaError
from ..grafana.api import DatasourceAPI
from ..model import (
    CREATE,
    DELETE,
    MANAGED_KEY,
    MANAGED_VALUE,
    PROJECT_KEY,
    UNCHANGED,
    UPDATE,
    Change,
    DesiredDatasource,
    DesiredState,
    LiveDatasource,
    Outcome,
)
from .base import ApplyOptions, PlanOptions, other_project
from .value_words import keyed_changes

SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 16}
SECRET_DIGEST_KEY = "dashSecretDigest"
SECRET_KEYS_KEY = "dashSecretKeys"  # the names of the secrets dash sent: the ones it may clear
# The fields dash manages, with Grafana's defaults: a field Grafana fills in is no change.
FIELDS = {
    "uid": "", "name": "", "type": "", "access": "proxy", "url": "", "isDefault": False, "basicAuth": False,
    "basicAuthUser": "", "user": "", "database": "", "withCredentials": False, "jsonData": {},
}


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


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """The fields dash manages, with Grafana's defaults filled in; no ids, versions or secrets."""
    out = {key: copy.deepcopy(data.get(key)) if data.get(key) is not None else copy.deepcopy(default)
           for key, default in FIELDS.items()}
    out["jsonData"] = {k: v for k, v in (out["jsonData"] or {}).items() if k not in (SECRET_DIGEST_KEY,
                                                                                     SECRET_KEYS_KEY)}
    return out


def _live(raw: dict[str, Any]) -> LiveDatasource:
    json_data = raw.get("jsonData") or {}
    keys = json_data.get(SECRET_KEYS_KEY)
    return LiveDatasource(raw.get("uid") or "", raw.get("name") or "", normalise(raw), raw.get("version"),
                          json_data.get(SECRET_DIGEST_KEY), bool(raw.get("readOnly")),
                          tuple(sorted(keys)) if isinstance(keys, list) else None,
                          tuple(sorted(k for k, held in (raw.get("secureJsonFields") or {}).items() if held)))


def removed_secrets(desired: DesiredDatasource, live: LiveDatasource) -> list[str]:
    """Secrets dash sent before and no longer declares: publish clears them, as Grafana keeps keys not sent
    (fillWithSecureJSONData in pkg/services/datasources/service) and lists only non-empty ones."""
    return sorted(set(live.secret_keys or ()) & set(live.secure_fields) - set(desired.secrets))


def _kept_secrets_note(desired: DesiredDatasource, live: LiveDatasource) -> str | None:
    """Secrets Grafana holds that dash does not declare and cannot prove it sent: said, never cleared."""
    recorded = set(live.secret_keys or ())
    kept = sorted(set(live.secure_fields) - set(desired.secrets) - recorded)
    if not kept:
        return None
    return (f"Grafana keeps secret(s) {', '.join(kept)} that dash does not declare (set by hand, or published "
            "before dash recorded secret names); dash leaves them: clear them in Grafana if they are stale")


class DatasourceHandler:
    kind = "datasource"
    notes_orphans = False  # without --prune, only dashboards are listed as no longer declared

    def __init__(self, api: DatasourceAPI) -> None:
        self.api = api

    def wanted(self, state: DesiredState) -> list[DesiredDatasource]:
        return state.datasources

    def read(self, desired: DesiredDatasource) -> LiveDatasource | None:
        raw = self.api.get(desired.uid)
        return _live(raw) if raw is not None else None

    def owned(self, state: DesiredState) -> list[LiveDatasource]:
        every = [_live(d) for d in self.api.list()]
        return sorted((d for d in every if d.fields["jsonData"].get(MANAGED_KEY) == MANAGED_VALUE
                       and d.fields["jsonData"].get(PROJECT_KEY) == state.project), key=lambda d: d.uid)

    def notes(self, state: DesiredState, lives: list[Any]) -> list[str]:
        notes = []
        for uid in state.external_datasources:
            if self.api.get(uid) is None:
                notes.append(f"dashboards use datasource {uid!r}, which this environment neither manages "
                             f"(datasources: in dash.yaml) nor has; their panels will show no data")
        return notes

    def compare(self, desired: DesiredDatasource, live: LiveDatasource | None, options: PlanOptions) -> Change:
        if live is None:
            secrets = sorted(desired.secrets)
            notes = (f"sends {len(secrets)} secret(s): {', '.join(secrets)}",) if secrets else ()
            return Change(self.kind, desired.uid, desired.name, CREATE, desired=desired, notes=notes)
        if live.read_only:
            # Provisioned from a file: Grafana refuses any write (403 "Cannot update read-only data
            # source", updateDataSourceByID in pkg/api/datasources.go), so dash says so and writes nothing.
            return Change(self.kind, desired.uid, desired.name, UNCHANGED, desired=desired, live=live,
                          notes=("read-only in Grafana (file-provisioned): change it in its provisioning file; "
                                 "dash does not write it",))
        blocked = other_project(live.fields["jsonData"].get(PROJECT_KEY), desired.body["jsonData"].get(PROJECT_KEY),
                                f"datasource {desired.uid!r}")
        if blocked is not None:
            return Change(self.kind, desired.uid, desired.name, UPDATE, ("belongs to another project",), desired,
                          live, blocked)
        ours, theirs = normalise(desired.body), live.fields
        # The values, Grafana's then ours (secrets are never among them: they go in secureJsonData).
        details = keyed_changes(theirs, ours, [k for k in sorted(ours) if k != "jsonData"])
        details += [f"jsonData.{words}" for words in keyed_changes(theirs["jsonData"], ours["jsonData"])]
        removed = removed_secrets(desired, live)
        if not secrets_match(desired.secrets, live.secret_digest):
            sent = ", ".join(sorted(desired.secrets))
            details.append(f"secrets changed: {sent}" if sent else "secrets changed")
        if removed:
            details.append(f"secrets removed: {', '.join(removed)} (publish clears them in Grafana)")
        note = _kept_secrets_note(desired, live)
        return Change(self.kind, desired.uid, desired.name, UPDATE if details else UNCHANGED, tuple(details),
                      desired, live, notes=(note,) if note else ())

    def plan_delete(self, live: LiveDatasource, state: DesiredState) -> Change | None:
        if live.uid in state.external_datasources or live.read_only:
            return None  # still used by the dashboards, or provisioned (Grafana refuses the delete)
        return Change(self.kind, live.uid, live.name, DELETE, live=live)

    def orphan_note(self, orphans: list[LiveDatasource]) -> str:
        return f"{len(orphans)} datasource(s) published by dash are no longer declared; --prune deletes them"

    def _body(self, ds: DesiredDatasource, send_secrets: bool, stored_digest: str | None,
              clear: list[str] = ()) -> dict[str, Any]:
        """What to send: the secrets when they changed (an empty value clears one Grafana would keep)."""
        body = {**ds.body, "jsonData": dict(ds.body["jsonData"])}
        if ds.secrets:
            body["jsonData"][SECRET_DIGEST_KEY] = secret_digest(ds.secrets) if send_secrets else stored_digest
            body["jsonData"][SECRET_KEYS_KEY] = sorted(ds.secrets)
        if (send_secrets and ds.secrets) or clear:
            body["secureJsonData"] = {**{k: "" for k in clear},
                                      **({k: v.reveal() for k, v in ds.secrets.items()} if send_secrets else {})}
        return body

    def apply(self, change: Change, options: ApplyOptions) -> Outcome:
        if change.action == DELETE:
            self.api.delete(change.uid)
            return Outcome(change, True, "deleted")
        ds: DesiredDatasource = change.desired

        def already(_: Any) -> dict[str, Any] | None:
            live = self.read(ds)
            same = live is not None and live.fields == normalise(ds.body) and secrets_match(ds.secrets,
                                                                                            live.secret_digest)
            return {"datasource": {"version": live.version}} if same else None

        try:
            if change.action == CREATE:
                answer = self.api.create(self._body(ds, True, None), reconcile=already)
            else:
                live: LiveDatasource = change.live
                send = not secrets_match(ds.secrets, live.secret_digest)
                body = {**self._body(ds, send, live.secret_digest, removed_secrets(ds, live)), "version": live.version}
                answer = self.api.update(ds.uid, body, reconcile=already)
        except GrafanaError as exc:
            if exc.status == 409 and "same name" in exc.server_message:
                raise GrafanaError(
                    f"another datasource in Grafana already uses the name {ds.name!r}; rename ours (its "
                    f"Datasource declaration) or remove or rename theirs (HTTP 409: {exc.server_message})",
                    409, exc.body) from None
            raise
        version = (answer.get("datasource") or {}).get("version")
        return Outcome(change, True, "created" if change.action == CREATE else "updated", version)
