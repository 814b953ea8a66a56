"""Lint on real dashboards (../shared/corpus): only true findings; each schema patch both ways.

The corpus is other people's dashboards, used by path and never copied here; the tests that
need it are skipped where it is absent.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Callable

import pytest

from publisher.lint import LintTarget, lint_dashboards, load_json_dashboards, schema

from .conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")

_NO_DESCRIPTION = "DASH050"
# Every finding dash lint gives on each file, in order: each is true. The panels have no description
# (their "description" is absent or ""), and "Up / Down" sets no unit anywhere (defaults, overrides).
EXPECTED = {
    "dotdc__k8s-views-pods.json": [(_NO_DESCRIPTION, t) for t in (
        "Total pod CPU Requests usage", "Total pod CPU Limits usage", "Total pod RAM Requests usage",
        "Total pod RAM Limits usage", "Resources by container", "CPU Usage / Requests & Limits by container",
        "Memory Usage / Requests & Limits by container", "CPU Usage by container", "Memory Usage by container",
        "CPU Throttled seconds by container", "OOM Events by container", "Container Restarts by container",
        "Pods with Container Issues", "Unscheduled Pods", "Network - Bandwidth", "Network - Packets Rate",
        "Network - Packets Dropped", "Network - Errors")],
    "kp__alertmanager-overview.json": [],
    "kp__apiserver.json": [(_NO_DESCRIPTION, t) for t in (
        "Work Queue Add Rate", "Work Queue Depth", "Work Queue Latency", "Memory", "CPU usage", "Goroutines")],
    "kp__nodes.json": [(_NO_DESCRIPTION, t) for t in (
        "CPU Usage", "Load Average", "Memory Usage", "Memory Usage", "Disk I/O", "Disk Space Usage")],
    "kp__prometheus.json": [(_NO_DESCRIPTION, t) for t in (
        "Prometheus Stats", "Target Sync", "Targets", "Average Scrape Interval Duration", "Scrape failures",
        "Appended Samples", "Head Series", "Head Chunks", "Query Rate", "Stage Duration")],
    "rfmoz__apache-full.json": [("DASH051", "Up / Down")],
    "rfmoz__node-exporter-full.json": [(_NO_DESCRIPTION, t) for t in (
        "CPU Cores", "RAM Total", "SWAP Total", "RootFS Total", "Uptime")],
}


def _lint_file(name: str):
    targets, errors = load_json_dashboards([CORPUS / name])
    assert errors == []
    return lint_dashboards(targets)


@needs_corpus
def test_the_corpus_is_the_one_these_expectations_describe():
    assert sorted(p.name for p in CORPUS.glob("*.json")) == sorted(EXPECTED)


@needs_corpus
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_corpus_file_lints_with_exactly_its_true_findings(name):
    report = _lint_file(name)
    assert [(f.code, f.panel) for f in report.findings] == EXPECTED[name], "\n".join(report.lines())
    assert report.ok  # warnings only: no error is left
    assert {f.source for f in report.findings} <= {str(CORPUS / name)}


@needs_corpus
def test_the_whole_corpus_through_the_cli_has_no_error(dash):
    result = dash("lint", str(CORPUS), "--output", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["ok"] and report["dashboards"] == len(EXPECTED)
    assert {f["code"] for f in report["findings"]} == {"DASH050", "DASH051"}


@needs_corpus
def test_a_mistake_inside_a_collapsed_row_names_its_own_panel():
    """node-exporter-full keeps most panels in collapsed rows: a finding there names that panel."""
    data = json.loads((CORPUS / "rfmoz__node-exporter-full.json").read_text())
    row = next(p for p in data["panels"] if p.get("type") == "row" and p.get("collapsed") and p.get("panels"))
    nested = row["panels"][1]
    nested["fieldConfig"]["defaults"]["unit"] = 5
    nested["targets"][0]["expr"] = "rate(node_cpu_seconds_total[5m]"
    sources = {nested["id"]: "dashboards/node.py:42"}
    report = lint_dashboards([LintTarget("n", "N", "F", data, "dashboards/node.py:1", sources)])
    wrong = [(f.code, f.panel, f.source) for f in report.findings if f.code in ("DASH030", "DASH040")]
    assert wrong == [("DASH030", nested["title"], "dashboards/node.py:42"),
                     ("DASH040", nested["title"], "dashboards/node.py:42")], report.lines()


# --- each schema patch: what Grafana writes passes, a real mistake still fails ------------------

def _dashboard(**top: Any) -> dict[str, Any]:
    panel = {"id": 1, "type": "timeseries", "title": "P", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
             "datasource": {"type": "prometheus", "uid": "prom"}, "options": {},
             "targets": [{"refId": "A", "expr": "up", "datasource": {"type": "prometheus", "uid": "prom"}}],
             "fieldConfig": {"defaults": {}, "overrides": []}}
    return {"title": "T", "uid": "t", "schemaVersion": 41, "panels": [panel], **top}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or, for the value `...`, delete) the key at `path`: "panels.0.fieldConfig.defaults.unit"."""
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        if value is ...:
            node.pop(last, None)
        elif isinstance(node, list):  # "panels.1": a second panel
            node[int(last):int(last) + 1] = [copy.deepcopy(value)]
        else:
            node[last] = copy.deepcopy(value)
    return edit


