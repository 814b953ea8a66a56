"""`dash preview` and the diff pictures: the layout's arithmetic, the pages' HTML, the command."""

from __future__ import annotations

import json
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.model import CREATE, DELETE, UPDATE, Change, DesiredDashboard, LiveDashboard, Plan
from publisher.preview.diff_pages import write_diff_pictures
from publisher.preview.layout import GRID_CELL_HEIGHT, GRID_CELL_VMARGIN, PAGE_WIDTH, _compact, layout
from publisher.preview.page import page_html, summary, write_pages
from publisher.targets.directory import DesiredFile, LiveFile

STEP = GRID_CELL_HEIGHT + GRID_CELL_VMARGIN  # px from one grid row to the next


def panel(pid, title, x, y, w, h, kind="timeseries", expr=None, **more):
    out = {"id": pid, "title": title, "type": kind, "gridPos": {"x": x, "y": y, "w": w, "h": h}, **more}
    if expr is not None:
        out["targets"] = [{"refId": "A", "expr": expr}]
    return out


def row(pid, title, y, collapsed=False, children=()):
    return {"id": pid, "title": title, "type": "row", "collapsed": collapsed,
            "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": list(children)}


def sample() -> dict:
    """Two half-width panels, an open row with one full-width panel, a collapsed row holding two."""
    return {"uid": "sample", "title": "Sample", "panels": [
        panel(1, "Left", 0, 0, 12, 8, expr="sum(rate(a_total[5m]))",
              fieldConfig={"defaults": {"unit": "reqps"}, "overrides": []}),
        panel(2, "Right", 12, 0, 12, 8, kind="stat", expr="up"),
        row(3, "Details", 8),
        panel(4, "Wide", 0, 9, 24, 4, kind="table", targets=[{"refId": "Q", "rawSql": "SELECT 1"},
                                                             {"refId": "L", "query": "{app=\"x\"}"}]),
        row(5, "Folded", 13, collapsed=True, children=[panel(6, "Hidden one", 0, 14, 12, 8),
                                                        panel(7, "Hidden two", 12, 14, 12, 8)]),
    ]}


class _Boxes(HTMLParser):
    """Every element with class `box`: its classes, data-panel-id and pixel style; and all text."""

    def __init__(self) -> None:
        super().__init__()
        self.boxes: list[dict] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if "box" in classes:
            style = dict(re.findall(r"(\w+):(-?\d+)px", a.get("style") or ""))
            self.boxes.append({"classes": classes, "id": a.get("data-panel-id"), "title": a.get("title"),
                               **{k: int(v) for k, v in style.items()}})

    def handle_data(self, data):
        self.text.append(data)


def boxes_in(html: str) -> list[dict]:
    parser = _Boxes()
    parser.feed(html)
    return parser.boxes


def text_of(html: str) -> str:
    parser = _Boxes()
    parser.feed(html)
    return "".join(parser.text)


# --- layout ------------------------------------------------------------------------------


def test_boxes_follow_grafanas_grid():
    lay = layout(sample())
    left, right, details, wide, folded = lay.boxes
    column = (PAGE_WIDTH - 23 * GRID_CELL_VMARGIN) / 24  # react-grid-layout's column width, margin between columns
    assert (left.left, left.top, left.width, left.height) == (0, 0, round(12 * column + 11 * 8), 8 * 30 + 7 * 8)
    assert right.left == round(12 * (column + 8)) and right.left + right.width == PAGE_WIDTH
    assert right.left - (left.left + left.width) == GRID_CELL_VMARGIN  # the gap between neighbours
    assert details.top == 8 * STEP and details.height == GRID_CELL_HEIGHT and details.width == PAGE_WIDTH
    assert wide.top == 9 * STEP and wide.height == 4 * 30 + 3 * 8 and wide.width == PAGE_WIDTH
    assert folded.top == 13 * STEP and lay.height == folded.top + folded.height
    assert [b.key for b in lay.boxes] == ["1", "2", "3", "4", "5"]


def test_panel_fields_and_queries():
    left, right, details, wide, folded = layout(sample()).boxes
    assert (left.title, left.type, left.unit) == ("Left", "timeseries", "reqps")
    assert [(q.ref_id, q.text) for q in left.queries] == [("A", "sum(rate(a_total[5m]))")]
    assert right.unit is None and right.type == "stat"
    assert [(q.ref_id, q.text) for q in wide.queries] == [("Q", "SELECT 1"), ("L", '{app="x"}')]
    assert details.row and not details.collapsed and details.hidden == ()


