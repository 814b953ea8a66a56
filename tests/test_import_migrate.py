"""Grafana's load migrations as `dash import` applies them, on old dashboards written here: schemaVersion 14, the
pre-5.0 rows layout, Angular graph, singlestat and table-old panels."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from publisher.importer import migrate as M
from publisher.importer.run import check, modules
from publisher.importer.sources import FileSource


def _write(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj))
    return path


def _module(path: Path):
    (module,) = modules([FileSource(path)])
    return module


# --- old formats, written here: schemaVersion 14, the rows layout, Angular panels -------------------------------

GRAPH = {
    "id": 1, "type": "graph", "title": "Requests", "span": 6, "datasource": "Prometheus",
    "targets": [{"expr": "sum(rate(http_requests_total[5m])) by (job)", "refId": "A", "intervalFactor": 2,
                 "step": 30, "legendFormat": "{{job}}", "hide": False},
                {"expr": "sum(rate(debug_total[5m]))", "refId": "B", "hide": True}],
    "fill": 1, "linewidth": 2, "lines": True, "points": False, "bars": False, "stack": True,
    "nullPointMode": "connected",
    "legend": {"show": True, "alignAsTable": True, "rightSide": True, "values": True, "avg": True, "max": True,
               "current": False},
    "tooltip": {"shared": True, "sort": 2, "value_type": "individual"},
    "yaxes": [{"format": "reqps", "show": True, "min": "0", "logBase": 1, "label": "req/s"},
              {"format": "short", "show": False, "logBase": 1}],
    "seriesOverrides": [{"alias": "/errors/", "yaxis": 2, "color": "#F2495C"}],
    "aliasColors": {"ok": "green"}, "hiddenSeries": {"debug": True},
    "thresholds": [{"op": "gt", "value": 100, "colorMode": "critical", "fill": True, "line": False}],
    "maxDataPoints": 500, "interval": "30s", "links": [{"title": "Runbook", "url": "https://runbook.example"}],
}
SINGLESTAT = {
    "id": 2, "type": "singlestat", "title": "Uptime", "span": 3, "format": "s", "valueName": "current",
    "thresholds": "3600,86400", "colors": ["red", "orange", "green"], "sparkline": {"show": True},
    "colorValue": True, "mappingType": 1, "valueMaps": [{"op": "=", "value": "null", "text": "N/A"}],
    "targets": [{"expr": "time() - process_start_time_seconds", "refId": "A"}],
}
TABLE_OLD = {
    "id": 3, "type": "table-old", "title": "Hosts", "span": 3, "transform": "timeseries_aggregations",
    "columns": [{"text": "Avg", "value": "avg"}],
    "styles": [{"pattern": "/.*/", "unit": "short", "decimals": 2},
               {"pattern": "Time", "type": "date", "dateFormat": "YYYY-MM-DD", "alias": "When"}],
    "targets": [{"expr": "up", "refId": "A"}],
}
TEXT = {"id": 4, "type": "text", "title": "Notes", "span": 12, "height": "100px", "content": "# Hi", "mode": "markdown"}


def old_dashboard() -> dict:
    return {
        "title": "Old rows", "uid": "old-rows", "schemaVersion": 14, "version": 3, "id": 7, "style": "dark",
        "sharedCrosshair": True, "hideControls": False, "time": {"from": "now-24h", "to": "now"}, "refresh": "30s",
        "rows": [
            {"title": "Traffic", "showTitle": True, "height": "250px", "collapse": False,
             "panels": [copy.deepcopy(GRAPH), copy.deepcopy(SINGLESTAT), copy.deepcopy(TABLE_OLD)]},
            {"title": "Details", "collapse": True, "panels": [copy.deepcopy(TEXT)]},
        ],
        "templating": {"list": [{"name": "job", "type": "query", "datasource": "Prometheus",
                                 "query": "label_values(up, job)", "refresh": 1}]},
        "annotations": {"list": [{"name": "Deploys", "datasource": "Prometheus", "enable": True,
                                  "expr": "changes(deploy_total[5m]) > 0", "iconColor": "red"}]},
    }


def test_the_rows_layout_becomes_grid_panels_as_grafana_lays_them_out():
    out = M.migrate(old_dashboard())
    assert "rows" not in out and out["schemaVersion"] == 42
    kinds = [(p["type"], p["id"], p["gridPos"]) for p in out["panels"]]
    # upgradeToGridLayout: a row panel per row (one shows its title), ids after the highest, 250px = 7 grid rows,
    # span 6 = 12 columns; the collapsed row holds its panel (100px = 3 rows) and adds no height.
    assert kinds == [
        ("row", 5, {"x": 0, "y": 0, "w": 24, "h": 7}),
        ("timeseries", 1, {"x": 0, "y": 1, "w": 12, "h": 7}),
        ("stat", 2, {"x": 12, "y": 1, "w": 6, "h": 7}),
        ("table", 3, {"x": 18, "y": 1, "w": 6, "h": 7}),
        ("row", 6, {"x": 0, "y": 8, "w": 24, "h": 7}),
    ]
    assert out["panels"][4]["collapsed"] is True
    assert out["panels"][4]["panels"][0]["gridPos"] == {"x": 0, "y": 9, "w": 24, "h": 3}
    assert out["templating"]["list"][0]["datasource"] == {"uid": "Prometheus"}  # a name Grafana cannot look up
    assert out["annotations"]["list"][0]["builtIn"] == 1  # addBuiltInAnnotationQuery


def test_graph_becomes_timeseries_with_its_options_carried_over():
    ts = M.migrate(old_dashboard())["panels"][1]
    assert ts["datasource"] == {"uid": "Prometheus"}
    assert ts["targets"][0]["intervalFactor"] == 2 and ts["targets"][0]["step"] == 30  # queries as written
    assert ts["targets"][1]["hide"] is True
    assert (ts["maxDataPoints"], ts["interval"], ts["links"]) == (500, "30s", GRAPH["links"])
    defaults = ts["fieldConfig"]["defaults"]
    assert (defaults["unit"], defaults["min"], defaults["nullValueMode"]) == ("reqps", 0, "connected")
    assert defaults["custom"] == {
        "axisPlacement": "auto", "axisLabel": "req/s", "drawStyle": "line", "showPoints": "never", "lineWidth": 2,
        "fillOpacity": 10, "spanNulls": True, "stacking": {"mode": "normal", "group": "A"},
        "thresholdsStyle": {"mode": "area"},
    }
    assert defaults["thresholds"]["steps"] == [{"color": "transparent", "value": None}, {"color": "red", "value": 100}]
    overrides = ts["fieldConfig"]["overrides"]
    assert overrides[0] == {"matcher": {"id": "byName", "options": "ok"},
                            "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "green"}}]}
    assert overrides[1]["matcher"] == {"id": "byRegexp", "options": "/errors/"}
    assert overrides[1]["properties"] == [{"id": "unit", "value": "short"},
                                          {"id": "custom.axisPlacement", "value": "hidden"},
                                          {"id": "color", "value": {"fixedColor": "#F2495C", "mode": "fixed"}}]
    assert overrides[2]["properties"][0]["value"] == {"legend": False, "tooltip": False, "viz": True}  # hidden
    assert ts["options"] == {"legend": {"displayMode": "table", "showLegend": True, "placement": "right",
                                        "calcs": ["mean", "max"]},
                             "tooltip": {"mode": "multi", "sort": "desc"}}
    assert not {"yaxes", "seriesOverrides", "legend", "span", "fill"} & set(ts)


def test_singlestat_becomes_stat_and_table_old_becomes_table():
    panels = M.migrate(old_dashboard())["panels"]
    stat, table = panels[2], panels[3]
    assert stat["options"] == {"reduceOptions": {"calcs": ["lastNotNull"]}, "orientation": "horizontal",
                               "graphMode": "area", "colorMode": "value"}
    assert stat["fieldConfig"]["defaults"] == {
        "unit": "s",
        "thresholds": {"mode": "absolute", "steps": [{"color": "red", "value": None},
                                                     {"color": "orange", "value": 3600},
                                                     {"color": "green", "value": 86400}]},
        "mappings": [{"type": "special", "options": {"match": "null", "result": {"text": "N/A", "index": 0}}}],
    }
    assert table["transformations"] == [{"id": "reduce", "options": {"reducers": ["mean"],
                                                                     "includeTimeField": False}}]
    assert table["fieldConfig"] == {
        "defaults": {"unit": "short", "decimals": 2, "custom": {}},
        "overrides": [{"matcher": {"id": "byName", "options": "Time"}, "properties": [
            {"id": "displayName", "value": "When"}, {"id": "unit", "value": "time: YYYY-MM-DD"}]}],
    }


def test_a_singlestat_with_its_gauge_shown_becomes_a_gauge():
    panel = {**SINGLESTAT, "gauge": {"show": True, "minValue": 0, "maxValue": 100}, "gridPos": {}}
    dashboard = {"title": "G", "uid": "g", "schemaVersion": 27, "panels": [panel]}
    migrated = M.migrate(dashboard)["panels"][0]
    assert migrated["type"] == "gauge"
    assert (migrated["fieldConfig"]["defaults"]["min"], migrated["fieldConfig"]["defaults"]["max"]) == (0, 100)


def test_the_old_dashboard_imports_losslessly(tmp_path):
    checked = check(_module(_write(tmp_path / "old.json", old_dashboard())))
    assert checked.errors == [] and checked.failures == []
    text = checked.module.text
    assert 'old_rows.row(\n    "Traffic"' in text and "collapsed=True" in text
    assert '"intervalFactor": 2' in text and '"step": 30' in text


def test_angular_panels_on_the_grid_of_a_later_schema_import_too(tmp_path):
    panels = [{**GRAPH, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}},
              {**SINGLESTAT, "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8}}]
    dashboard = {"title": "Grid", "uid": "grid", "schemaVersion": 27, "panels": panels}
    checked = check(_module(_write(tmp_path / "grid.json", dashboard)))
    assert checked.ok, [d.line() for d in checked.failures] + checked.errors
    assert [p["type"] for p in checked.module.migrated["panels"]] == ["timeseries", "stat"]


def test_a_grafanalib_rows_dashboard_of_2019_imports_losslessly(tmp_path):
    import grafanalib.core as G
    from grafanalib._gen import DashboardEncoder

    target = G.Target(expr="sum(rate(x_total[5m]))", legendFormat="x", refId="A")
    old = G.Dashboard(title="Legacy", uid="legacy", sharedCrosshair=True, rows=[
        G.Row(title="Traffic", showTitle=True, panels=[
            G.Graph(title="Requests", dataSource="Prometheus", targets=[target], span=6,
                    yAxes=G.YAxes(G.YAxis(format="reqps"), G.YAxis(format="short"))),
            G.SingleStat(title="Up", dataSource="Prometheus", targets=[target], span=3, thresholds="1,2",
                         colors=["red", "orange", "green"]),
            G.Text(title="Note", content="hi", span=3)]),
        G.Row(title="More", collapse=True, panels=[G.Graph(title="Latency", dataSource="Prometheus",
                                                           targets=[target])]),
    ]).auto_panel_ids()
    path = tmp_path / "legacy.json"
    path.write_text(json.dumps(old.to_json_data(), cls=DashboardEncoder))
    checked = check(_module(path))
    assert checked.ok, [d.line() for d in checked.failures] + checked.errors
    panels = checked.module.migrated["panels"]
    assert [p["type"] for p in panels] == ["row", "timeseries", "stat", "text", "row"]
    assert panels[4]["panels"][0]["type"] == "timeseries" and panels[1]["fieldConfig"]["defaults"]["unit"] == "reqps"
    assert checked.module.migrated["graphTooltip"] == 1 and "sharedCrosshair" not in checked.module.migrated
