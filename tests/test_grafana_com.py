"""grafana.com dashboards as code: GrafanaCom(...) fetched, checked, made ours, built offline, held when missing."""

from __future__ import annotations

import hashlib
import json

import pytest

from .conftest import TOKEN
from .grafana_com_standin import NODE_EXPORTER_FULL, GrafanaComStandIn

pytestmark = pytest.mark.skipif(not NODE_EXPORTER_FULL.is_file(), reason="no ../shared/corpus")

SHA = hashlib.sha256(NODE_EXPORTER_FULL.read_bytes()).hexdigest() if NODE_EXPORTER_FULL.is_file() else ""
MODULE = '''
from publisher.sdk import Datasource, GrafanaCom
PROMETHEUS = Datasource("Prometheus", "prometheus", "prom-main")
node = GrafanaCom({id}, revision={rev}, sha256="{sha}", folder="Hosts", datasource=PROMETHEUS{extra})
'''


@pytest.fixture
def stand_in(monkeypatch):
    server = GrafanaComStandIn({(1860, 41): NODE_EXPORTER_FULL}).start()
    monkeypatch.setenv("DASH_GRAFANA_COM_URL", server.url)
    yield server
    server.stop()


def project(tmp_path, extra: str = "", sha: str = SHA, rev: int = 41, dashboard_id: int = 1860, more: str = ""):
    """A dashboards directory of its own (the `dash` fixture's ./dashboards is the guide's)."""
    (tmp_path / "mine").mkdir(exist_ok=True)
    (tmp_path / "mine" / "node.py").write_text(MODULE.format(id=dashboard_id, rev=rev, sha=sha, extra=extra))
    if more:
        (tmp_path / "mine" / "mine.py").write_text(more)
    (tmp_path / "dash.yaml").exists() or (tmp_path / "dash.yaml").write_text("dashboards: mine\n")
    return tmp_path


def built(tmp_path):
    return json.loads((tmp_path / "out" / "Hosts" / "grafana-com-1860.json").read_text())


def test_a_declared_revision_is_fetched_checked_cached_and_made_ours(dash, tmp_path, stand_in):
    project(tmp_path)
    result = dash("build")
    assert result.exit_code == 0, result.output
    assert stand_in.requests == ["/api/dashboards/1860/revisions/41/download"]
    cached = tmp_path / ".dash-cache" / "grafana.com" / "1860-r41.json"
    assert cached.read_bytes() == NODE_EXPORTER_FULL.read_bytes()
    data = built(tmp_path)
    assert data["uid"] == "grafana-com-1860" and "id" not in data
    assert data["title"] == "Node Exporter Full"
    variable = next(v for v in data["templating"]["list"] if v["type"] == "datasource")
    assert variable["current"] == {"text": "Prometheus", "value": "prom-main"}  # defaults to ours
    assert (tmp_path / "out" / "grafana/provisioning/dashboards/json/Hosts/grafana-com-1860.json").is_file()
    first = (tmp_path / "out" / "Hosts" / "grafana-com-1860.json").read_bytes()
    assert dash("--no-cache", "build").exit_code == 0
    assert (tmp_path / "out" / "Hosts" / "grafana-com-1860.json").read_bytes() == first  # byte-identical
    assert len(stand_in.requests) == 1  # the second build used the cache


def test_a_warm_cache_builds_offline(dash, tmp_path, stand_in):
    project(tmp_path)
    assert dash("build").exit_code == 0
    stand_in.down = True
    result = dash("--no-cache", "build", "--strict")
    assert result.exit_code == 0, result.output
    assert len(stand_in.requests) == 1


def test_a_hash_mismatch_is_an_error_naming_both_hashes_and_nothing_is_cached(dash, tmp_path, stand_in):
    wrong = "0" * 64
    project(tmp_path, sha=wrong)
    result = dash("build")
    assert result.exit_code == 1
    assert SHA in result.output and wrong in result.output and "node.py:4" in result.output
    assert not (tmp_path / ".dash-cache" / "grafana.com" / "1860-r41.json").exists()


def test_an_unknown_revision_is_an_error_not_an_outage(dash, tmp_path, stand_in):
    project(tmp_path, rev=999)
    result = dash("build")
    assert result.exit_code == 1
    assert "grafana.com/1860@999" in result.output and "404" in result.output


