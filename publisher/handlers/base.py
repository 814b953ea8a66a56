"""What every resource handler does: read the live objects, plan changes, apply one change.

Adding a kind of resource means adding one handler and listing it in
`publisher.handlers.HANDLERS`; nothing else knows the kinds.
"""

from __future__ import annotations

from typing import Any, Protocol

import attrs

from ..model import Change, Outcome


@attrs.frozen
class PlanOptions:
    prune: bool = False
    verbose: bool = False


@attrs.frozen
class ApplyOptions:
    force: bool = False
    message: str = "dash publish"


@attrs.frozen
class KindPlan:
    changes: list[Change]
    notes: list[str] = attrs.field(factory=list)


class Handler(Protocol):
    kind: str

    def plan(self, grafana: Any, state: Any, options: PlanOptions) -> KindPlan:
        """Read the live objects this kind manages and compare them with the desired ones."""

    def apply(self, grafana: Any, change: Change, options: ApplyOptions) -> Outcome:
        """Make one change; raise GrafanaError when it fails."""