P0 = "panels.0"
FC = f"{P0}.fieldConfig"
OVERRIDE = {"matcher": {"id": "byRegexp", "options": "/.*out.*/"},
            "properties": [{"id": "custom.transform", "value": "negative-Y"}]}
VARIABLE = {"type": "query", "name": "job", "datasource": {"type": "prometheus", "uid": "prom"}}
ROW = {"type": "row", "id": 4, "title": "Memory", "gridPos": {"h": 1, "w": 24, "x": 0, "y": 8}}

# (what, as Grafana writes it, a real mistake of the same kind)
PATCHES = [
    ("dashboard without annotations and templating", _set("annotations", ...), _set("annotations", "x")),
    ("export for sharing", _set("__inputs", [{"name": "DS_PROMETHEUS", "type": "datasource"}]), _set("__inputs", "x")),
    ("__elements", _set("__elements", {}), _set("__elements", "x")),
    ("gnetId null", _set("gnetId", None), _set("gnetId", [1860])),
    ("gnetId number", _set("gnetId", 1860), _set("gnetId", True)),
    ("style", _set("style", "dark"), _set("style", "blue")),
    ("pre-5.0 rows", _set("rows", []), _set("rows", "x")),
    ("hideControls", _set("hideControls", False), _set("hideControls", "no")),
    ("timepicker time_options", _set("timepicker", {"time_options": ["5m", "1h"]}),
     _set("timepicker", {"time_options": "5m"})),
    ("dashboard link without defaults", _set("links", [{"title": "Docs", "type": "link", "url": "https://x"}]),
     _set("links", [{"title": "Docs", "url": "https://x"}])),
    ("panel timeFrom null", _set(f"{P0}.timeFrom", None), _set(f"{P0}.timeFrom", 5)),
    ("panel data link", _set(f"{P0}.links", [{"title": "Logs", "url": "/d/logs"}]),
     _set(f"{P0}.links", [{"title": "Logs"}])),
    ("field data link", _set(f"{FC}.defaults.links", [{"title": "Logs", "url": "/d/logs", "targetBlank": True}]),
     _set(f"{FC}.defaults.links", [{"title": "Logs", "url": "/d/logs", "targetBlank": "yes"}])),
    ("fieldConfig without overrides", _set(f"{FC}.overrides", ...), _set(f"{FC}.overides", [])),
    ("override matcher and property values", _set(f"{FC}.overrides", [OVERRIDE]),
     _set(f"{FC}.overrides", [{**OVERRIDE, "properties": [{"id": "unit", "val": "bytes"}]}])),
    ("override value mappings and null", _set(f"{FC}.overrides", [{**OVERRIDE, "properties": [
        {"id": "mappings", "value": [{"type": "value", "options": {"0": {"text": "Down"}}}]},
        {"id": "max", "value": None}]}]),
     _set(f"{FC}.overrides", [{"matcher": {"id": 5}, "properties": []}])),
    ("base threshold without value, no mode", _set(f"{FC}.defaults.thresholds", {"steps": [{"color": "green"}]}),
     _set(f"{FC}.defaults.thresholds", {"steps": [{"value": 80}]})),
    ("thresholds mode", _set(f"{FC}.defaults.thresholds", {"steps": []}),
     _set(f"{FC}.defaults.thresholds", {"mode": "relative", "steps": []})),
    ("transformation without options", _set(f"{P0}.transformations", [{"id": "merge"}]),
     _set(f"{P0}.transformations", [{"options": {}}])),
    ("row without panels and collapsed", _set("panels.1", ROW), _set("panels.1", {**ROW, "collapsed": "no"})),
    ("variable query object", _set("templating", {"list": [{**VARIABLE, "query": {
        "qryType": 1, "query": "label_values(up, job)", "refId": "PrometheusVariableQueryEditor-VariableQuery"}}]}),
     _set("templating", {"list": [{**VARIABLE, "query": 5}]})),
    ("variable allValue null, current {}",
     _set("templating", {"list": [{**VARIABLE, "allValue": None, "current": {}}]}),
     _set("templating", {"list": [{**VARIABLE, "current": {"text": 5}}]})),
    ("tag variables of Grafana 7", _set("templating", {"list": [
        {**VARIABLE, "tags": [], "tagsQuery": "", "tagValuesQuery": "", "useTags": False}]}),
     _set("templating", {"list": [{**VARIABLE, "useTags": "no"}]})),
    ("timeseries showValues", _set(f"{FC}.defaults.custom", {"showValues": False}),
     _set(f"{FC}.defaults.custom", {"showValues": "yes"})),
    ("prometheus step and metric", _set(f"{P0}.targets.0.step", 240), _set(f"{P0}.targets.0.stepp", 240)),
    ("prometheus metric", _set(f"{P0}.targets.0.metric", ""), _set(f"{P0}.targets.0.metric", 5)),
]
TABLE = [
    ("table cellOptions auto", {"cellOptions": {"type": "auto"}}, {"cellOptions": {"type": "auto", "mode": "basic"}}),
    ("table cellOptions type", {"cellOptions": {"type": "color-background", "mode": "gradient"}},
     {"cellOptions": {"type": "bogus"}}),
    ("table footer and wrapText", {"footer": {"reducers": []}, "wrapText": False},
     {"footer": {"reducer": ["sum"]}, "wrapText": "yes"}),
]


