"""The SDK's panel vocabulary: value mappings, overrides, transformations, links, repeat and the newer panels.

Each JSON shape is the one Grafana's dashboard schema describes (ValueMap, RangeMap, RegexMap,
SpecialValueMap, MatcherConfig, DynamicConfigValue, DataTransformerConfig; the panel schemas for table,
bargauge, state-timeline, barchart, piechart and text), checked with `schema.validate`.
"""

from __future__ import annotations

import pytest

from publisher.lint import LintTarget, lint_dashboards, schema
from publisher.sdk import (
    Column,
    Dashboard,
    DashboardError,
    Datasource,
    Override,
    Query,
    RangeMap,
    RegexMap,
    SpecialMap,
    Transformation,
    barchart,
    bargauge,
    breakdown,
    calculate_field,
    data_link,
    filter_by_name,
    gauge,
    heatmap,
    high_is_bad,
    histogram_heatmap,
    join_by_field,
    label_values,
    link,
    merge,
    organize,
    piechart,
    quantile,
    rate,
    ratio,
    reduce,
    sort_by,
    stat,
    state_timeline,
    table,
    text,
    thresholds,
    timeseries,
    units,
    value_map,
)
from publisher.sdk import mappings as M

PROM = Datasource("Prometheus", "prometheus", "prometheus")


def _panels(*panels, variables=()):
    d = Dashboard("T", uid="t", datasource=PROM, variables=list(variables))
    d.row("R", *panels)
    return d, d.to_json()["panels"][1:]


def _lint(d):
    data = d.to_json()
    target = LintTarget(d.uid, d.title, d.folder, data, "t.py:1", {pid: f"{f}:{n}" for pid, (f, n) in
                                                                       d.panel_sources.items()})
    return lint_dashboards([target], datasource_uids=["prometheus"]).shown


# --- the done-when dashboard -----------------------------------------------------------


def test_a_table_with_overrides_a_stat_with_mappings_and_a_bar_gauge_build_and_lint_clean():
    d = Dashboard("Done", uid="done", datasource=PROM, description="The issue's dashboard")
    d.row(
        "Fleet",
        table("Hosts", Query("node_uname_info", instant=True, format="table"), description="Every host",
              columns=[Column("nodename", display_name="Host", width=240),
                       Column("Value", cell="color-background", unit=units.PERCENT, thresholds=high_is_bad(80, 90))],
              overrides=[Override.by_name("Time", custom={"hidden": True})],
              transformations=[organize(exclude=["__name__"]), sort_by("Value", desc=True)], filterable=True),
        stat("API", 'up{job="api"}', unit=units.NONE, description="Whether the API answers",
             mappings=[value_map({"0": ("Down", "red"), "1": ("Up", "green")}), SpecialMap("null", "No data")]),
        bargauge("Disk used", "100 * (1 - node_filesystem_avail_bytes / node_filesystem_size_bytes)",
                 unit=units.PERCENT, description="Disk used per mount", thresholds=high_is_bad(80, 90)),
    )
    assert schema.validate(d.to_json()) == []
    assert _lint(d) == []


