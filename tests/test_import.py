"""`dash import`: Grafana JSON to modules, Grafana's load migrations, and the proof that nothing is lost."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import attrs
import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.importer import migrate as M
from publisher.importer.check import compare, failures
from publisher.importer.run import check
from publisher.importer.sources import ImportFailed, unwrap

from .conftest import ROOT, SHARED
from .test_import_migrate import _module, _write, old_dashboard  # the one pair of helpers for import tests

CORPUS = sorted((SHARED / "corpus").glob("*.json"))
needs_corpus = pytest.mark.skipif(not CORPUS, reason="no ../shared/corpus here")




def _cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


# --- round trips ------------------------------------------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_every_corpus_dashboard_imports_losslessly(path):
    checked = check(_module(path))
    assert checked.errors == []
    assert [d.line() for d in checked.failures] == []
    assert checked.module.formatted


def test_the_guides_built_dashboards_import_losslessly(dash, tmp_path):
    dash("build", "--out", "built")
    built = [p for p in sorted((tmp_path / "built").rglob("*.json"))
             if "grafana" not in p.relative_to(tmp_path / "built").parts[:1] and not p.name.startswith(".")]
    assert len(built) >= 4
    for path in built:
        checked = check(_module(path))
        assert checked.ok, (path.name, [d.line() for d in checked.failures], checked.errors)


@needs_corpus
def test_imported_modules_build_and_lint_like_any_module(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _cli("import", "--out", "imported", *map(str, CORPUS))
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "imported").glob("*.py"))) == len(CORPUS)
    built = _cli("--dashboards", "imported", "build", "--out", "out")
    assert built.exit_code == 0, built.output
    assert f"built {len(CORPUS)} dashboards" in built.output
    linted = _cli("--dashboards", "imported", "lint", "--output", "json")
    report = json.loads(linted.output)
    assert linted.exit_code == 0, linted.output  # no error: the imported modules pass `dash lint`
    codes = {f["code"] for f in report["findings"]}
    assert codes <= {"DASH023", "DASH050", "DASH051"}  # warnings only, each true (see tests/test_lint_corpus.py)
    # A datasource variable left on the instance's own datasource is named, as a warning (DASH023).
    assert any(f["code"] == "DASH023" and "'Prometheus'" in f["message"] for f in report["findings"])


def test_check_reports_a_lost_and_a_changed_value_and_fails(tmp_path):
    module = _module(_write(tmp_path / "old.json", old_dashboard()))
    assert check(module).ok
    lossy = attrs.evolve(module, text=module.text.replace('"intervalFactor": 2,', "", 1)
                         .replace('refresh="30s"', 'refresh="1m"'))
    checked = check(lossy)
    assert not checked.ok
    lines = sorted(d.line() for d in checked.failures)
    assert lines == ['changed  refresh: "30s" -> "1m"',
                     "lost     panels[1].targets[0].intervalFactor: 2 -> (absent)"]


def test_the_comparison_tells_true_from_one_and_ignores_only_bookkeeping():
    assert [d.kind for d in compare({"a": True}, {"a": 1})] == ["changed"]
    assert compare({"a": 1, "b": None, "id": 4, "version": 9}, {"a": 1.0}) == []
    assert [d.line() for d in failures(compare({"l": [1, 2]}, {"l": [1], "x": 0}))] == ["lost     l[1]: 2 -> (absent)"]


def test_the_cli_check_prints_each_loss_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "old.json", old_dashboard())
    ok = _cli("import", "--check", "old.json")
    assert ok.exit_code == 0, ok.output
    assert "ok     old.json -> old_rows.py: 4 panels, 0 values lost or changed" in ok.output
    monkeypatch.setattr("publisher.importer.run.ruff_format", lambda text: text.replace('"step": 30,', "", 1))
    lossy = _cli("import", "--check", "old.json")
    assert lossy.exit_code == 1
    assert "lost     panels[1].targets[0].step: 30 -> (absent)" in lossy.output
    assert "FAILED old.json" in lossy.output and not list(tmp_path.glob("*.py"))  # --check writes nothing


# --- determinism ------------------------------------------------------------------------------------------------


def test_the_same_input_gives_a_byte_identical_module_across_processes(tmp_path):
    source = _write(tmp_path / "old.json", old_dashboard())
    texts = set()
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        done = subprocess.run([sys.executable, "-m", "publisher", "import", "--out", str(out), str(source)],
                              cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        texts.add((out / "old_rows.py").read_bytes())
    assert len(texts) == 1


# --- bad input --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content, message", [
    ("{not json", "old.json: not JSON at line 1"),
    ('{"title": "x"}', "old.json: not a Grafana dashboard (no title and panels or rows)"),
    ("[1, 2]", "old.json: not a Grafana dashboard"),
])
def test_bad_input_is_one_clear_line(tmp_path, monkeypatch, content, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.json").write_text(content)
    result = _cli("import", "old.json")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_missing_files_directories_and_a_file_as_out_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = _cli("import", "nope.json")
    assert missing.exit_code == 1 and "nope.json: no such file" in missing.output
    (tmp_path / "adir").mkdir()
    assert "adir: is a directory" in _cli("import", "adir").output
    _write(tmp_path / "old.json", old_dashboard())
    (tmp_path / "afile").write_text("")
    refused = _cli("import", "--out", "afile/sub", "old.json")
    assert refused.exit_code == 1 and "afile is a file, not a directory" in refused.output


def test_an_existing_module_is_refused_unless_forced(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "old.json", old_dashboard())
    assert _cli("import", "--out", "d", "old.json").exit_code == 0
    (tmp_path / "d" / "old_rows.py").write_text("# edited\n")
    again = _cli("import", "--out", "d", "old.json")
    assert again.exit_code == 1 and "d/old_rows.py already exists; pass --force" in again.output
    assert (tmp_path / "d" / "old_rows.py").read_text() == "# edited\n"
    assert _cli("import", "--out", "d", "--force", "old.json").exit_code == 0
    assert "Dashboard(" in (tmp_path / "d" / "old_rows.py").read_text()


def test_an_api_envelope_and_an_export_unwrap_to_the_dashboard():
    envelope = unwrap({"dashboard": {"title": "T", "panels": []}, "meta": {"folderTitle": "Team"}}, "x.json")
    assert envelope.folder == "Team" and envelope.dashboard["title"] == "T"
    inputs = [{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus", "label": "Prom"},
              {"name": "VAR_ENV", "type": "constant", "value": "prod"}]
    export = unwrap({"__inputs": inputs, "title": "E", "panels": [
        {"type": "timeseries", "title": "t", "datasource": {"uid": "${DS_PROM}"}, "description": "${VAR_ENV}"}]},
        "e.json")
    migrated = M.migrate(export.dashboard, export.inputs)
    assert migrated["templating"]["list"][0]["name"] == "DS_PROM"  # the picked datasource stays a choice
    assert migrated["templating"]["list"][0]["query"] == "prometheus"
    assert migrated["panels"][0]["description"] == "prod"
    with pytest.raises(ImportFailed, match="not a Grafana dashboard"):
        unwrap({"dashboard": {"panels": []}}, "y.json")


# --- the SDK's escape hatch -------------------------------------------------------------------------------------


def test_verbatim_panels_keep_their_values_ids_and_positions():
    from publisher.sdk import Dashboard, GridPos, panel

    d = Dashboard("V", uid="v", grafana={"graphTooltip": 2, "refresh": ""})
    d.row("R", panel("timeseries", "A", id=7, grid=GridPos(0, 1, 12, 8), maxDataPoints=100,
                     targets=[{"expr": "up", "refId": "A", "intervalFactor": 2, "range": True, "instant": True}],
                     field_config={"defaults": {"thresholds": {"mode": "absolute", "steps": [
                         {"color": "green", "value": None}]}}, "overrides": []}))
    out = d.to_json()
    row, ts = out["panels"]
    assert (row["id"], ts["id"], ts["gridPos"]) == (1, 7, {"h": 8, "w": 12, "x": 0, "y": 1})
    assert ts["maxDataPoints"] == 100 and ts["targets"][0] == {"expr": "up", "refId": "A", "intervalFactor": 2,
                                                                  "range": True, "instant": True}
    assert ts["fieldConfig"]["defaults"]["thresholds"]["steps"] == [{"color": "green", "value": None}]
    assert (out["graphTooltip"], out["refresh"]) == (2, "")


def test_the_escape_hatch_still_refuses_angular_panels_and_rendered_keys():
    from publisher.sdk import AngularPanelError, Dashboard, DashboardError, panel

    with pytest.raises(AngularPanelError, match="'graph' panel"):
        panel("graph", "Old")
    with pytest.raises(DashboardError, match="grafana= cannot set panels"):
        Dashboard("X", uid="x", grafana={"panels": []})


def test_a_library_panel_stays_a_reference(tmp_path):
    panels = [{"gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "id": 5, "title": "Shared CPU",
               "libraryPanel": {"uid": "lib-cpu", "name": "Shared CPU"}}]
    checked = check(_module(_write(tmp_path / "lib.json", {"title": "Lib", "uid": "lib", "panels": panels})))
    assert checked.ok, [d.line() for d in checked.failures] + checked.errors
    assert 'library_panel("lib-cpu", "Shared CPU"' in checked.module.text


def test_dash_output_imports_back_as_helpers_rows_and_sdk_variables(dash, tmp_path):
    assert dash("build", "--out", "built").exit_code in (0, 1)
    text = _module(tmp_path / "built" / "Platform" / "system.json").text
    assert 'datasource=PROMETHEUS' in text and 'label_values("instance"' in text
    assert 'Link("API performance", uid="api-performance")' in text
    assert "timeseries(\n        \"CPU usage\"" in text and "gauge(" in text and "high_is_bad(70, 80)" in text
    assert "GridPos" not in text and "grafana=" not in text  # rows as dash lays them out, nothing as written
    api = _module(tmp_path / "built" / "Platform" / "api-performance.json").text
    assert 'rate("Request rate", \'http_requests_total{endpoint=~"$endpoint"}\', by="endpoint")' in api
    assert "ratio(\n        \"Error rate\"" in api and "quantile(\n        \"P95 latency\"" in api


def test_a_row_shaped_layout_is_written_without_positions(tmp_path):
    def ts(i, x, y):
        return {"id": i, "type": "timeseries", "title": f"p{i}", "gridPos": {"x": x, "y": y, "w": 12, "h": 8}}

    panels = [{"id": 1, "type": "row", "title": "A", "collapsed": False, "panels": [],
               "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}}, ts(2, 0, 1), ts(3, 12, 1), ts(4, 0, 9), ts(5, 12, 9)]
    checked = check(_module(_write(tmp_path / "rows.json", {"title": "Rows", "uid": "rows", "panels": panels})))
    assert checked.ok, [d.line() for d in checked.failures] + checked.errors
    assert "GridPos" not in checked.module.text and not re.search(r"\bid=", checked.module.text)
    assert "per_line=2" in checked.module.text


@pytest.mark.parametrize("title, name", [("Import", "import_dashboard"), ("panel", "panel_dashboard"),
                                         ("2024 costs", "d_2024_costs")])
def test_a_title_that_is_no_good_python_name_still_gives_a_module_that_loads(tmp_path, title, name):
    panels = [{"id": 1, "type": "text", "title": "t", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 3},
               "options": {"content": "hi", "mode": "markdown"}}]
    checked = check(_module(_write(tmp_path / "t.json", {"title": title, "uid": "t", "panels": panels})))
    assert checked.ok, checked.errors
    assert checked.module.filename == f"{name}.py" and f"\n{name} = Dashboard(" in checked.module.text


def test_modules_go_to_the_projects_dashboards_directory_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DASH_CONFIG", raising=False)
    monkeypatch.delenv("DASH_DASHBOARDS", raising=False)
    (tmp_path / "dash.yaml").write_text("dashboards: mine\n")
    (tmp_path / "mine").mkdir()
    _write(tmp_path / "old.json", old_dashboard())
    result = _cli("import", "old.json")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mine" / "old_rows.py").is_file()
    listed = _cli("list")
    assert "old-rows" in listed.output and listed.exit_code == 0


@needs_corpus
def test_importing_the_build_of_an_import_gives_the_same_module(tmp_path):
    from publisher.importer.run import build

    first = _module(CORPUS[0])
    built, errors = build(first)
    assert errors == []
    (tmp_path / CORPUS[0].name).write_text(json.dumps(built))
    assert _module(tmp_path / CORPUS[0].name).text == first.text


def test_a_generated_import_line_gives_the_sdk_functions_not_their_modules():
    # `from publisher.sdk import Dashboard, thresholds`: importing Dashboard loads the thresholds submodule,
    # which Python binds to the package's `thresholds` unless the SDK rebinds the function.
    code = "from publisher.sdk import Dashboard, thresholds, units; print(callable(thresholds))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True", done.stderr
