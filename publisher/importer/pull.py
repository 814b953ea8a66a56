"""`dash pull`: a dashboard dash manages, as someone left it in Grafana, imported as Python beside its code.

The live version goes through the same import as `dash import` (migrate, generate, ruff format), without
dash's marks; the words say what differs from the code, so the edit can be carried into the code by hand
instead of being overwritten by `dash publish --force`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from ..model import unmarked
from .run import Module, to_module
from .sources import ImportFailed, unwrap


@attrs.frozen
class Pulled:
    uid: str
    code: str  # file:line of the dashboard in the code
    module: Module  # the live version as a module
    words: list[str]  # what the live version changed, against the code
    suggested: Path  # where to write it by default: beside the code, a name discovery skips


def pulled(rendered: list[Any], target: Any, env: str, uid: str) -> Pulled:
    """The live version of `uid` as a module, and how it differs from what the code renders."""
    from ..handlers.dashboard_words import dashboard_words, normalise

    ours = next((r for r in rendered if r.uid == uid), None)
    if ours is None:
        raise ImportFailed(f"{uid}: no dashboard with this uid in the code; `dash pull` is for dashboards dash "
                           f"manages (`dash import --env {env} --uid {uid}` brings in one it does not)")
    envelope = target.dashboards.get(uid)
    if envelope is None:
        raise ImportFailed(f"env {env}: dashboard {uid!r} is not in Grafana: nothing to pull (`dash publish "
                           f"--env {env}` creates it)")
    imported = unwrap(envelope, f"env {env} dashboard {uid}")
    live = {**imported.dashboard, "tags": unmarked(imported.dashboard.get("tags"))}
    imported = attrs.evolve(imported, dashboard=live, folder=ours.folder)
    module = to_module(imported, set())
    code = dict(ours.json)
    words = dashboard_words(normalise({**code, "tags": unmarked(code.get("tags"))}), normalise(live))
    file = Path(ours.source.rsplit(":", 1)[0])
    return Pulled(uid, ours.source, module, words, file.parent / f"_pulled_{uid}.py")