def test_every_new_keyword_on_every_helper_is_schema_valid():
    everything = dict(
        mappings=[value_map({"1": "Up"})], overrides=[Override.by_query("A", unit="s")],
        transformations=[merge()], links=[link("Runbook", "https://runbooks.example.com")],
        data_links=[data_link("Logs", "/explore")], repeat="instance", repeat_direction="v", max_per_row=3,
    )
    panels = [
        timeseries("TS", "up", unit="short", **everything), stat("S", "up", unit="short", **everything),
        gauge("G", "up", **everything), heatmap("H", "x_bucket", unit="s", **everything),
        breakdown("B", "up", unit="short", **everything), breakdown("BB", "up", unit="short", style="bars",
                                                                      **everything),
        rate("R", "http_requests_total", **everything), ratio("Q", "a_total", "b_total", **everything),
        quantile("P", "h_seconds", 0.9, **everything), histogram_heatmap("HH", "h_seconds", **everything),
        table("T", "up", **everything), bargauge("BG", "up", unit="percent", **everything),
        state_timeline("ST", "up", unit="none", **everything), barchart("BC", "up", unit="short", **everything),
        piechart("PC", "up", unit="short", **everything),
    ]
    d, rendered = _panels(*panels, variables=[label_values("instance", "up")])
    assert schema.validate(d.to_json()) == []
    for p in rendered:
        assert p["repeat"] == "instance" and p["repeatDirection"] == "v" and p["maxPerRow"] == 3, p["title"]
        assert p["links"] == [{"targetBlank": False, "title": "Runbook", "url": "https://runbooks.example.com"}]
        assert p["transformations"] == [{"id": "merge", "options": {}}]
        assert p["fieldConfig"]["overrides"][0] == {"matcher": {"id": "byFrameRefID", "options": "A"},
                                                    "properties": [{"id": "unit", "value": "s"}]}


def test_text_has_an_html_mode():
    _, (p,) = _panels(text("Note", "<b>hi</b>", mode="html"))
    assert p["options"] == {"content": "<b>hi</b>", "mode": "html"}
    with pytest.raises(DashboardError, match="mode 'htm' is not one of .*did you mean 'html'"):
        text("Note", "x", mode="htm")


# --- value mappings: Grafana's ValueMap, RangeMap, RegexMap, SpecialValueMap ------------------


def test_mappings_render_grafanas_json_with_one_index_across_the_list():
    rendered = M.to_json([value_map({"0": ("Down", "red"), 1: "Up"}), RangeMap(2, None, "Many", "orange"),
                          RegexMap("^x", "X"), SpecialMap("null+nan", color="blue")])
    assert rendered == [
        {"type": "value", "options": {"0": {"color": "red", "text": "Down", "index": 0},
                                      "1": {"text": "Up", "index": 1}}},
        {"type": "range", "options": {"from": 2, "to": None,
                                      "result": {"color": "orange", "text": "Many", "index": 2}}},
        {"type": "regex", "options": {"pattern": "^x", "result": {"text": "X", "index": 3}}},
        {"type": "special", "options": {"match": "null+nan", "result": {"color": "blue", "index": 4}}},
    ]


def test_an_open_range_keeps_its_null_in_the_dashboard():
    d, (p,) = _panels(stat("S", "up", unit="none", mappings=[RangeMap(None, 0, "Negative")]))
    assert p["fieldConfig"]["defaults"]["mappings"][0]["options"] == {
        "from": None, "to": 0, "result": {"text": "Negative", "index": 0}}
    assert schema.validate(d.to_json()) == []


@pytest.mark.parametrize("make,message", [
    (lambda: value_map({}), "non-empty dict"),
    (lambda: value_map({"0": ("Down", "redd")}), "unknown colour 'redd'"),
    (lambda: RangeMap(5, 1, "x"), "from_ 5 must not be above to 1"),
    (lambda: RangeMap(None, None, "x"), "give from_, to or both"),
    (lambda: RegexMap("(", "x"), "is not a regular expression"),
    (lambda: SpecialMap("nil", "x"), "match 'nil' must be one of"),
    (lambda: SpecialMap("null"), "give a text, a colour or both"),
    (lambda: stat("S", "up", unit="none", mappings={"0": "Down"}), r"got a dict: write mappings=\[value_map"),
    (lambda: stat("S", "up", unit="none", mappings=["0"]), "each mapping must be value_map"),
])
def test_a_wrong_mapping_is_refused_with_what_to_write(make, message):
    with pytest.raises(DashboardError, match=message):
        make()


# --- overrides: MatcherConfig and DynamicConfigValue --------------------------------------------


