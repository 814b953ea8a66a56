"""Layout: rows of panels become grid positions that never overlap and fit 24 columns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.dashboard_json import fits_grid, overlaps
from publisher.sdk import DashboardError
from publisher.sdk.layout import COLUMNS, GridPos, Section, Slot, place

slots = st.builds(
    Slot,
    width=st.one_of(st.none(), st.integers(1, 24)),
    weight=st.floats(0.1, 10, allow_nan=False),
    height=st.one_of(st.none(), st.integers(1, 20)),
)
sections = st.builds(
    Section,
    slots=st.lists(slots, max_size=30).map(tuple),
    header=st.booleans(),
    height=st.integers(1, 16),
    per_line=st.integers(1, 24),
    collapsed=st.booleans(),
)


def _all_positions(secs, placed):
    """Positions that share the screen: collapsed rows hide their panels."""
    out = []
    for sec, p in zip(secs, placed):
        if p.header is not None:
            out.append(p.header)
        if not (sec.collapsed and sec.header):
            out.extend(p.slots)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(sections, max_size=6))
def test_generated_layouts_never_overlap_and_fit_the_grid(secs):
    placed = place(secs)
    positions = _all_positions(secs, placed)
    for g in positions:
        assert fits_grid(g.x, g.y, g.w, g.h), g
    for i, a in enumerate(positions):
        for b in positions[i + 1:]:
            assert not overlaps(a.to_json(), b.to_json()), (a, b)
    # Panels inside a collapsed row do not overlap each other either.
    for sec, p in zip(secs, placed):
        for i, a in enumerate(p.slots):
            for b in p.slots[i + 1:]:
                assert not overlaps(a.to_json(), b.to_json())


@settings(max_examples=200, deadline=None)
@given(st.lists(slots.filter(lambda s: s.width is None), min_size=1, max_size=24), st.integers(1, 24))
def test_weighted_lines_fill_all_24_columns(line_slots, per_line):
    (placed,) = place([Section(tuple(line_slots), per_line=per_line)])
    by_line: dict[int, int] = {}
    for g in placed.slots:
        by_line[g.y] = by_line.get(g.y, 0) + g.w
    assert set(by_line.values()) == {COLUMNS}


def test_four_panels_share_a_line_equally():
    (placed,) = place([Section(tuple(Slot() for _ in range(4)))])
    assert [(g.x, g.w) for g in placed.slots] == [(0, 6), (6, 6), (12, 6), (18, 6)]
    assert placed.header == GridPos(0, 0, 24, 1)
    assert {g.y for g in placed.slots} == {1}


def test_five_panels_are_balanced_over_two_lines():
    (placed,) = place([Section(tuple(Slot() for _ in range(5)))])
    widths = [g.w for g in placed.slots]
    assert widths == [8, 8, 8, 12, 12]
    assert [g.y for g in placed.slots] == [1, 1, 1, 9, 9]


def test_weights_are_relative_widths():
    (placed,) = place([Section((Slot(weight=2), Slot()))])
    assert [g.w for g in placed.slots] == [16, 8]


def test_fixed_widths_wrap_at_24_columns():
    (placed,) = place([Section((Slot(width=16), Slot(width=16), Slot(width=8)), header=False)])
    assert [(g.x, g.y, g.w) for g in placed.slots] == [(0, 0, 16), (0, 8, 16), (16, 8, 8)]


def test_line_height_is_its_tallest_panel_and_rows_stack():
    a, b = place([Section((Slot(height=4), Slot(height=10))), Section((Slot(),))])
    assert [g.h for g in a.slots] == [4, 10]
    assert b.header.y == 1 + 10


def test_explicit_position_is_kept_and_later_rows_go_below_it():
    fixed = GridPos(3, 0, 5, 20)
    a, b = place([Section((Slot(fixed=fixed),), header=False), Section((Slot(),))])
    assert a.slots == (fixed,)
    assert b.header.y == 20


def test_collapsed_row_does_not_push_the_next_row_down():
    a, b = place([Section((Slot(),), collapsed=True), Section((Slot(),))])
    assert b.header.y == 1


@pytest.mark.parametrize("kwargs", [{"width": 0}, {"width": 25}, {"weight": 0}, {"height": 0}])
def test_bad_sizes_are_refused(kwargs):
    with pytest.raises(DashboardError):
        Slot(**kwargs)