def test_a_cold_cache_offline_builds_the_rest_warns_and_keeps_the_last_file(dash, tmp_path, stand_in):
    mine = ('from publisher.sdk import Dashboard, stat\n'
            'd = Dashboard("Mine", uid="mine").panels(stat("Up", "up", description="d", unit="none"))\n')
    project(tmp_path, more=mine)
    assert dash("build").exit_code == 0
    (tmp_path / ".dash-cache" / "grafana.com" / "1860-r41.json").unlink()
    stand_in.down = True
    result = dash("--no-cache", "build")
    assert result.exit_code == 0, result.output
    assert "grafana.com/1860@41 (grafana-com-1860) was not built" in result.output
    assert "DASH_GRAFANA_COM_URL" in result.output and "1860-r41.json" in result.output
    assert "1 not built" in result.output
    assert (tmp_path / "out" / "General" / "mine.json").is_file()
    assert (tmp_path / "out" / "Hosts" / "grafana-com-1860.json").is_file()  # the last good file stays
    strict = dash("--no-cache", "build", "--strict")
    assert strict.exit_code == 1 and "--strict: grafana-com-1860 not built" in strict.output


def test_inputs_are_filled_as_grafanas_import_fills_them(dash, tmp_path, monkeypatch):
    export = {
        "__inputs": [{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus"},
                     {"name": "DS_EXPR", "type": "datasource", "pluginId": "__expr__"},
                     {"name": "VAR_JOB", "type": "constant", "value": "node"}],
        "title": "Exported", "uid": "abc", "id": 7, "schemaVersion": 39, "tags": [],
        "panels": [{"type": "timeseries", "title": "CPU", "id": 1, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                    "datasource": {"type": "prometheus", "uid": "${DS_PROM}"},
                    "targets": [{"refId": "A", "expr": 'up{job="${VAR_JOB}"}',
                                 "datasource": {"uid": "${DS_PROM}"}},
                                {"refId": "B", "datasource": {"uid": "${DS_EXPR}"}},
                                {"refId": "C", "expr": "rate(x[${__rate_interval}])"}]}],
    }
    path = tmp_path / "export.json"
    path.write_bytes(json.dumps(export).encode())
    server = GrafanaComStandIn({(5, 1): path}).start()
    monkeypatch.setenv("DASH_GRAFANA_COM_URL", server.url)
    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        project(tmp_path, sha=sha, rev=1, dashboard_id=5, extra=', uid="exported", title="Ours"')
        result = dash("build")
        assert result.exit_code == 0, result.output
        data = json.loads((tmp_path / "out" / "Hosts" / "exported.json").read_text())
        assert "__inputs" not in data and data["title"] == "Ours" and data["uid"] == "exported"
        targets = data["panels"][0]["targets"]
        assert data["panels"][0]["datasource"] == {"type": "prometheus", "uid": "prom-main"}
        assert targets[0] == {"refId": "A", "expr": 'up{job="node"}', "datasource": {"uid": "prom-main"}}
        assert targets[1]["datasource"] == {"uid": "__expr__"}
        assert targets[2]["expr"] == "rate(x[${__rate_interval}])"  # not an input: left for Grafana

        project(tmp_path, sha=sha, rev=1, dashboard_id=5, extra=', datasources={"DS_PROMETHEUS": PROMETHEUS}')
        typo = dash("build")
        assert typo.exit_code == 1
        assert "datasources= names 'DS_PROMETHEUS', which is not an input of the file" in typo.output
        assert "DS_PROM, DS_EXPR, VAR_JOB" in typo.output
    finally:
        server.stop()


def test_a_wrong_declaration_is_refused_where_it_is_written(dash, tmp_path, stand_in):
    project(tmp_path, sha="not-a-hash")
    result = dash("build")
    assert result.exit_code == 1
    assert "node.py:4" in result.output and "must be 64 hex digits" in result.output
    assert "Traceback" not in result.output


def test_published_and_never_pruned_while_it_cannot_be_built(dash, tmp_path, stand_in, monkeypatch):
    from .grafana_emulator import Emulator

    emulator = Emulator(mode="13.x").start()
    try:
        monkeypatch.setenv("DASH_TEST_TOKEN", TOKEN)
        (tmp_path / "dash.yaml").write_text(
            "project: dash-tests\ndashboards: mine\nenvironments:\n  test:\n"
            f"    url: {emulator.url}\n    token: {{env: DASH_TEST_TOKEN}}\n"
            "    datasources:\n      prom-main: {url: 'http://prometheus:9090'}\n")
        project(tmp_path)
        args = ("--dashboards", str(tmp_path / "mine"))
        result = dash(*args, "publish", "--env", "test", "-m", "first")
        assert result.exit_code == 0, result.output
        assert "grafana-com-1860" in emulator.grafana.org(1).dashboards
        (tmp_path / ".dash-cache" / "grafana.com" / "1860-r41.json").unlink()
        stand_in.down = True
        plan = dash("--no-cache", *args, "diff", "--env", "test", "--prune")
        assert "grafana-com-1860: not built this run" in plan.output, plan.output
        assert "0 to delete" in plan.output and "- delete" not in plan.output.lower()
        again = dash("--no-cache", *args, "publish", "--env", "test", "--prune", "-m", "offline")
        assert again.exit_code == 0, again.output
        assert "grafana-com-1860" in emulator.grafana.org(1).dashboards  # still there
    finally:
        emulator.stop()
