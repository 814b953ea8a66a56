"""The guide's three dashboards: content, identity, schema and lint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publisher.lint import lint_dashboards, schema
from publisher.project import load_project
from publisher.render import render

from .conftest import ROOT
from .grafana_com_standin import NODE_EXPORTER_FULL as CORPUS_NODE_EXPORTER


@pytest.fixture(scope="module")
def rendered():
    project = load_project(Path(ROOT, "dashboards"), None)
    result = render(project)
    assert result.errors == []
    return {r.uid: r for r in result.dashboards}, project


def _panels(data):
    for panel in data["panels"]:
        if panel["type"] == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def _exprs(data):
    return [t["expr"] for p in _panels(data) for t in p.get("targets", [])]


OURS = ["api-performance", "business-metrics", "saved-log-queries", "slo-api", "system"]
NODE_EXPORTER_FULL = "grafana-com-1860"  # fetched from the grafana.com stand-in (tests/conftest.py)


def test_the_guides_dashboards_are_found(rendered):
    items, _ = rendered
    if not CORPUS_NODE_EXPORTER.is_file():
        assert sorted(items) == OURS  # no corpus, no stand-in: built without it (a warning names it)
        return
    assert sorted(items) == sorted([*OURS, NODE_EXPORTER_FULL])
    assert items[NODE_EXPORTER_FULL].folder == "Platform" and items[NODE_EXPORTER_FULL].title == "Node Exporter Full"


@pytest.mark.parametrize("uid", ["system", "api-performance", "business-metrics", "saved-log-queries", "slo-api"])
def test_each_dashboard_validates_against_grafanas_schema(rendered, uid):
    items, _ = rendered
    assert schema.validate(items[uid].json) == []


def test_lint_finds_nothing_at_all_in_ours(rendered):
    items, project = rendered
    uids = {uid for r in project.rendered for uid in r.datasources}
    report = lint_dashboards([items[uid] for uid in OURS], datasource_uids=uids)
    assert [f.line() for f in report.findings] == []


@pytest.mark.parametrize("uid", ["system", "api-performance", "business-metrics"])
def test_each_dashboard_has_identity_links_and_described_panels_with_units(rendered, uid):
    items, _ = rendered
    item = items[uid]
    data = item.json
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,40}", data["uid"])
    assert item.folder and data["tags"] and data["refresh"] and data["time"]["from"].startswith("now-")
    others = {"system", "api-performance", "business-metrics"} - {uid}
    assert {link["url"] for link in data["links"]} == {f"/d/{o}" for o in others}
    for panel in _panels(data):
        assert panel.get("description"), panel["title"]
        if panel["type"] not in ("logs", "text"):
            unit = panel["fieldConfig"]["defaults"].get("unit") or panel.get("options", {}).get("yAxis", {}).get("unit")
            assert unit, panel["title"]


def test_system_uses_the_guides_promql_with_an_instance_variable(rendered):
    items, _ = rendered
    data = items["system"].json
    titles = [p["title"] for p in _panels(data)]
    for title in ("CPU usage", "Memory usage", "Disk usage", "Network traffic"):
        assert title in titles
    disk = next(p for p in _panels(data) if p["title"] == "Disk usage")
    assert disk["type"] == "gauge"
    exprs = " ".join(_exprs(data))
    assert 'irate(node_cpu_seconds_total{mode="idle", instance=~"$instance"}[5m])' in exprs
    assert "node_memory_MemAvailable_bytes" in exprs and "node_network_transmit_bytes_total" in exprs
    assert 'node_filesystem_free_bytes{fstype!="tmpfs"' in exprs
    assert [v["name"] for v in data["templating"]["list"]] == ["datasource", "instance"]


def test_api_has_the_guides_panels_and_what_it_implies(rendered):
    items, _ = rendered
    data = items["api-performance"].json
    by_title = {p["title"]: p for p in _panels(data)}
    assert by_title["Active sessions"]["type"] == "stat"
    assert by_title["Request duration"]["type"] == "heatmap"
    assert by_title["Status codes"]["type"] == "piechart"
    exprs = " ".join(_exprs(data))
    assert "histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket" in exprs
    assert "database_query_duration_seconds_bucket" in exprs and "query_type" in exprs
    for vital in ("web_vitals_cls", "web_vitals_fid", "web_vitals_lcp"):
        assert vital in exprs
    assert "sum(sessions_active)" in exprs


def _readme_metrics() -> dict[str, str]:
    """The business-metrics table of the README: metric name -> type."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### Business metrics the application exports", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| (counter|gauge|histogram) \|", section, re.M)
    return dict(rows)


def test_business_panels_read_only_metrics_the_readme_defines(rendered):
    items, _ = rendered
    data = items["business-metrics"].json
    titles = {p["title"] for p in _panels(data)}
    assert titles == {
        "New users", "Daily active users", "User retention", "Conversion rate",
        "Monthly recurring revenue", "Average revenue per user", "Subscription churn", "Lifetime value",
    }
    documented = _readme_metrics()
    assert documented, "the README lost its business metrics table"
    used = set()
    for expr in _exprs(data):
        used |= set(re.findall(r"\b(app_[a-z_]+)", expr))
    assert used == set(documented), (used, documented)
    types = {p["title"]: p["type"] for p in _panels(data)}
    assert types["User retention"] == "heatmap" and types["Conversion rate"] == "gauge"
    assert types["Average revenue per user"] == "stat" and types["Lifetime value"] == "stat"
