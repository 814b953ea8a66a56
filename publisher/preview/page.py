"""A dashboard's layout as one self-contained HTML page: boxes in absolute positions, inline CSS, no script.

Nothing in a page depends on the time or the machine: the same layout gives the same bytes, so that
pictures can be committed, compared and served from anywhere (no external font or file). Every text is
escaped with `html.escape`. The grid starts at (GRID_LEFT, GRID_TOP) of the page, so a screenshot's pixel
(GRID_LEFT + box.left, GRID_TOP + box.top) is the box's corner.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Iterable, Mapping

import attrs

from ..output import counted, write_atomic
from .layout import Box, Layout, layout

GRID_LEFT = 16  # px from the page's left edge to column 0
GRID_TOP = 72  # px from the page's top to grid row 0 (below the heading)
BORDER = 2  # px of each box's border
QUERY_CHARS = 300  # of each query shown (on up to three lines) (the box's tooltip has 2000)
QUERY_LINE = 15  # px per query line
PANEL_COLOUR = "#3d71d9"  # the border of a panel with no mark
ROW_COLOUR = "#7b8087"
MARK_COLOURS = {"changed": "#ff9830", "added": "#37872d", "removed": "#e02f44"}

CSS = f"""
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: #f4f5f8; color: #24292e; font: 13px/1.3 "DejaVu Sans", Arial, sans-serif; }}
.page {{ position: relative; }}
.head {{ position: absolute; left: {GRID_LEFT}px; top: 8px; height: {GRID_TOP - 16}px; right: {GRID_LEFT}px;
  overflow: hidden; }}
