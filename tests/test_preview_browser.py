"""The preview pages in a real browser: headless Chromium's screenshots, read with Pillow.

Each box's border must be drawn where the layout says (its colour on each edge, the page's background just
outside), each title must be drawn (the title strip differs from a screenshot of the same page with the
titles hidden, and nothing outside the strips does), and a diff page's marks must be their colours.
Skipped without chromium, except under DASH_REQUIRE_TOOLS=1 (CI), where it fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from publisher.model import Plan
from publisher.preview.layout import Box, layout
from publisher.preview.page import BORDER, GRID_LEFT, GRID_TOP, MARK_COLOURS, PANEL_COLOUR, ROW_COLOUR, page_html

from .test_preview import _changed, _guide_dashboards, _update, boxes_in

REQUIRE_TOOLS = os.environ.get("DASH_REQUIRE_TOOLS") == "1"
BACKGROUND = "#f4f5f8"
HIDE_TITLES = "<style>.title { visibility: hidden !important; }</style>"  # test-only: the page without titles


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if REQUIRE_TOOLS:
            pytest.fail("chromium missing but DASH_REQUIRE_TOOLS=1: .ci/run must install it")
        pytest.skip("chromium not installed")
    return found


def screenshot(page: Path, tmp_path: Path):
    """The page as Chromium draws it, at one device pixel per CSS pixel, as a Pillow RGB image."""
    from PIL import Image

    html = page.read_text()
    width, height = (int(v) for v in re.search(r'class="page" style="width:(\d+)px;height:(\d+)px"', html).groups())
    png = tmp_path / f"{page.stem}.png"
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--force-device-scale-factor=1", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--window-size={width},{height}", f"--screenshot={png}", page.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)
    image = Image.open(png).convert("RGB")
    assert image.size == (width, height)
    return image


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def near(pixel, colour: str, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, rgb(colour)))


def edges(box: Box):
    """Points on each border (middle of each edge, half the border in) and just outside it, in page pixels."""
    x0, y0 = GRID_LEFT + box.left, GRID_TOP + box.top
    x1, y1 = x0 + box.width - 1, y0 + box.height - 1
    mx, my = (x0 + x1) // 2, (y0 + y1) // 2
    half = BORDER // 2
    inside = [(mx, y0 + half), (mx, y1 - half), (x0 + half, my), (x1 - half, my)]
    outside = [(mx, y0 - 2), (mx, y1 + 2), (x0 - 2, my), (x1 + 2, my)]
    return inside, outside


def assert_drawn_where_laid_out(image, boxes: list[Box], colours: list[str]) -> None:
    for box, colour in zip(boxes, colours):
        inside, outside = edges(box)
        assert [near(image.getpixel(p), colour) for p in inside] == [True] * 4, (box.title, inside)
        # outside: the page's background (grid margins are 8 px, so no neighbour is 2 px away)
        assert [near(image.getpixel(p), BACKGROUND) for p in outside] == [True] * 4, (box.title, outside)


def title_strip(box: Box) -> tuple[int, int, int, int]:
    x0, y0 = GRID_LEFT + box.left + BORDER, GRID_TOP + box.top + BORDER
    return x0, y0, x0 + box.width - 2 * BORDER, y0 + 20


@pytest.fixture(scope="module")
def guide():
    chromium()
    return _guide_dashboards()


def test_boxes_and_titles_of_the_guides_dashboard(guide, tmp_path):
    from PIL import Image, ImageChops

    lay = layout(guide["api-performance"])
    page = tmp_path / "page.html"
    page.write_text(page_html(lay, lay.title))
    shown = screenshot(page, tmp_path)
    assert_drawn_where_laid_out(shown, list(lay.boxes), [ROW_COLOUR if b.row else PANEL_COLOUR for b in lay.boxes])

    hidden_page = tmp_path / "hidden.html"
    hidden_page.write_text(page.read_text().replace("</head>", HIDE_TITLES + "</head>"))
    hidden = screenshot(hidden_page, tmp_path)
    difference = ImageChops.difference(shown, hidden)
    for box in lay.boxes:
        assert difference.crop(title_strip(box)).getbbox() is not None, f"title {box.title!r} is not drawn"
    strips = Image.new("L", shown.size, 255)
    for box in lay.boxes:
        strips.paste(0, title_strip(box))
    heading = (0, 0, shown.size[0], GRID_TOP)
    strips.paste(0, heading)  # the page's heading is a title too
    outside = Image.composite(difference, Image.new("RGB", shown.size), strips)
    assert outside.getbbox() is None, "hiding the titles changed pixels outside the title strips"


def test_collapsed_rows_of_a_large_dashboard(guide, tmp_path):
    big = max(guide.values(), key=lambda d: len(d.get("panels") or []))
    lay = layout(big)
    page = tmp_path / "big.html"
    page.write_text(page_html(lay, lay.title))
    image = screenshot(page, tmp_path)
    assert_drawn_where_laid_out(image, list(lay.boxes), [ROW_COLOUR if b.row else PANEL_COLOUR for b in lay.boxes])


def test_diff_page_marks_are_drawn_on_their_boxes(tmp_path):
    from publisher.preview.diff_pages import write_diff_pictures

    chromium()
    before, after = _changed()
    write_diff_pictures(Plan([_update(before, after)], []), tmp_path / "diff")
    for side, data in (("before", before), ("after", after)):
        page = tmp_path / "diff" / f"sample.{side}.html"
        marked = {b["id"]: next((c for c in b["classes"] if c in MARK_COLOURS), None)
                  for b in boxes_in(page.read_text())}
        assert any(marked.values())
        lay = layout(json.loads(json.dumps(data)))
        colours = [MARK_COLOURS[marked[b.key]] if marked[b.key] else ROW_COLOUR if b.row else PANEL_COLOUR
                   for b in lay.boxes]
        image = screenshot(page, tmp_path)
        assert_drawn_where_laid_out(image, list(lay.boxes), colours)
        for box in lay.boxes:  # the mark's label: its colour in the box's top right corner
            if marked[box.key]:
                x1, y0 = GRID_LEFT + box.left + box.width - BORDER, GRID_TOP + box.top + BORDER
                corner = image.crop((x1 - 60, y0, x1, y0 + 20))
                assert any(near(c, MARK_COLOURS[marked[box.key]], 3) for _, c in corner.getcolors(1 << 16)), box.title