def test_override_properties_render_in_grafanas_ids():
    o = Override.by_name("errors", unit="reqps", decimals=2, min=0, max=10, color="red", display_name="Errors",
                         thresholds=thresholds("green", (5, "red")), mappings=[value_map({"0": "None"})],
                         custom={"width": 120, "hidden": False})
    assert o.to_json() == {"matcher": {"id": "byName", "options": "errors"}, "properties": [
        {"id": "unit", "value": "reqps"}, {"id": "decimals", "value": 2}, {"id": "min", "value": 0},
        {"id": "max", "value": 10}, {"id": "color", "value": {"fixedColor": "red", "mode": "fixed"}},
        {"id": "displayName", "value": "Errors"},
        {"id": "thresholds", "value": {"mode": "absolute", "steps": [{"color": "green", "value": None},
                                                                     {"color": "red", "value": 5}]}},
        {"id": "mappings", "value": [{"type": "value", "options": {"0": {"text": "None", "index": 0}}}]},
        {"id": "custom.width", "value": 120}, {"id": "custom.hidden", "value": False}]}
    assert Override.by_regex("^5..$", color="red").to_json()["matcher"] == {"id": "byRegexp", "options": "^5..$"}
    assert Override.by_type("number", decimals=1).to_json()["matcher"] == {"id": "byType", "options": "number"}
    assert Override.by_query("B", unit="s").to_json()["matcher"] == {"id": "byFrameRefID", "options": "B"}


@pytest.mark.parametrize("make,message", [
    (lambda: Override.by_name("x", unit="reqs"), "unknown unit 'reqs'; did you mean 'reqps'"),
    (lambda: Override.by_name("x", unit=5), "unit must be a string"),
    (lambda: Override.by_name("x"), "give at least one property"),
    (lambda: Override.by_regex("(", color="red"), "not a regular expression"),
    (lambda: Override.by_type("numbr", decimals=1), "must be one of 'number'"),
    (lambda: Override.by_query("A", colour="red"), "unknown property 'colour'"),
    (lambda: Override.by_name("x", custom=[1]), "custom must be a dict"),
    (lambda: stat("S", "up", unit="none", overrides=Override.by_name("x", unit="s")), "overrides must be a list"),
])
def test_a_wrong_override_is_refused(make, message):
    with pytest.raises(DashboardError, match=message):
        make()


# --- transformations: DataTransformerConfig ----------------------------------------------------


def test_transformations_render_grafanas_options():
    assert organize(rename={"a": "A"}, exclude=["Time"], order=["A", "b"]).to_json() == {
        "id": "organize", "options": {"excludeByName": {"Time": True}, "indexByName": {"A": 0, "b": 1},
                                      "renameByName": {"a": "A"}}}
    assert merge().to_json() == {"id": "merge", "options": {}}
    assert reduce(["mean", "max"]).to_json() == {"id": "reduce", "options": {"reducers": ["mean", "max"],
                                                                            "mode": "seriesToRows"}}
    assert filter_by_name(["Time"], exclude=["x"]).to_json() == {
        "id": "filterFieldsByName", "options": {"include": {"names": ["Time"]}, "exclude": {"names": ["x"]}}}
    assert filter_by_name(pattern="^cpu").to_json()["options"] == {"include": {"pattern": "^cpu"}}
    assert join_by_field("instance", mode="inner").to_json() == {
        "id": "joinByField", "options": {"byField": "instance", "mode": "inner"}}
    assert sort_by("Value", desc=True).to_json() == {
        "id": "sortBy", "options": {"fields": {}, "sort": [{"field": "Value", "desc": True}]}}
    assert calculate_field("Free", "Total", "-", "Used").to_json()["options"]["binary"] == {
        "left": {"matcher": {"id": "byName", "options": "Total"}}, "operator": "-",
        "right": {"matcher": {"id": "byName", "options": "Used"}}}
    assert calculate_field("Pct", "Ratio", "*", 100).to_json()["options"]["binary"]["right"] == {"fixed": "100"}
    assert Transformation("labelsToFields", {"mode": "columns"}, disabled=True).to_json() == {
        "id": "labelsToFields", "options": {"mode": "columns"}, "disabled": True}