.head h1 {{ margin: 0; font-size: 20px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.head p {{ margin: 4px 0 0; color: #555; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.grid {{ position: absolute; left: {GRID_LEFT}px; top: {GRID_TOP}px; }}
.box {{ position: absolute; overflow: hidden; background: #fff; border: {BORDER}px solid {PANEL_COLOUR};
  border-radius: 0; }}
.box.row {{ background: #e9ebef; border-color: {ROW_COLOUR}; }}
.title {{ height: 22px; padding: 3px 6px 0; font-weight: bold; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
.meta {{ padding: 0 6px; height: 18px; white-space: nowrap; overflow: hidden; }}
.badge {{ display: inline-block; padding: 0 5px; border-radius: 3px; background: #dde4f4; color: #1f3f7a;
  font-size: 11px; }}
.unit {{ margin-left: 6px; color: #555; font-size: 11px; }}
.mark {{ position: absolute; right: 4px; top: 3px; padding: 0 5px; border-radius: 3px; color: #fff;
  font-size: 11px; font-weight: bold; }}
.queries {{ margin: 2px 0 0; padding: 0 6px; font: 11px/{QUERY_LINE}px "DejaVu Sans Mono", monospace;
  color: #333; }}
.queries div {{ max-height: {3 * QUERY_LINE}px; overflow: hidden; overflow-wrap: anywhere; }}
.hides {{ margin-left: 8px; color: #555; font-size: 11px; font-weight: normal; }}
.notes {{ position: absolute; left: {GRID_LEFT}px; right: {GRID_LEFT}px; color: #555; }}
.message {{ position: absolute; left: {GRID_LEFT}px; top: {GRID_TOP}px; font-size: 16px; }}
""" + "".join(f".box.{name} {{ border-color: {colour}; }}\n.{name} .mark {{ background: {colour}; }}\n"
              for name, colour in MARK_COLOURS.items())


@attrs.frozen
class Mark:
    """What a diff says about one box: changed, added or removed; `words`, what (shown as its tooltip)."""

    status: str
    words: tuple[str, ...] = ()


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _queries(box: Box) -> str:
    room = max(0, (box.height - 2 * BORDER - 44) // QUERY_LINE)
    shown = list(box.queries[:room])
    lines = [f'<div title="{escape(_shorten(q.text, 2000))}">'
             f"{escape(q.ref_id)}: {escape(_shorten(q.text, QUERY_CHARS))}</div>" for q in shown]
    if len(box.queries) > len(shown) and room:
        lines[-1] = f"<div>… {len(box.queries) - len(shown) + 1} more queries</div>"
    return f'<div class="queries">{"".join(lines)}</div>' if lines else ""


def _row_body(box: Box) -> str:
    arrow = "▸" if box.collapsed else "▾"
    hides = ""
    if box.collapsed:
        count, names = len(box.hidden), ", ".join(t or "(untitled)" for t in box.hidden)
        words = f"collapsed, hides {counted(count, 'panel')}" + (f": {names}" if names else "")
        hides = f' <span class="hides" title="{escape(names)}">{escape(words)}</span>'
    return f'<div class="title">{arrow} {escape(box.title or "(untitled row)")}{hides}</div>'


def _panel_body(box: Box) -> str:
    unit = f'<span class="unit">{escape(box.unit)}</span>' if box.unit else ""
    placed = '<span class="unit">no gridPos: Grafana\'s default</span>' if box.defaulted else ""
    return (f'<div class="title">{escape(box.title or "(untitled)")}</div>'
            f'<div class="meta"><span class="badge">{escape(box.type)}</span>{unit}{placed}</div>{_queries(box)}')


def box_html(box: Box, mark: Mark | None = None) -> str:
    """One box: a div with class `box` (and `row`, and the mark's status) and data-panel-id."""
    classes = ["box", "row" if box.row else "panel"] + ([mark.status] if mark else [])
    style = f"left:{box.left}px;top:{box.top}px;width:{box.width}px;height:{box.height}px"
    tip = f' title="{escape(chr(10).join(mark.words))}"' if mark and mark.words else ""
    label = f'<span class="mark">{escape(mark.status)}</span>' if mark else ""
    body = _row_body(box) if box.row else _panel_body(box)
    return (f'<div class="{" ".join(classes)}" data-panel-id="{escape(box.key)}" style="{style}"{tip}>'
            f"{body}{label}</div>")


def page_html(lay: Layout | None, heading: str, detail: str = "", marks: Mapping[int, Mark] | None = None,
              message: str = "") -> str:
    """The page of one dashboard (or, with `lay` None, of its absence: `message` says why)."""
    marks = marks or {}
    parts = [f'<div class="head"><h1>{escape(heading)}</h1><p>{escape(detail)}</p></div>']
    height = GRID_TOP + 40
    if lay is not None:
        boxes = "\n".join(box_html(box, marks.get(i)) for i, box in enumerate(lay.boxes))
        parts.append(f'<div class="grid" style="width:{lay.width}px;height:{lay.height}px">\n{boxes}\n</div>')
        height = GRID_TOP + lay.height + 16
        if lay.notes:
            notes = "".join(f"<p>{escape(n)}</p>" for n in lay.notes)
            parts.append(f'<div class="notes" style="top:{height}px">{notes}</div>')
            height += 24 * len(lay.notes) + 16
    if message:
        parts.append(f'<div class="message">{escape(message)}</div>')
    width = (lay.width if lay is not None else 1200) + 2 * GRID_LEFT
    return _document(heading, f'<div class="page" style="width:{width}px;height:{height}px">\n'
                     + "\n".join(parts) + "\n</div>")


def _document(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def index_html(title: str, entries: Iterable[tuple[str, str, list[tuple[str, str]]]]) -> str:
    """A list of dashboards, in the order given: (label, detail, [(href, text)...]) each; the label links
    to the first href, and each further link follows the detail."""
    items = []
    for label, detail, links in entries:
        more = " ".join(f'<a href="{escape(href)}">{escape(text)}</a>' for href, text in links[1:])
        items.append(f'<li><a href="{escape(links[0][0])}">{escape(label)}</a> <span>{escape(detail)}</span>'
                     + (f" {more}" if more else "") + "</li>")
    return _document(title, f'<div style="padding:16px"><h1>{escape(title)}</h1>\n<ul>\n'
                     + "\n".join(items) + "\n</ul></div>")


def file_stem(uid: str, taken: set[str]) -> str:
    """A file name for a dashboard's pages: its uid, with characters outside Grafana's uid rule replaced;
    a second dashboard with the same stem gets -2, -3..."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", uid)[:80] or "dashboard"
    name, n = stem, 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}-{n}"
    taken.add(name.lower())
    return name


def summary(lay: Layout) -> str:
    """The line under a page's heading: uid and what it holds."""
    panels = sum(1 for b in lay.boxes if not b.row) + sum(len(b.hidden) for b in lay.boxes)
    rows = sum(1 for b in lay.boxes if b.row)
    return f"uid {lay.uid or '(none)'} · {counted(panels, 'panel')}, {counted(rows, 'row')}"



def write_pages(dashboards: Iterable[tuple[str, dict]], out: Path) -> list[Path]:
    """One page per dashboard ((where, dashboard JSON) each; `where` is shown, e.g. its folder) and
    index.html, sorted by uid; returns the paths written or already identical."""
    items = sorted(((str(d.get("uid") or ""), where, d) for where, d in dashboards), key=lambda t: (t[0], t[1]))
    taken: set[str] = {"index"}
    paths, entries = [], []
    for uid, where, data in items:
        lay = layout(data)
        name = f"{file_stem(uid, taken)}.html"
        detail = summary(lay) + (f" · {where}" if where else "")
        write_atomic(out / name, page_html(lay, lay.title or uid or "(untitled dashboard)", detail).encode())
        paths.append(out / name)
        entries.append((lay.title or uid or "(untitled dashboard)", detail, [(name, "page")]))
    write_atomic(out / "index.html", index_html("Dashboards", entries).encode())
    return [*paths, out / "index.html"]
