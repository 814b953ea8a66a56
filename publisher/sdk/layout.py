"""Grid positions computed from rows of panels, so nobody writes GridPos by hand.

Grafana's grid is 24 columns wide; `y` grows downwards in rows of about 30 px.
A section (a dashboard row) holds slots. A slot has either a fixed width in
columns or a relative weight, and an optional height. Slots flow left to right
and wrap onto a new line when the next one would not fit in 24 columns or the
line already holds `per_line` slots. Lines of weighted slots are balanced
(5 panels at 4 per line make lines of 3 and 2, not 4 and 1). A slot with an
explicit position keeps it; lint reports an overlap it may cause.

This module knows nothing of Grafana JSON; it maps sizes to positions. The
grid's width, and the rules for a position (fits the grid, overlaps another),
are `publisher.dashboard_json`'s.
"""

from __future__ import annotations

import math
from typing import Sequence

import attrs

from ..dashboard_json import COLUMNS
from .errors import DashboardError

DEFAULT_HEIGHT = 8
DEFAULT_PER_LINE = 4
ROW_HEADER_HEIGHT = 1


@attrs.frozen
class GridPos:
    """A fixed position on Grafana's 24-column grid: `stat("Up", "up", unit="none", grid=GridPos(0, 0, 6, 4))`."""

    x: int
    y: int
    w: int
    h: int

    def to_json(self) -> dict[str, int]:
        return {"h": self.h, "w": self.w, "x": self.x, "y": self.y}


@attrs.frozen
class Slot:
    width: int | None = None  # columns, 1-24; None = share the line by weight
    weight: float = 1.0
    height: int | None = None
    fixed: GridPos | None = None  # an explicit position, kept as given

    def __attrs_post_init__(self) -> None:
        if self.width is not None and not (isinstance(self.width, int) and 1 <= self.width <= COLUMNS):
            raise DashboardError(f"panel width {self.width!r} must be a whole number of columns from 1 to 24")
        if not (isinstance(self.weight, (int, float)) and self.weight > 0):
            raise DashboardError(f"panel weight {self.weight!r} must be a positive number")
        if self.height is not None and not (isinstance(self.height, int) and self.height >= 1):
            raise DashboardError(f"panel height {self.height!r} must be a whole number of grid rows, at least 1")


@attrs.frozen
class Section:
    slots: tuple[Slot, ...]
    header: bool = True  # a row header (Grafana "row" panel) above the slots
    height: int = DEFAULT_HEIGHT
    per_line: int = DEFAULT_PER_LINE
    collapsed: bool = False

    def __attrs_post_init__(self) -> None:
        if not (isinstance(self.per_line, int) and 1 <= self.per_line <= COLUMNS):
            raise DashboardError(f"per_line {self.per_line!r} must be from 1 to 24")
        if not (isinstance(self.height, int) and self.height >= 1):
            raise DashboardError(f"row height {self.height!r} must be at least 1")


@attrs.frozen
class Placed:
    header: GridPos | None
    slots: tuple[GridPos, ...]


def _min_width(slot: Slot, per_line: int) -> int:
    return slot.width if slot.width is not None else COLUMNS // per_line


def _break_lines(slots: Sequence[Slot], per_line: int) -> list[list[Slot]]:
    lines: list[list[Slot]] = []
    line: list[Slot] = []
    used = 0
    for slot in slots:
        need = _min_width(slot, per_line)
        if line and (len(line) >= per_line or used + need > COLUMNS):
            lines.append(line)
            line, used = [], 0
        line.append(slot)
        used += need
    if line:
        lines.append(line)
    if lines and all(s.width is None for s in slots):
        # Same number of lines, panels spread evenly: earlier lines take the extra.
        n, count = len(slots), len(lines)
        sizes = [n // count + (1 if i < n % count else 0) for i in range(count)]
        lines, start = [], 0
        for size in sizes:
            lines.append(list(slots[start:start + size]))
            start += size
    return lines


def _widths(line: Sequence[Slot]) -> list[int]:
    """Columns per slot: fixed widths as given, the rest shared by weight."""
    free = COLUMNS - sum(s.width for s in line if s.width is not None)
    weighted = [i for i, s in enumerate(line) if s.width is None]
    widths = [s.width or 0 for s in line]
    if not weighted:
        return widths
    # Each weighted slot gets one column, then the rest by largest remainder.
    spare = free - len(weighted)
    total = sum(line[i].weight for i in weighted)
    shares = [spare * line[i].weight / total for i in weighted]
    floors = [math.floor(s) for s in shares]
    left = spare - sum(floors)
    order = sorted(range(len(weighted)), key=lambda k: (floors[k] - shares[k], k))
    for k in order[:left]:
        floors[k] += 1
    for k, i in enumerate(weighted):
        widths[i] = 1 + floors[k]
    return widths


def place(sections: Sequence[Section]) -> list[Placed]:
    """Positions for each section's header and slots, top to bottom."""
    placed: list[Placed] = []
    y = 0
    for section in sections:
        header = None
        if section.header:
            header = GridPos(0, y, COLUMNS, ROW_HEADER_HEIGHT)
            y += ROW_HEADER_HEIGHT
        top = y
        positions: dict[int, GridPos] = {}
        flowing = [i for i, s in enumerate(section.slots) if s.fixed is None]
        slots = [section.slots[i] for i in flowing]
        index = iter(flowing)
        for line in _break_lines(slots, section.per_line):
            x, tallest = 0, 0
            for slot, width in zip(line, _widths(line)):
                h = slot.height or section.height
                positions[next(index)] = GridPos(x, y, width, h)
                x += width
                tallest = max(tallest, h)
            y += tallest
        for i, slot in enumerate(section.slots):
            if slot.fixed is not None:
                positions[i] = slot.fixed
                y = max(y, slot.fixed.y + slot.fixed.h)
        placed.append(Placed(header, tuple(positions[i] for i in range(len(section.slots)))))
        if section.collapsed and header is not None:
            # A collapsed row keeps its panels inside it; the next row follows the header.
            y = top
    return placed