@pytest.mark.parametrize("make,message", [
    (lambda: reduce(["avg"]), "calculation 'avg' is not one of 'lastNotNull'"),
    (lambda: organize(exclude="Time"), "exclude must be a list of strings"),
    (lambda: join_by_field("x", mode="left"), "mode 'left' is not one of"),
    (lambda: filter_by_name(), "give the fields"),
    (lambda: Transformation("", {}), "id must be a Grafana transformation id"),
    (lambda: stat("S", "up", unit="none", transformations=merge()), "transformations must be a list"),
])
def test_a_wrong_transformation_is_refused(make, message):
    with pytest.raises(DashboardError, match=message):
        make()


# --- bar gauge, table, repeat ---------------------------------------------------------------


def test_a_bar_gauge_has_neutral_thresholds_and_explicit_bounds():
    _, (p,) = _panels(bargauge("Disk", "disk", unit="percent"))
    defaults = p["fieldConfig"]["defaults"]
    assert defaults["thresholds"]["steps"] == [{"color": "blue", "value": None}]
    assert (defaults["min"], defaults["max"]) == (0, 100)
    assert "fieldOptions" not in p["options"]


def test_a_bar_gauge_refuses_thresholds_outside_its_range():
    with pytest.raises(DashboardError, match=r"threshold step 150 lies outside min 0 \.\. max 100"):
        bargauge("Disk", "disk", unit="percent", thresholds=high_is_bad(80, 150))
    bargauge("Latency", "x", unit="s", min=0, max=None, thresholds=high_is_bad(1, 5))  # open top: fine


def test_table_cells_and_columns():
    _, (p,) = _panels(table("T", "up", cell="gauge", column_width=100, sort_by="Value", sort_desc=True,
                            columns=[Column("Value", align="right", hidden=True)]))
    assert p["fieldConfig"]["defaults"]["custom"] == {"align": "auto", "cellOptions": {"type": "gauge",
                                                      "mode": "gradient"}, "inspect": False, "width": 100}
    assert p["options"]["sortBy"] == [{"desc": True, "displayName": "Value"}]
    assert p["fieldConfig"]["overrides"] == [{"matcher": {"id": "byName", "options": "Value"}, "properties": [
        {"id": "custom.align", "value": "right"}, {"id": "custom.hidden", "value": True}]}]
    with pytest.raises(DashboardError, match="cell 'json' is not one of .*did you mean 'json-view'"):
        table("T", "up", cell="json")


def test_a_repeat_by_an_undeclared_variable_is_refused_naming_the_declared_ones():
    d = Dashboard("T", uid="t", datasource=PROM, variables=[label_values("job", "up")])
    with pytest.raises(DashboardError, match=r"panel 'S': repeat='instance' names no variable of dashboard 'T' "
                                             r"\(declared: 'job', 'datasource'\)") as caught:
        d.row("R", stat("S", "up", unit="none", repeat="instance"))
    assert caught.value.at[0] == __file__
    d.row("R", stat("S", "up", unit="none", repeat="job"))


def test_breakdown_is_still_a_piechart_with_its_table_legend():
    _, (p,) = _panels(breakdown("B", "up", unit="short"))
    assert p["type"] == "piechart" and p["options"]["pieType"] == "donut"
    assert p["options"]["legend"] == {"displayMode": "table", "placement": "right", "values": ["percent"]}


def test_no_unit_is_lints_warning_everywhere_and_an_unknown_unit_an_error():
    """One unit rule: no unit is DASH051, a warning, whether the SDK, grafanalib or a JSON file wrote the panel
    (README, "Units: one rule"); an unknown unit stays an error where it is declared (a typo)."""
    from publisher.sdk import timeseries

    d, panels = _panels(timeseries("CPU", "up", description="Busy share."), stat("Up", "up", description="x"))
    assert all("unit" not in p["fieldConfig"]["defaults"] for p in panels)
    assert [(f.code, f.severity) for f in _lint(d)] == [("DASH051", "warning")] * 2
    with pytest.raises(DashboardError, match="did you mean 'reqps'"):
        timeseries("CPU", "up", unit="reqs")