def test_collapsed_row_lists_what_it_hides_and_draws_none_of_it():
    lay = layout(sample())
    folded = lay.boxes[-1]
    assert folded.row and folded.collapsed and folded.hidden == ("Hidden one", "Hidden two")
    assert "Hidden one" not in [b.title for b in lay.boxes]
    assert lay.owner[("panels", 4, "panels", 0)] == lay.owner[("panels", 4)] == 4


def test_open_row_ignores_its_own_panels_list():
    data = {"panels": [row(1, "Open", 0, children=[panel(2, "Stray", 0, 1, 6, 3)])]}
    (only,) = layout(data).boxes
    assert only.hidden == () and not only.collapsed


def test_compaction_moves_panels_up_and_out_of_each_other():
    data = {"panels": [panel(1, "Low", 0, 20, 6, 3), panel(2, "On top", 0, 20, 6, 4), panel(3, "Beside", 6, 40, 6, 2)]}
    low, on_top, beside = layout(data).boxes
    assert (low.y, on_top.y, beside.y) == (0, 3, 0)  # nothing above: they rise; the second sits below the first


def _rgl_compact(items):
    """react-grid-layout's compact(), step by step as utils.js writes it: the reference for _compact."""
    def hit(a, placed):
        return next((p for p in placed if not (a["x"] + a["w"] <= p["x"] or p["x"] + p["w"] <= a["x"]
                                               or a["y"] + a["h"] <= p["y"] or p["y"] + p["h"] <= a["y"])), None)
    placed, out = [], [None] * len(items)
    for i in sorted(range(len(items)), key=lambda i: (items[i]["y"], items[i]["x"])):
        item = dict(items[i])
        item["y"] = min(max((p["y"] + p["h"] for p in placed), default=0), item["y"])
        while item["y"] > 0 and hit(item, placed) is None:
            item["y"] -= 1
        while (other := hit(item, placed)) is not None:
            item["y"] = other["y"] + other["h"]
        placed.append(item)
        out[i] = item
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 23), st.integers(0, 30), st.integers(1, 24), st.integers(1, 9)), max_size=12))
def test_compaction_is_react_grid_layouts(cells):
    items = [{"x": min(x, 24 - w), "y": y, "w": w, "h": h} for x, y, w, h in cells]
    assert _compact(items) == _rgl_compact(items)


def test_a_panel_far_down_takes_no_time():
    data = {"panels": [panel(1, "Tall", 0, 0, 6, 10**9), panel(2, "Far", 0, 10**9 - 1, 6, 2)]}
    tall, far = layout(data).boxes
    assert far.y == 10**9


def test_panels_without_grid_pos_get_grafanas_default():
    data = {"panels": [{"id": 1, "title": "No grid", "type": "stat"}, {"id": 2, "type": "text"},
                       {"id": 3, "title": "Junk", "gridPos": {"x": "a", "y": None, "w": 30, "h": -1}},
                       {"title": "Far right", "gridPos": {"x": 20, "y": 0, "w": 8, "h": 2}}, "not a panel", 7]}
    first, second, junk, far = layout(data).boxes
    assert (first.x, first.y, first.w, first.h, first.defaulted) == (0, 0, 6, 3, True)
    assert (second.x, second.y) == (0, 3)  # the same default place, pushed below the first
    assert junk.w == 24 and junk.h == 3 and junk.defaulted
    assert (far.x, far.w, far.defaulted) == (16, 8, False)  # moved left onto the grid, as react-grid-layout does
    assert far.key == "" and second.title == ""


@pytest.mark.parametrize("data", [{}, [], None, {"panels": None}, {"panels": "x"},
                                  {"rows": [{"panels": [{"span": 4}]}]},
                                  {"panels": [{"type": "row", "collapsed": True, "panels": "x"}]}])
def test_bad_input_does_not_crash(data):
    html = page_html(layout(data), "t")
    assert html.startswith("<!DOCTYPE html>")


def test_pre_5_rows_are_noted_not_drawn():
    lay = layout({"rows": [{"panels": [{"title": "Old", "span": 6}]}]})
    assert lay.boxes == () and "pre-5.0" in lay.notes[0]


# --- pages -------------------------------------------------------------------------------


