"""The SDK: units, thresholds, datasource references and the modernising step."""

from __future__ import annotations

import importlib.util
import json
import sys

import grafanalib.core as G
import pytest

from publisher.lint import schema
from publisher.sdk import (
    AngularPanelError,
    Dashboard,
    DashboardError,
    Datasource,
    Query,
    low_is_bad,
    modernise,
    quantile,
    rate,
    ratio,
    stat,
    thresholds,
    units,
)

PROM = Datasource("Prometheus", "prometheus", "prometheus")
LOKI = Datasource("Loki", "loki", "loki")


def _nulls(obj, path=""):
    """Paths of every JSON null, except a threshold base step's value."""
    found = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if v is None and not (k == "value" and "/thresholds/steps/" in path + "/"):
                found.append(f"{path}/{k}")
            found += _nulls(v, f"{path}/{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found += _nulls(v, f"{path}/{i}")
    return found


# --- units and thresholds -----------------------------------------------------------


def test_unknown_unit_is_refused_with_the_closest_suggestion():
    with pytest.raises(DashboardError, match=r"unknown unit 'reqs'; did you mean 'reqps'"):
        stat("Requests", "sum(up)", unit="reqs")


def test_custom_units_are_accepted():
    assert units.check_unit("suffix: req") == "suffix: req"
    assert units.check_unit("currency:CHF") == "currency:CHF"


@pytest.mark.parametrize(
    "metric,unit",
    [("http_requests_total", "reqps"), ("node_network_receive_bytes_total", "Bps"), ("jobs_total", "ops")],
)
def test_rate_picks_its_unit_from_the_metric_name(metric, unit):
    panel = rate("R", metric)
    assert panel.panel.unit == unit


def test_quantile_of_a_seconds_histogram_is_in_seconds():
    panel = quantile("P95", "http_request_duration_seconds", 0.95, by="endpoint")
    assert panel.panel.unit == "s"
    assert panel.queries[0].expr == (
        "histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le, endpoint))"
    )
    assert panel.queries[0].legend == "{{endpoint}}"


def test_rate_and_ratio_write_the_guides_promql():
    assert rate("R", "http_requests_total", by="endpoint").queries[0].expr == (
        "sum(rate(http_requests_total[5m])) by (endpoint)"
    )
    assert ratio("E", 'http_requests_total{status=~"5.."}', "http_requests_total").queries[0].expr == (
        'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'
    )


def test_quantile_outside_zero_and_one_is_refused():
    with pytest.raises(DashboardError, match="between 0 and 1"):
        quantile("P95", "x_seconds", 95)


def test_thresholds_have_a_null_base_and_ascending_steps():
    assert thresholds("green", (70, "orange"), (90, "red")).to_json() == {
        "mode": "absolute",
        "steps": [{"color": "green", "value": None}, {"color": "orange", "value": 70}, {"color": "red", "value": 90}],
    }
    assert low_is_bad(0.02, 0.05).to_json()["steps"][0] == {"color": "red", "value": None}


@pytest.mark.parametrize(
    "args,match",
    [
        (("green", (90, "red"), (70, "orange")), "must ascend"),
        (("green", (70, "chartreuse")), "unknown colour"),
        (("green", ("70", "red")), "must be a number"),
    ],
)
def test_bad_thresholds_are_refused(args, match):
    with pytest.raises(DashboardError, match=match):
        thresholds(*args)


# --- dashboards and datasource references -------------------------------------------


def _dashboard(*panels, **kwargs):
    d = Dashboard("T", uid="t", datasource=PROM, **kwargs)
    d.row("R", *panels)
    return d.to_json()


def test_panels_refer_to_datasources_by_variable_never_by_name():
    data = _dashboard(stat("Up", "sum(up)", unit="short", description="x"))
    panel = data["panels"][1]
    assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    assert panel["targets"][0]["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    (var,) = data["templating"]["list"]
    assert var["type"] == "datasource" and var["query"] == "prometheus"
    assert var["current"] == {"text": "Prometheus", "value": "prometheus"}


def test_a_second_datasource_gets_its_own_variable():
    from publisher.sdk import logs

    data = _dashboard(logs("Errors", '{job="api"}', datasource=LOKI, description="x"))
    names = [v["name"] for v in data["templating"]["list"]]
    assert names == ["datasource", "datasource_loki"]
    assert data["panels"][1]["datasource"] == {"type": "loki", "uid": "${datasource_loki}"}


def test_two_datasources_with_one_uid_are_refused():
    other = Datasource("Other", "prometheus", "prometheus", settings={"x": 1})
    with pytest.raises(DashboardError, match="share uid"):
        _dashboard(stat("Up", Query("sum(up)", datasource=other), unit="short"))


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"uid": "has spaces"}, "uid 'has spaces' must be 1-40"),
        ({"uid": "x" * 41}, "must be 1-40"),
        ({"tags": ["t" * 51]}, "1-50 bytes"),
        ({"refresh": "often"}, "refresh"),
        ({"time": ("yesterday", "now")}, "time"),
        ({"folder": "a//b"}, "folder"),
    ],
)
def test_bad_dashboard_identity_is_refused(kwargs, match):
    args = {"title": "T", "uid": "t", **kwargs}
    with pytest.raises(DashboardError, match=match):
        Dashboard(**args)