def _errors(edit: Callable[[dict[str, Any]], None], data: dict[str, Any] | None = None) -> list[str]:
    data = data or _dashboard()
    edit(data)
    return [f"{e.path}: {e.message}" for e in schema.validate(data)]


@pytest.mark.parametrize("what,grafana,mistake", PATCHES, ids=[p[0] for p in PATCHES])
def test_each_schema_patch_accepts_what_grafana_writes_and_still_rejects_a_mistake(what, grafana, mistake):
    assert _errors(grafana) == []
    assert _errors(mistake) != []


@pytest.mark.parametrize("what,grafana,mistake", TABLE, ids=[t[0] for t in TABLE])
def test_the_table_patches_both_ways(what, grafana, mistake):
    def table(custom):
        data = _dashboard()
        data["panels"][0]["type"] = "table"
        return _set(f"{FC}.defaults.custom", custom), data

    assert _errors(*table(grafana)) == []
    assert _errors(*table(mistake)) != []


def test_the_vendored_schema_files_stay_unpatched():
    """Patches apply to the loaded schema; the files keep the generator's bytes."""
    raw = json.loads((ROOT / "publisher/lint/schemas/dashboard.jsonschema.json").read_text())
    assert raw["definitions"]["MatcherConfig"]["properties"]["options"]["type"] == "object"
    assert "annotations" in raw["definitions"]["Dashboard"]["required"]
