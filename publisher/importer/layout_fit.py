"""How to write a dashboard's layout: as rows that dash lays out, where that gives the very same grid.

The dashboard's panels (Grafana's order: by position) fall into sections: the panels above the first
row, then each row with the panels below it (a collapsed row: the panels inside it). For each
section in turn the layout that dash itself would compute (publisher/sdk/layout.py `place`, given
the sections before it) is tried: panels that share the line evenly (`height=`, `per_line=`),
then panels of given widths and heights; the first that puts every panel where the source has it
is kept. Otherwise each panel keeps its position (`grid=GridPos(...)`), and so does a row header
that is not where dash would put it (a gap above it, say).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs

from ..sdk.errors import DashboardError
from ..sdk.layout import DEFAULT_HEIGHT, DEFAULT_PER_LINE, GridPos, Placed, Section, Slot, place


@attrs.define
class Part:
    """One section of the dashboard and how to write it."""

    header: dict[str, Any] | None  # the row panel, or None for panels with no row above them
    panels: list[dict[str, Any]]
    collapsed: bool = False
    height: int = DEFAULT_HEIGHT
    per_line: int = DEFAULT_PER_LINE
    widths: list[int | None] = attrs.field(factory=list)  # per panel: columns, or None (shares the line)
    heights: list[int | None] = attrs.field(factory=list)  # per panel: rows, or None (the section's height)
    fixed: bool = False  # every panel at its own grid position
    header_grid: GridPos | None = None  # the row header's position, when dash would put it elsewhere

    def section(self) -> Section:
        slots = tuple(
            Slot(fixed=_grid(p)) if self.fixed else Slot(width=w, height=h)
            for p, w, h in zip(self.panels, self.widths, self.heights)
        )
        return Section(slots, self.header is not None, self.height, self.per_line, self.collapsed)


def _grid(panel: dict[str, Any]) -> GridPos:
    g = panel.get("gridPos") or {}
    return GridPos(int(g.get("x", 0)), int(g.get("y", 0)), int(g.get("w", 1)), int(g.get("h", 1)))


def sections(panels: list[dict[str, Any]]) -> list[Part]:
    """The dashboard's top-level panels cut into sections."""
    parts: list[Part] = []
    current: Part | None = None
    for p in panels:
        if p.get("type") == "row":
            collapsed = bool(p.get("collapsed"))
            current = Part(p, list(p.get("panels") or []) if collapsed else [], collapsed)
            parts.append(current)
        else:
            if current is None or current.collapsed:
                current = Part(None, [])
                parts.append(current)
            current.panels.append(p)
    return parts


def _placed(done: list[Part], part: Part) -> Placed | None:
    """Where dash places this section, after those before it (None: a width or height dash refuses)."""
    try:
        return place([d.section() for d in done] + [part.section()])[-1]
    except DashboardError:
        return None


def _panels_match(done: list[Part], part: Part) -> bool:
    """Whether dash places this section's panels exactly where the source has them."""
    placed = _placed(done, part)
    return placed is not None and all(_grid(p) == g for p, g in zip(part.panels, placed.slots))


def _flow_candidates(part: Part) -> list[dict[str, Any]]:
    grids = [_grid(p) for p in part.panels]
    if not grids:
        return [{}]
    heights = Counter(g.h for g in grids)
    common = heights.most_common(1)[0][0]
    first_line = sum(1 for g in grids if g.y == grids[0].y)
    even = {"height": common, "per_line": max(1, min(first_line, 24)), "widths": [None] * len(grids),
            "heights": [None if g.h == common else g.h for g in grids]}
    sized = {"height": common, "per_line": 24, "widths": [g.w for g in grids],
             "heights": [None if g.h == common else g.h for g in grids]}
    return [even, sized]


def fit(panels: list[dict[str, Any]]) -> list[Part]:
    """The sections, each with the simplest layout that reproduces its positions."""
    done: list[Part] = []
    for part in sections(panels):
        chosen = None
        for candidate in _flow_candidates(part):
            trial = attrs.evolve(part, **candidate)
            if _panels_match(done, trial):
                chosen = trial
                break
        if chosen is None:
            n = len(part.panels)
            chosen = attrs.evolve(part, fixed=True, widths=[None] * n, heights=[None] * n)
        placed = _placed(done, chosen)
        if chosen.header is not None and (placed is None or placed.header != _grid(chosen.header)):
            chosen.header_grid = _grid(chosen.header)
        done.append(chosen)
    return done
