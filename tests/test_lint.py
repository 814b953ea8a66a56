"""`dash lint`: each code has a fixture that triggers it; exit codes and JSON output."""

from __future__ import annotations

import json
import re

import pytest

from publisher.lint import CODES

from .conftest import FIXTURES

LINT = FIXTURES / "lint"
FIXTURE_FILES = sorted(p for p in LINT.iterdir() if re.match(r"dash\d{3}_", p.name))


def _fixture_for(code: str):
    matches = [p for p in FIXTURE_FILES if p.name.startswith(code.lower() + "_")]
    assert matches, f"no fixture triggers {code}"
    return matches[0]


def test_every_code_but_load_errors_has_a_fixture():
    covered = {p.name[:7].upper() for p in FIXTURE_FILES}
    assert covered == set(CODES) - {"DASH000"}  # DASH000 is covered by the broken-modules tests


@pytest.mark.parametrize("code", sorted(set(CODES) - {"DASH000"}))
def test_each_fixture_triggers_exactly_its_code(dash, code):
    fixture = _fixture_for(code)
    if fixture.is_dir():  # a repository of its own: dash.yaml, dashboards and alerts
        args = ["--config", str(fixture / "dash.yaml"), "lint"]
    elif fixture.suffix == ".json":
        args = ["lint", str(fixture)]
    else:
        args = ["--dashboards", str(fixture), "lint"]
    result = dash(*args, "--output", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    report = json.loads(result.output)
    codes = [f["code"] for f in report["findings"]]
    assert codes == [code], result.output
    finding = report["findings"][0]
    assert finding["uid"] or code in ("DASH024", "DASH063")  # a datasource, an alert: no dashboard of its own
    assert finding["message"] and finding["fix"] == CODES[code][2]
    assert fixture.name in finding["source"]
    expected_exit = 1 if CODES[code][0] == "error" else 0
    assert result.exit_code == expected_exit


def test_findings_name_the_dashboard_the_panel_and_the_fix(dash):
    result = dash("--dashboards", str(_fixture_for("DASH030")), "lint")
    assert result.exit_code == 1
    assert "DASH030 error [bad-promql / panel 'Unclosed'] query A: unclosed left parenthesis" in result.output
    assert "fix: fix the expression" in result.output
    # The line of the panel that is wrong (6), not of the dashboard it sits in (5).
    assert re.search(r"dash030_promql\.py:6: DASH030", result.output)


def test_panel_findings_point_at_each_panel_line(dash, tmp_path):
    module = tmp_path / "two_panels.py"
    module.write_text(
        "from publisher.sdk import Dashboard, Datasource, stat\n"
        "PROM = Datasource('Prometheus', 'prometheus', 'prometheus')\n"
        "d = Dashboard('Two', uid='two', datasource=PROM)\n"
        "d.row('R',\n"
        "    stat('Fine', 'sum(up)', unit='short', description='x'),\n"
        "    stat('Broken', 'sum(up', unit='short', description='x'),\n"
        ")\n"
        "d.row('S', stat('Also broken', 'rate(x[5m]', unit='short', description='x'))\n"
    )
    result = dash("--dashboards", "two_panels.py", "lint", "--output", "json")
    sources = {f["panel"]: f["source"] for f in json.loads(result.output)["findings"]}
    assert sources == {"Broken": "two_panels.py:6", "Also broken": "two_panels.py:8"}, result.output


def test_strict_turns_warnings_into_failures(dash):
    fixture = _fixture_for("DASH050")
    assert dash("--dashboards", str(fixture), "lint").exit_code == 0
    assert dash("--dashboards", str(fixture), "lint", "--strict").exit_code == 1


NODE_EXPORTER_FULL = "grafana-com-1860"  # the guide's grafana.com import (tests/conftest.py's stand-in serves it)


def _imported() -> bool:
    from .grafana_com_standin import NODE_EXPORTER_FULL as FILE

    return FILE.is_file()


def test_the_built_dashboards_lint_clean_as_json_files(dash, tmp_path):
    from .test_lint_corpus import EXPECTED

    assert dash("build", "--out", "out").exit_code == 0
    # The whole output: each dashboard is there twice (out/ and the provisioning tree), identical.
    result = dash("lint", "out", "--output", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] and report["suppressed"] == 0 and report["dashboards"] == (6 if _imported() else 5)
    assert [f for f in report["findings"] if f["uid"] != NODE_EXPORTER_FULL] == []  # ours: nothing at all
    # Node Exporter Full, imported as it is: the true findings of its file in the corpus (no description).
    theirs = [(f["code"], f["panel"]) for f in report["findings"] if f["uid"] == NODE_EXPORTER_FULL]
    assert theirs == (EXPECTED["rfmoz__node-exporter-full.json"] if _imported() else [])


def test_two_different_files_with_one_uid_are_still_a_duplicate(dash, tmp_path):
    assert dash("build", "--out", "out").exit_code == 0
    copy = tmp_path / "out/Platform/copy.json"
    data = json.loads((tmp_path / "out/Platform/system.json").read_text())
    data["title"] = "System (copy)"
    copy.write_text(json.dumps(data))
    result = dash("lint", "out", "--output", "json")
    assert [f["code"] for f in json.loads(result.output)["findings"] if f["uid"] != NODE_EXPORTER_FULL] == ["DASH001"]


def test_a_file_that_is_not_json_is_reported(dash, tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    result = dash("lint", "bad.json")
    assert result.exit_code == 1
    assert "bad.json:1: DASH000 error" in result.output and "not valid JSON" in result.output


def test_the_lint_cache_gives_the_same_findings_and_is_safe_to_lose(dash, tmp_path, monkeypatch):
    """Findings from the cache are the findings without it; a corrupt or unwritable cache is no error."""
    from publisher.app import App

    monkeypatch.setenv("DASH_CACHE_DIR", str(tmp_path / "cache"))
    boards = str(FIXTURES / "lint" / "dash041_panel_schema.py")

    def findings(**options):
        app = App(dashboards=boards, **options)
        return [f.to_json() for f in app.lint().findings]

    fresh = findings(use_cache=False)
    assert [f["code"] for f in fresh] == ["DASH041"]
    assert not (tmp_path / "cache").exists(), "--no-cache writes nothing"
    assert findings() == fresh  # computed, then stored
    stored = json.loads((tmp_path / "cache" / "lint.json").read_text())
    assert len(stored) == 1 and "DASH041" in json.dumps(stored)  # one dashboard's findings
    assert findings() == fresh  # from the cache
    (tmp_path / "cache" / "lint.json").write_text("{not json")
    assert findings() == fresh
    # Unwritable, even as root: the cache directory's place is taken by a file.
    monkeypatch.setenv("DASH_CACHE_DIR", str(tmp_path / "in-the-way" / "cache"))
    (tmp_path / "in-the-way").write_text("a file\n")
    assert findings() == fresh


def test_the_lint_cache_key_covers_the_dashboard_its_source_and_the_datasources(tmp_path):
    from publisher.cache import Cache
    from publisher.lint import LintTarget, lint_dashboards

    cache = Cache("lint", tmp_path, on=True)
    good = {"title": "T", "uid": "t", "panels": [], "schemaVersion": 41, "templating": {"list": []},
            "annotations": {"list": []}, "editable": True, "graphTooltip": 0, "time": {"from": "now-6h", "to": "now"},
            "timepicker": {}, "timezone": "browser", "links": [], "tags": []}
    bad = {**good, "graphTooltip": "shared"}  # an integer in the schema
    panel = {"id": 1, "type": "stat", "title": "Up", "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
             "datasource": {"type": "prometheus", "uid": "prom"}, "fieldConfig": {"defaults": {"unit": "short"}},
             "targets": [{"refId": "A", "expr": "up", "datasource": {"type": "prometheus", "uid": "prom"}}]}
    uses = {**good, "panels": [panel]}

    def codes(data, source="a.py:1", known=("prom",)):
        target = LintTarget("t", "T", "F", data, source)
        cached = lint_dashboards([target], datasource_uids=known, cache=cache).findings
        assert cached == lint_dashboards([target], datasource_uids=known).findings
        return [(f.code, f.source) for f in cached]

    assert codes(good) == []
    assert {c for c, _ in codes(bad)} == {"DASH040"}
    assert cache.misses == 2 and cache.hits == 0
    assert {c for c, _ in codes(bad)} == {"DASH040"} and cache.hits == 1
    assert {s for _, s in codes(bad, source="b.py:7")} == {"b.py:7"} and cache.misses == 3
    # The declared datasources are part of the key: `prom` declared or not gives other findings.
    assert codes(uses) != codes(uses, known=("other",))


# --- the pre-5.0 rows layout, datasource types, suppressions ------------------------------------

def _lint_json(data, **options):
    from publisher.lint import LintTarget, lint_dashboards

    return lint_dashboards([LintTarget(data.get("uid", "x"), data.get("title", "X"), "F", data, "x.json")], **options)


def _codes(report):
    return [(f.code, f.panel) for f in report.findings]


DATASOURCE_VARIABLES = {"list": [{"name": "logs", "type": "datasource", "query": "loki"},
                                 {"name": "prom", "type": "datasource", "query": "prometheus"}]}
OLD_LAYOUT = {
    "title": "Old", "uid": "old", "schemaVersion": 14, "style": "dark", "hideControls": False,
    "templating": DATASOURCE_VARIABLES,
    "rows": [
        {"title": "Requests", "collapse": False, "height": "250px", "panels": [
            {"id": 1, "type": "graph", "title": "Rate", "span": 6, "datasource": "$prom", "description": "d",
             "yaxes": [{"format": "reqps"}, {"format": "short"}], "lines": True,
             "targets": [{"refId": "A", "expr": "sum(rate(http_requests_total[5m])"}]},
            {"id": 2, "type": "singlestat", "title": "Up", "span": 6, "datasource": "$prom", "format": "percent",
             "targets": [{"refId": "A", "expr": "avg(up)"}]},
        ]},
        {"title": "Logs", "panels": [
            {"id": 3, "type": "graph", "title": "Errors", "span": 6, "datasource": "$logs", "description": "d",
             "yaxes": [{"format": "short"}],
             "targets": [{"refId": "A", "expr": 'sum(count_over_time({job="api"} |= "error" [$__interval]))'}]},
            {"id": 4, "type": "graph", "title": "Broken logs", "span": 6, "datasource": "${logs}", "description": "d",
             "yaxes": [{"format": "short"}], "targets": [{"refId": "A", "expr": '{job="api"} | jsn'}]},
            {"id": 5, "type": "graph", "title": "No unit", "span": 12, "datasource": "Prometheus", "description": "d",
             "targets": [{"refId": "A", "expr": "up{"}]},
        ]},
    ],
}


def test_the_pre_5_layout_is_walked_and_checked():
    """Its panels are checked like any (queries by their datasource, units, descriptions, variables); its
    rows, spans and Angular panels are not held to the current schema, which Grafana migrates them to."""
    report = _lint_json(OLD_LAYOUT)
    assert _codes(report) == [("DASH050", "Up"), ("DASH051", "No unit"), ("DASH030", "Rate"),
                              ("DASH032", "Broken logs")], report.lines()
    # "No unit" names its datasource ("Prometheus", before schemaVersion 33): its type is unknown, so its
    # query is not guessed to be PromQL; the LogQL panels are not read as PromQL.


def test_old_layout_panels_count_and_link_like_the_others():
    from publisher.dashboard_json import panel_ids, walk_panels

    assert [at.path for at in walk_panels(OLD_LAYOUT)][:2] == [("rows", 0, "panels", 0), ("rows", 0, "panels", 1)]
    assert panel_ids(OLD_LAYOUT)["Broken logs"] == 4
    bad = {**OLD_LAYOUT, "rows": [{"panels": [{"id": 9, "type": "graph", "title": "T", "span": 12,
                                               "datasource": "$nope", "targets": [{"refId": "A", "expr": "up"}]}]}]}
    assert ("DASH022", "T") in _codes(_lint_json(bad))


def _panel(title, datasource, *targets):
    return {"id": hash(title) % 1000, "type": "timeseries", "title": title, "description": "d",
            "gridPos": {"h": 8, "w": 24, "x": 0, "y": 0}, "datasource": datasource,
            "fieldConfig": {"defaults": {"unit": "short"}, "overrides": []},
            "targets": [{"refId": chr(65 + i), "expr": e, **({"datasource": d} if d is not None else {})}
                        for i, (d, e) in enumerate(targets)]}


def test_the_query_language_is_the_resolved_datasource_type():
    mixed = {"type": "datasource", "uid": "-- Mixed --"}
    data = {"title": "M", "uid": "m", "schemaVersion": 41, "templating": DATASOURCE_VARIABLES, "panels": [
        _panel("Mixed", mixed,
               ({"type": "loki", "uid": "loki"}, 'sum(rate({job="api"}[5m]))'),  # LogQL, fine
               ({"uid": "${prom}"}, "sum(rate(x[5m])"),  # PromQL through the variable: broken
               ("$logs", '{job="api"} | jsn'),  # a variable as a plain string: LogQL, broken
               ("Loki", '{job="api"} |= "x"')),  # a name: type unknown, not guessed
        _panel("Loki panel", {"uid": "$logs"}, (None, 'sum by (level) (count_over_time({job="api"} | json [5m]))')),
        _panel("Unknown", None, (None, "up{")),  # Grafana's default datasource: type unknown
    ]}
    found = [(f.code, f.panel, f.message.split(":")[0]) for f in _lint_json(data).findings
             if f.code.startswith("DASH03")]
    assert found == [("DASH030", "Mixed", "query B"), ("DASH032", "Mixed", "query C")], found


def _suppressed(report):
    return [(f.code, f.panel, f.suppressed) for f in report.findings]


def test_a_comment_on_the_panel_line_suppresses_its_codes(dash, tmp_path):
    (tmp_path / "boards").mkdir()
    (tmp_path / "boards" / "a.py").write_text(
        "from publisher.sdk import Dashboard, Datasource, stat\n"
        "PROM = Datasource('Prometheus', 'prometheus', 'prometheus')\n"
        "d = Dashboard('Two', uid='two', datasource=PROM)\n"
        "d.row('R',\n"
        "    stat('Fine', 'sum(up)', unit='short'),  # dash: ignore[DASH050]\n"
        "    stat('Broken', 'sum(up', unit='short'),  # dash: ignore[DASH030, DASH050]\n"
        "    stat('Other', 'sum(up)', unit='short'),  # dash: ignore[DASH051]\n"
        ")\n")
    result = dash("--dashboards", "boards", "lint")
    assert result.exit_code == 0, result.output  # the one error (DASH030) is suppressed
    assert result.output.splitlines() == [
        "boards/a.py:7: DASH050 warning [two / panel 'Other'] stat panel has no description",
        "    fix: add description=... saying what the panel shows",
        "linted 1 dashboard: 0 errors, 1 warning, 3 suppressed"]
    report = json.loads(dash("--dashboards", "boards", "lint", "--output", "json").output)
    assert report["ok"] and report["suppressed"] == 3
    assert [(f["code"], f["panel"], f["suppressed"]) for f in report["findings"]] == [
        ("DASH050", "Fine", True), ("DASH050", "Broken", True), ("DASH050", "Other", False),
        ("DASH030", "Broken", True)]
    assert dash("--dashboards", "boards", "lint", "--strict").exit_code == 1  # 'Other' still counts


def test_dash_yaml_suppresses_per_project_and_per_uid(dash, tmp_path):
    from publisher.config import LintSettings

    data = {**OLD_LAYOUT}
    assert _suppressed(_lint_json(data, settings=LintSettings(frozenset({"DASH050"})))) == [
        ("DASH050", "Up", True), ("DASH051", "No unit", False), ("DASH030", "Rate", False),
        ("DASH032", "Broken logs", False)]
    by_uid = LintSettings(per_uid={"old": frozenset({"DASH030", "DASH032"}), "other": frozenset({"DASH051"})})
    report = _lint_json(data, settings=by_uid)
    assert [c for c, _, s in _suppressed(report) if s] == ["DASH030", "DASH032"] and report.ok
    # Through dash.yaml and the CLI, for JSON files too.
    (tmp_path / "old.json").write_text(json.dumps(OLD_LAYOUT))
    (tmp_path / "dash.yaml").write_text("lint:\n  ignore: [DASH050, DASH051]\n  per_uid:\n    old: [DASH030]\n")
    result = dash("lint", "old.json")
    assert result.exit_code == 1 and "DASH032" in result.output and "DASH030" not in result.output
    assert result.output.rstrip().endswith("linted 1 dashboard: 1 error, 0 warnings, 3 suppressed")


@pytest.mark.parametrize("yaml,message", [
    ("lint:\n  ignore: DASH050\n", "dash.yaml: lint.ignore: must be a list of strings, got the string 'DASH050'"),
    ("lint:\n  ignore: [DASH50]\n", "dash.yaml: lint.ignore: 'DASH50' is no lint code that can be ignored"),
    ("lint:\n  per_uid: {api: [DASH000]}\n", "dash.yaml: lint.per_uid.api: 'DASH000' is no lint code"),
    ("lint:\n  ignor: []\n", "dash.yaml: lint.ignor: unknown key; did you mean 'ignore'?"),
    ("lint: [DASH050]\n", "dash.yaml: lint: must be a mapping"),
])
def test_a_wrong_lint_setting_is_refused_naming_the_file_and_key(dash, tmp_path, yaml, message):
    (tmp_path / "dash.yaml").write_text(yaml)
    result = dash("lint")
    assert result.exit_code != 0 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_a_module_that_fails_to_load_is_never_suppressed(tmp_path):
    from publisher.config import LintSettings
    from publisher.lint import lint_dashboards
    from publisher.loader import LoadError

    (tmp_path / "bad.py").write_text("raise ValueError('x')  # dash: ignore[DASH000]\n")
    error = LoadError(str(tmp_path / "bad.py"), 1, "ValueError: x")
    report = lint_dashboards([], load_errors=[error], settings=LintSettings(frozenset({"DASH000"})))
    assert _suppressed(report) == [("DASH000", None, False)] and not report.ok


def test_suppressions_apply_after_the_cache(tmp_path):
    """The cache keeps unsuppressed findings: a change of dash.yaml or of a comment shows at once."""
    from publisher.cache import Cache
    from publisher.config import LintSettings
    from publisher.lint import LintTarget, lint_dashboards

    cache = Cache("lint", tmp_path, on=True)
    module = tmp_path / "board.py"
    module.write_text("x = 1\ny = 2\n")
    target = LintTarget("old", "Old", "F", OLD_LAYOUT, f"{module}:1", {2: f"{module}:2"})
    plain = lint_dashboards([target], cache=cache)
    assert ("DASH050", "Up", False) in _suppressed(plain) and cache.misses == 1
    ignored = lint_dashboards([target], cache=cache, settings=LintSettings(frozenset({"DASH030"})))
    assert cache.hits == 1 and ("DASH030", "Rate", True) in _suppressed(ignored)
    module.write_text("x = 1\ny = 2  # dash: ignore[DASH050]\n")  # panel 2 ('Up') is declared on line 2
    commented = lint_dashboards([target], cache=cache)
    assert cache.hits == 2 and ("DASH050", "Up", True) in _suppressed(commented)
    assert [_identity(f) for f in commented.findings] == [_identity(f) for f in plain.findings]


def _identity(finding):
    return (finding.code, finding.message, finding.uid, finding.panel, finding.source)


@pytest.mark.parametrize("panel,has", [
    ({"type": "timeseries", "fieldConfig": {"defaults": {"unit": "bytes"}}}, True),
    ({"type": "timeseries", "fieldConfig": {"defaults": {}, "overrides": [
        {"matcher": {"id": "byRegexp", "options": "/ read| written/"},
         "properties": [{"id": "unit", "value": "Bps"}]}]}}, True),  # kube-prometheus' "Disk I/O"
    ({"type": "heatmap", "options": {"yAxis": {"unit": "s"}}}, True),
    ({"type": "graph", "yaxes": [{"format": "percentunit"}, {"format": "short"}]}, True),
    ({"type": "singlestat", "format": "percent"}, True),
    ({"type": "timeseries", "fieldConfig": {"defaults": {}, "overrides": [
        {"matcher": {"id": "byName", "options": "x"}, "properties": [{"id": "color", "value": "red"}]}]}}, False),
    ({"type": "graph", "yaxes": [{"format": None}]}, False),
    ({"type": "stat", "format": "percent"}, False),  # `format` is singlestat's, not stat's
])
def test_a_unit_is_found_wherever_grafana_keeps_one(panel, has):
    from publisher.lint.units import has_unit

    assert has_unit(panel) is has


def test_an_export_for_sharing_resolves_its_datasource_inputs():
    """`${DS_PROMETHEUS}` names an `__inputs` entry that Grafana's import fills in: no DASH022/DASH031, and
    its plugin type decides the language."""
    data = {"title": "E", "uid": "e", "schemaVersion": 39,
            "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource",
                          "pluginId": "prometheus", "pluginName": "Prometheus"}],
            "panels": [_panel("Exported", {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, (None, "sum(up")),
                       _panel("No input", {"uid": "${DS_LOKI}"}, (None, "up"))]}
    data["panels"][1]["gridPos"]["y"] = 8
    found = [(f.code, f.panel) for f in _lint_json(data).findings]
    assert found == [("DASH022", "No input"), ("DASH030", "Exported"), ("DASH031", "No input")], found
