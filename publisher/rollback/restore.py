"""How a rollback is written: through the engine's one apply loop, with a handler that restores.

The engine (publisher.engine.apply) brings what publish has: drift refused unless --force, another
project's dashboard always refused, bounded concurrency, one failure not stopping the others, SIGINT and
SIGTERM. It applies a target's handlers by kind, so the rollback hands it a target whose one dashboard
handler restores versions and delegates everything else (deletes, saves) to the dashboards handler.

On the legacy /api a version is restored with Grafana's own restore (POST .../restore {"version": N}), which
saves version N's data as a new version in the dashboard's current folder with the message "Restored from
version N" (RestoreDashboardVersion in pkg/api/dashboard.go). That message carries no mark of dash's, but
the restored content is version N's, whose message does: the drift check looks through the history for the
content's mark and finds version N's, so a later publish is not refused. That holds only when version N was
published in the folder the dashboard is in now (the mark hashes the folder too); otherwise, and on /apis
(which has no restore: "restore a dashboard by reading it from history, then creating it again"), the
version's content is saved by the dashboards handler with the rollback's message and a fresh mark, sending
the resourceVersion read (a 409 Conflict fails that dashboard alone).

Grafana's restore takes no version to check against, so before it the dashboard is read again, and one
saved since the plan read it is not restored (unless --force), as publish's save would get a 412.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..grafana import GrafanaError
from ..model import UPDATE, Change, Outcome

if TYPE_CHECKING:
    from ..handlers import ApplyOptions
    from ..handlers.dashboards import DashboardHandler
    from ..model import Plan


class RollbackHandler:
    """The dashboards handler's verbs for the engine's apply, with updates made as restores."""

    kind = "dashboard"
    notes_orphans = False

    def __init__(self, inner: "DashboardHandler", versions: dict[str, int], restores: set[str]) -> None:
        self.inner = inner
        self.versions = versions  # uid -> the version number the rollback brings back
        self.restores = restores  # uids restored with Grafana's restore (legacy); the others are saved

    def apply(self, change: Change, options: "ApplyOptions") -> Outcome:
        number = self.versions.get(change.uid)
        if change.action != UPDATE or number is None:
            return self.inner.apply(change, options)
        if change.uid in self.restores:
            return self._restore(change, number, options.forces(change.uid))
        outcome = self.inner.apply(change, options)
        return attrs.evolve(outcome, message=f"restored version {number} (saved as a new version)")

    def _restore(self, change: Change, number: int, force: bool) -> Outcome:
        api = self.inner.api
        if not force:
            current = api.get(change.uid) or {}
            now = (current.get("dashboard") or {}).get("version")
            if now != change.live.version:
                raise GrafanaError(
                    f"dashboard {change.uid!r} was changed in Grafana while dash was rolling it back (version "
                    f"{change.live.version} read, {now} now); nothing was overwritten; run `dash rollback "
                    "--dry-run` and roll back again", 409)
        try:
            answer = api.restore(change.uid, number)
        except GrafanaError as exc:
            if exc.status == 400 and "identical" in str(exc):  # a retried restore whose first attempt landed
                return Outcome(change, True, f"restored version {number} (already)", change.live.version)
            raise
        return Outcome(change, True, f"restored version {number}", answer.get("version"))


class RollbackTarget:
    """A server target as the engine sees it, with the rollback's one handler."""

    def __init__(self, target: Any, handler: RollbackHandler) -> None:
        self.target, self.handler = target, handler
        self.reads, self.writes = target.reads, target.writes
        self.description = target.description
        self.http = getattr(target, "http", None)  # the report reads retries and write concurrency from it
        self.api_path = getattr(target, "api_path", "legacy")

    def handlers(self) -> list[Any]:
        return [self.handler]

    def finish(self, plan: "Plan") -> None:
        return None
