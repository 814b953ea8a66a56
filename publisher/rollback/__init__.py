"""`dash rollback --env E --to REF`: bring the project's dashboards in E back to what dash published from REF.

    owned dashboards -> their histories -> REF (git) -> one version each -> plan (compare) -> engine apply

`plan` and `apply` are the command's two steps over the App (configuration, environment, connection);
the rules live in `history` (what each version is), `choose` (which version is REF's, which commit is
`previous`), `planning` (the changes) and `restore` (restore through the engine).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import attrs

if TYPE_CHECKING:
    from ..app import App, Planned, Published
    from ..gitinfo import Commit
    from ..interrupts import Stop
    from ..model import Force, Outcome

PREVIOUS = "previous"


@attrs.frozen
class Rollback:
    planned: "Planned"  # the env, a target whose one handler restores, and the plan
    to: "Commit"
    ref: str  # as the user wrote it

    def to_json(self) -> dict[str, str]:
        return {"ref": self.ref, "sha": self.to.sha, "short": self.to.short, "subject": self.to.subject}


def _repository(app: "App") -> Path:
    """Where git is asked: the directory of dash.yaml, else the working directory (as publish's message)."""
    path = app.config.path
    return path.resolve().parent if path is not None else Path.cwd()


def plan(app: "App", env_name: str, ref: str, prune: bool = False, verbose: bool = False,
         forced: tuple[str, ...] = ()) -> Rollback:
    """The rollback's plan; AppError for what the user must fix (a bad REF, no repository, a directory env, a
    `--force UID` that names no dashboard of the plan)."""
    from ..app import AppError, Planned
    from ..grafana import GrafanaError
    from ..selection import SelectionError, check_names
    from .planning import RollbackError, plan_rollback, resolve_ref
    from .restore import RollbackTarget

    env = app.environment(env_name)
    assert env is not None
    if env.directory is not None:
        raise AppError(f"env {env.name} writes a provisioning directory, which keeps no version history to roll "
                       f"back; check out {ref} (or `git revert`) and publish instead")
    repo = _repository(app)
    try:
        to = resolve_ref(ref, repo)
    except RollbackError as exc:
        raise AppError(str(exc)) from None
    target = app.connect(env)
    try:
        rolled = plan_rollback(target, app.config.project, ref, to, repo, env.name, prune, verbose)
    except RollbackError as exc:
        raise AppError(str(exc)) from None
    except GrafanaError as exc:
        raise AppError(f"env {env.name} ({target.description}): {exc}") from None
    try:
        check_names(rolled.plan, forced, "--force")
    except SelectionError as exc:
        raise AppError(f"env {env.name}: {exc}") from None
    return Rollback(Planned(env, RollbackTarget(target, rolled.handler), rolled.plan), rolled.to, ref)


def message(rollback: Rollback) -> str:
    """The version message of what the rollback saves (a dash mark is appended by the dashboards handler)."""
    from .history import ROLLBACK

    return f"{ROLLBACK}{rollback.to.short} ({rollback.to.subject[:200]})"


def apply(rollback: Rollback, force: "Force", progress: Callable[["Outcome"], None] = lambda o: None,
          stop: "Stop | None" = None) -> "Published":
    """Make the plan's changes through the engine's apply loop."""
    from ..app import Published
    from ..engine import apply as engine_apply
    from ..handlers import ApplyOptions

    planned = rollback.planned
    options = ApplyOptions(force=force, message=message(rollback), command="rollback")
    outcomes = engine_apply(planned.target, planned.plan, options, progress, stop)
    return Published(planned, outcomes, stop)


__all__ = ["PREVIOUS", "Rollback", "apply", "message", "plan"]
