"""Where a plan is applied: a Grafana server, or a provisioning directory Grafana loads at start.

Both are a list of handlers (publisher.handlers) behind the one engine
(publisher.engine), so plan, drift, prune and ownership follow the same rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..desired import TargetTraits
    from ..model import Plan


class Target(Protocol):
    description: str  # "http://host/grafana/ (org 1)", "directory /repo/grafana/provisioning"
    traits: "TargetTraits"
    reads: int  # how many reads may run at once
    writes: int  # a ceiling for concurrent writes

    def handlers(self) -> list[Any]:
        """The target's handlers, in the order creates and updates apply (deletes go in reverse)."""

    def finish(self, plan: "Plan") -> None:
        """After apply: record what the target must remember (a directory's manifest)."""

    def close(self) -> None:
        ...