def test_page_has_a_box_per_panel_at_the_layouts_pixels():
    lay = layout(sample())
    found = boxes_in(page_html(lay, "Sample", summary(lay)))
    assert [b["id"] for b in found] == [b.key for b in lay.boxes]
    for box, html_box in zip(lay.boxes, found):
        assert (html_box["left"], html_box["top"], html_box["width"], html_box["height"]) == (
            box.left, box.top, box.width, box.height)
        assert ("row" in html_box["classes"]) == box.row and ("panel" in html_box["classes"]) != box.row
    assert "collapsed, hides 2 panels: Hidden one, Hidden two" in text_of(page_html(lay, "Sample"))


def test_text_is_escaped():
    evil = "<script>alert('x')</script>"
    data = {"uid": "evil", "title": evil, "panels": [panel(1, evil, 0, 0, 12, 8, kind=evil, expr=evil,
                                                          fieldConfig={"defaults": {"unit": evil}})]}
    lay = layout(data)
    html = page_html(lay, lay.title, summary(lay))
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert text_of(html).count(evil) >= 4  # the title, the heading, the panel's title, type, unit and query


def test_pages_are_deterministic(tmp_path):
    dashboards = [("Platform", sample()), ("Other", {**sample(), "uid": "second", "title": "Second"})]
    first = write_pages(dashboards, tmp_path / "a")
    shuffled = list(dashboards)
    random.Random(4).shuffle(shuffled)
    second = write_pages(list(reversed(shuffled)), tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second] == ["sample.html", "second.html", "index.html"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
    index = (tmp_path / "a" / "index.html").read_text()
    assert 'href="sample.html"' in index and 'href="second.html"' in index


def test_uids_that_are_not_file_names(tmp_path):
    paths = write_pages([("", {"uid": "../x y"}), ("", {"uid": "../x y"}), ("", {})], tmp_path)
    assert all(p.parent == tmp_path for p in paths) and len(set(paths)) == 4


# --- diff pictures -----------------------------------------------------------------------


def _update(before: dict, after: dict) -> Change:
    desired = DesiredDashboard(after["uid"], after["title"], "f", "F", after, "x.py:1")
    live = LiveDashboard(before["uid"], before["title"], 3, "f", "F", "", "", before)
    return Change("dashboard", after["uid"], after["title"], UPDATE, ("panel 'Right': query A: ...",), desired, live)


def _changed() -> tuple[dict, dict]:
    before = sample()
    after = json.loads(json.dumps(before))
    after["panels"][1]["targets"][0]["expr"] = "up == 1"  # Right: changed
    after["panels"].insert(0, panel(9, "New", 0, 0, 6, 3))  # added, and ids of the rest unchanged
    del after["panels"][4]  # Wide: removed (after the insert, index 4)
    after["panels"][-1]["panels"][1]["title"] = "Hidden renamed"  # inside the collapsed row
    after["panels"][-1]["panels"][1]["targets"] = [{"refId": "A", "expr": "x"}]
    return before, after


def _by_id(html: str) -> dict[str, dict]:
    return {b["id"]: b for b in boxes_in(html)}


def test_diff_pictures_mark_changed_added_and_removed(tmp_path):
    before, after = _changed()
    paths = write_diff_pictures(Plan([_update(before, after)], []), tmp_path)
    assert [p.name for p in paths] == ["sample.before.html", "sample.after.html", "index.html"]
    old = _by_id((tmp_path / "sample.before.html").read_text())
    new = _by_id((tmp_path / "sample.after.html").read_text())
    assert "changed" in old["2"]["classes"] and "changed" in new["2"]["classes"]
    assert "removed" in old["4"]["classes"] and "4" not in new
    assert "added" in new["9"]["classes"] and "9" not in old
    assert "changed" in new["5"]["classes"] and "inside this collapsed row" in new["5"]["title"]
    for unmarked in ("1", "3"):
        assert not {"changed", "added", "removed"} & set(old[unmarked]["classes"] + new[unmarked]["classes"])
    assert "changed" in text_of((tmp_path / "sample.after.html").read_text())
    assert "panel 'Right': query A" in text_of((tmp_path / "sample.after.html").read_text())
    assert 'href="sample.before.html"' in (tmp_path / "index.html").read_text()


def test_a_panel_inserted_first_does_not_mark_the_renumbered_rest(tmp_path):
    before = sample()
    after = json.loads(json.dumps(before))
    for p in after["panels"]:
        p["id"] += 1
    after["panels"].insert(0, panel(1, "Inserted", 0, 0, 6, 3))
    write_diff_pictures(Plan([_update(before, after)], []), tmp_path)
    new = boxes_in((tmp_path / "sample.after.html").read_text())
    marked = [b["id"] for b in new if {"changed", "added", "removed"} & set(b["classes"])]
    assert marked == ["1"]


def test_renamed_and_edited_panel_is_paired_by_id(tmp_path):
    before = sample()
    after = json.loads(json.dumps(before))
    after["panels"][0].update(title="Left renamed", targets=[{"refId": "A", "expr": "other"}])
    write_diff_pictures(Plan([_update(before, after)], []), tmp_path)
    new = _by_id((tmp_path / "sample.after.html").read_text())
    assert "changed" in new["1"]["classes"] and "added" not in new["1"]["classes"]


def test_create_and_delete_say_which_side_is_missing(tmp_path):
    created = {**sample(), "uid": "made", "title": "Made"}
    gone = {**sample(), "uid": "gone", "title": "Gone"}
    plan = Plan([
        Change("dashboard", "made", "Made", CREATE, desired=DesiredDashboard("made", "Made", "", "G", created, "x:1")),
        Change("dashboard", "gone", "Gone", DELETE, live=LiveDashboard("gone", "Gone", 1, "", "", "", "", gone)),
        Change("folder", "f", "F", CREATE), Change("dashboard", "same", "Same", "unchanged"),
    ], [])
    names = [p.name for p in write_diff_pictures(plan, tmp_path)]
    assert names == ["gone.before.html", "gone.after.html", "made.before.html", "made.after.html", "index.html"]
    assert "dash creates this dashboard" in (tmp_path / "made.before.html").read_text()
    assert "dash deletes this dashboard" in (tmp_path / "gone.after.html").read_text()
    assert all("added" in b["classes"] for b in boxes_in((tmp_path / "made.after.html").read_text()))
    assert all("removed" in b["classes"] for b in boxes_in((tmp_path / "gone.before.html").read_text()))


def test_file_target_changes_carry_bytes(tmp_path):
    before, after = _changed()
    change = Change("dashboard", "Platform/sample.json", "sample", UPDATE, (),
                    DesiredFile("p", json.dumps(after).encode()), LiveFile("p", json.dumps(before).encode()))
    write_diff_pictures(Plan([change], []), tmp_path)
    assert "changed" in _by_id((tmp_path / "sample.after.html").read_text())["2"]["classes"]


def test_diff_pictures_are_deterministic(tmp_path):
    before, after = _changed()
    plan = Plan([_update(before, after)], [])
    a = [p.read_bytes() for p in write_diff_pictures(plan, tmp_path / "a")]
    b = [p.read_bytes() for p in write_diff_pictures(plan, tmp_path / "b")]
    assert a == b


# --- the command ---------------------------------------------------------------------------


def _guide_dashboards() -> dict[str, dict]:
    from publisher.app import App
    from publisher.render import unique

    return {r.uid: r.json for r in unique(App(dashboards=str(Path(__file__).parent.parent / "dashboards"))
                                          .rendered()).dashboards}


def test_dash_preview_draws_the_guides_dashboards(dash, tmp_path):
    result = dash("preview", "--out", "pv")
    assert result.exit_code == 0, result.output
    wanted = _guide_dashboards()
    written = sorted(p.name for p in (tmp_path / "pv").iterdir())
    assert written == sorted([f"{uid}.html" for uid in wanted] + ["index.html"])
    for uid, data in wanted.items():
        found = boxes_in((tmp_path / "pv" / f"{uid}.html").read_text())
        assert [b["id"] for b in found] == [str(p["id"]) for p in data["panels"]]
    assert "index.html" in result.output


def test_dash_preview_for_an_environment(dash, tmp_path):
    (tmp_path / "dash.yaml").write_text("dashboards: dashboards\nenvironments:\n  local:\n    directory: prov\n"
                                        "    folder: Root\n")
    result = dash("preview", "--env", "local", "--out", "pv")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "pv" / "api-performance.html").read_text()
    assert "Root/" in text_of(page)  # the environment's root folder
    assert "env local" in result.output


def test_dash_preview_unknown_environment(dash):
    result = dash("preview", "--env", "nowhere")
    assert result.exit_code == 1 and "nowhere" in result.output
