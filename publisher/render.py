"""Render: the project's dashboards as Grafana JSON, and the rule that one uid is one dashboard.

Rendering happens as each module is loaded (publisher/project.py), so that a
module's objects can go once its dashboards are bytes, and a module whose
cached result is still valid is not run at all (publisher/module_cache.py).
A dashboard that fails to render is a LoadError naming its file and line;
the others still render. Two dashboards with one uid are one error (the
second is dropped by `unique`: both would be one file and one Grafana object).
"""

from __future__ import annotations

import attrs

from .loader import LoadError
from .project import Project
from .rendered import DASHBOARD, SAVED_QUERIES_FALLBACK, Rendered

__all__ = ["DASHBOARD", "SAVED_QUERIES_FALLBACK", "RenderResult", "Rendered", "render", "unique"]


@attrs.frozen
class RenderResult:
    dashboards: list[Rendered]
    errors: list[LoadError]


def render(project: Project) -> RenderResult:
    """Every dashboard of the project (the saved queries' stand-in included), and every load or render error."""
    return RenderResult(list(project.rendered), list(project.errors))


def unique(result: RenderResult) -> RenderResult:
    """Without a second dashboard that takes a uid already taken (reported): both would be one object."""
    by_uid: dict[str, Rendered] = {}
    errors = list(result.errors)
    for item in result.dashboards:
        other = by_uid.get(item.uid)
        if other is not None:
            file, line = item.source.rsplit(":", 1)
            errors.append(LoadError(file, int(line), f"dashboard uid {item.uid!r} is already used by "
                                    f"{other.source}; each dashboard needs its own uid"))
            continue
        by_uid[item.uid] = item
    return RenderResult(list(by_uid.values()), errors)