def test_raw_grafanalib_panels_are_accepted_and_modernised():
    panel = G.TimeSeries(title="Raw", unit="short", targets=[G.Target(expr="up", refId="A")])
    data = _dashboard(panel)
    out = data["panels"][1]
    assert out["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    assert "query" not in out["targets"][0] and "step" not in out["targets"][0]
    assert schema.validate(data) == []


# --- the modernising step -----------------------------------------------------------

MODERN_PANELS = [
    G.TimeSeries, G.Stat, G.GaugePanel, G.BarGauge, G.Heatmap, G.Table, G.PieChartv2,
    G.Logs, G.Text, G.Histogram, G.StateTimeline, G.BarChart,
]


@pytest.mark.parametrize("cls", MODERN_PANELS, ids=lambda c: c.__name__)
def test_every_modern_grafanalib_panel_becomes_schema_valid_json(cls):
    raw = G.Dashboard(
        title="D",
        uid="d",
        panels=[cls(title="P", gridPos=G.GridPos(h=8, w=12, x=0, y=0), id=1,
                    targets=[G.Target(expr="up", refId="A", datasource={"type": "prometheus", "uid": "prometheus"})],
                    dataSource={"type": "prometheus", "uid": "prometheus"})],
    )
    before = modernise.to_plain(raw)
    after = modernise.dashboard(before)
    assert after["schemaVersion"] == 42
    assert schema.validate(after) == []
    assert _nulls(after) == []
    for legacy in ("rows", "style", "sharedCrosshair", "hideControls", "gnetId", "id", "version"):
        assert legacy not in after
    for key in ("span", "error", "editable", "height", "minSpan"):
        assert key not in after["panels"][0]


@pytest.fixture
def guide_api(monkeypatch):
    """The guide's API dashboard. dashboards/ is a plain directory whose modules import `_shared`."""
    from .conftest import ROOT

    monkeypatch.syspath_prepend(str(ROOT / "dashboards"))
    monkeypatch.delitem(sys.modules, "_shared", raising=False)
    spec = importlib.util.spec_from_file_location("_guide_api", ROOT / "dashboards" / "api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module.api
    sys.modules.pop("_shared", None)


def test_grafanalib_raw_output_fails_the_schema_and_ours_passes(guide_api):
    api = guide_api
    raw = json.loads(json.dumps(api.to_grafanalib().to_json_data(), cls=__import__("grafanalib._gen").
                                _gen.DashboardEncoder))
    assert len(schema.validate(raw)) > 0, "grafanalib's own output was expected to violate the schema"
    assert schema.validate(api.to_json()) == []


def test_the_string_null_threshold_becomes_json_null():
    raw = modernise.to_plain(G.GaugePanel(title="G", targets=[]))
    assert raw["fieldConfig"]["defaults"]["thresholds"]["steps"][0]["value"] == "null"
    out = modernise.panel(raw)
    steps = out["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps == [{"color": "green", "value": None}, {"color": "red", "value": 80.0}]
    assert "reduceOptions" in out["options"] and "calcs" not in out["fieldConfig"]["defaults"]


def test_the_old_heatmap_model_becomes_the_current_one():
    raw = modernise.to_plain(G.Heatmap(title="H", dataFormat="tsbuckets", yAxis=G.YAxis(format="s"),
                                       hideZeroBuckets=True, targets=[]))
    out = modernise.panel(raw)
    for old in ("cards", "color", "dataFormat", "xAxis", "yAxis", "yBucketBound", "heatmap", "highlightCards"):
        assert old not in out
    assert out["options"]["calculate"] is False
    assert out["options"]["yAxis"]["unit"] == "s"
    assert out["options"]["filterValues"] == {"le": 1e-9}
    assert out["options"]["color"]["scheme"] == "Oranges"


@pytest.mark.parametrize(
    "panel,replacement",
    [
        (G.Graph(title="Old"), "TimeSeries"),
        (G.SingleStat(title="Old"), "Stat"),
        (G.PieChart(title="Old"), "pie chart"),
    ],
)
def test_angular_panels_are_refused_naming_the_replacement(panel, replacement):
    d = Dashboard("T", uid="t", datasource=PROM)
    d.row("R", panel)
    with pytest.raises(AngularPanelError, match=replacement):
        d.to_json()


def test_the_pre_5_rows_model_is_refused():
    raw = modernise.to_plain(G.Dashboard(title="Old", rows=[G.Row(panels=[])]))
    with pytest.raises(DashboardError, match="Row objects"):
        modernise.dashboard(raw)


def test_a_datasource_given_by_name_is_refused():
    with pytest.raises(DashboardError, match="as a string"):
        modernise.panel(modernise.to_plain(G.TimeSeries(title="P", dataSource="Prometheus")))


def test_vendored_schemas_are_byte_identical_to_the_shared_copies():
    from .conftest import ROOT, SHARED

    source = SHARED / "grafana/schema"
    if not source.is_dir():
        pytest.skip("no ../shared checkout beside the repository")
    vendored = ROOT / "publisher/lint/schemas"
    for path in sorted(vendored.rglob("*.json")):
        assert path.read_bytes() == (source / path.relative_to(vendored)).read_bytes(), path
