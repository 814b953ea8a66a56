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
    assert finding["uid"] and finding["message"] and finding["fix"] == CODES[code][2]
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


def test_the_built_dashboards_lint_clean_as_json_files(dash, tmp_path):
    assert dash("build", "--out", "out").exit_code == 0
    # The whole output: each dashboard is there twice (out/ and the provisioning tree), identical.
    result = dash("lint", "out", "--output", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"dashboards": 4, "findings": [], "ok": True}


def test_two_different_files_with_one_uid_are_still_a_duplicate(dash, tmp_path):
    assert dash("build", "--out", "out").exit_code == 0
    copy = tmp_path / "out/Platform/copy.json"
    data = json.loads((tmp_path / "out/Platform/system.json").read_text())
    data["title"] = "System (copy)"
    copy.write_text(json.dumps(data))
    result = dash("lint", "out", "--output", "json")
    assert [f["code"] for f in json.loads(result.output)["findings"]] == ["DASH001"]


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
