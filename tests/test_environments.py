"""Several environments in one run (--env a --env b, --all-envs, DASH_ENV), targeting (--only, --force UID), and
errors as typed JSON: against two emulators, one per environment."""

from __future__ import annotations

import json

import pytest

from .test_publish import OBJECTS, _set_p95

PROD_ENV = """  prod:
    url: {url}
    token: {{env: DASH_TEST_TOKEN}}
    folder: Monitoring
    retries: 2
    datasources:
      prometheus: {{url: "http://prometheus:9090"}}
      loki: {{url: "http://loki:3100"}}
"""


@pytest.fixture
def prod(request, grafana, tmp_path, env_dash):
    """A second Grafana of the same version as env `test`'s, as env `prod` of the same dash.yaml."""
    from .grafana_emulator import Emulator

    other = Emulator(mode=request.node.callspec.params["grafana"]).start()
    config = tmp_path / "dash.yaml"
    config.write_text(config.read_text() + PROD_ENV.format(url=other.url))
    try:
        yield other
    finally:
        other.stop()


def test_two_environments_are_published_in_the_order_given(env_dash, grafana, prod):
    result = env_dash("publish", "--env", "test", "--env", "prod")
    assert result.exit_code == 0, result.output
    assert result.output.index("dash publish: env test ->") < result.output.index("dash publish: env prod ->")
    assert result.output.count(f"{OBJECTS} created") == 2
    assert "Environments: test ok; prod ok." in result.output
    assert grafana.dashboard("system") is not None and prod.dashboard("system") is not None
    assert env_dash("diff", "--all-envs").exit_code == 0  # both clean, seen in one run


def test_a_failure_in_one_environment_is_not_carried_to_the_next(env_dash, grafana, prod):
    grafana.set_faults(permanent={"business-metrics": (403, {"message": "Access denied to save dashboard"})})
    stopped = env_dash("publish", "--env", "test", "--env", "prod")
    assert stopped.exit_code == 1
    assert "not started: prod (env test did not publish cleanly; --keep-going goes on after a failure)" in \
        stopped.output
    assert "Environments: test FAILED; prod not started." in stopped.output
    assert prod.writes() == 0 and prod.dashboard("system") is None

    went_on = env_dash("publish", "--env", "test", "--env", "prod", "--keep-going", "--output", "json")
    assert went_on.exit_code == 1  # the worst of them
    report = json.loads(went_on.stdout)
    assert [(e["env"], e["ok"]) for e in report["environments"]] == [("test", False), ("prod", True)]
    assert report["exit_code"] == 1 and prod.dashboard("system") is not None


def test_diff_of_several_environments_reports_each_and_exits_with_the_worst(env_dash, grafana, prod):
    assert env_dash("publish", "--env", "test").exit_code == 0
    result = env_dash("diff", "--output", "json", env={"DASH_ENV": "test prod"})
    assert result.exit_code == 2
    report = json.loads(result.output)
    assert [(e["env"], e["changed"]) for e in report["environments"]] == [("test", False), ("prod", True)]
    assert report["environments"][1]["url"] == prod.url  # a URL, not a description


def test_an_unknown_environment_among_several_is_an_error_for_it_alone(env_dash, grafana, prod):
    result = env_dash("diff", "--env", "prod", "--env", "prd")
    assert result.exit_code == 1
    assert "dash diff: env prod ->" in result.output  # the good one was still planned
    assert "no environment 'prd'" in result.output and "did you mean 'prod'?" in result.output


def test_env_and_all_envs_together_are_refused(env_dash, grafana):
    result = env_dash("diff", "--env", "test", "--all-envs")
    assert result.exit_code == 1 and "give --env NAME (repeatable) or --all-envs, not both" in result.output
    none = env_dash("diff")
    assert none.exit_code == 1 and "say which environment: --env NAME" in none.output


@pytest.mark.parametrize("grafana", ["12.x"], indirect=True)
def test_only_publishes_the_named_dashboard_and_the_folders_it_needs(env_dash, grafana):
    result = env_dash("publish", "--env", "test", "--only", "system", "--output", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    written = sorted((r["kind"], r["uid"]) for r in report["results"])
    assert written == [("dashboard", "system"), ("folder", "dash-monitoring"), ("folder", "dash-monitoring-platform")]
    needed = "folder 'Monitoring/Platform' is included, because dashboard system needs it"
    assert any(needed in note for note in report["notes"])
    assert grafana.dashboard("system") is not None and grafana.dashboard("api-performance") is None
    rest = env_dash("diff", "--env", "test", "--output", "json")
    assert {c["uid"] for c in json.loads(rest.output)["changes"] if c["action"] == "create"} >= {"api-performance"}


@pytest.mark.parametrize("grafana", ["12.x"], indirect=True)
def test_only_with_a_name_that_matches_nothing_says_what_was_meant(env_dash, grafana):
    result = env_dash("diff", "--env", "test", "--only", "sytem", "--output", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert "--only 'sytem' (did you mean 'system'?)" in report["error"]
    assert report["errors"][0]["kind"] == "usage"


@pytest.mark.parametrize("grafana", ["11.6", "13.x"], indirect=True)
def test_force_with_a_uid_overwrites_that_dashboard_and_refuses_the_others(env_dash, grafana):
    assert env_dash("publish", "--env", "test").exit_code == 0
    grafana.edit_dashboard("api-performance", _set_p95, user="alice")
    grafana.edit_dashboard("system", lambda d: d.update(title="System (edited)"), user="bob")
    result = env_dash("publish", "--env", "test", "--force", "api-performance", "--output", "json")
    assert result.exit_code == 1  # system was refused
    by_uid = {r["uid"]: r["result"] for r in json.loads(result.output)["results"]}
    assert by_uid == {"api-performance": "ok", "system": "refused"}
    assert "0.99" not in json.dumps(grafana.dashboard("api-performance"))
    assert grafana.dashboard("system")["title"] == "System (edited)"
    unknown = env_dash("publish", "--env", "test", "--force", "api-performanse")
    assert unknown.exit_code == 1 and "did you mean 'api-performance'?" in unknown.output


@pytest.mark.parametrize("grafana", ["12.x"], indirect=True)
def test_errors_in_json_are_typed_with_file_and_line_apart(env_dash, grafana, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.py").write_text("from publisher.sdk import Dashboard\n\nx = 1\nraise ValueError('no data')\n")
    result = env_dash("--dashboards", str(broken), "diff", "--env", "test", "--output", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    error = report["errors"][0]
    assert error["kind"] == "module" and error["file"].endswith("bad.py") and error["line"] == 4
    assert "no data" in error["message"] and report["ok"] is False

    (tmp_path / "dash.yaml").write_text((tmp_path / "dash.yaml").read_text() + "  bad: {url: nowhere}\n")
    config = env_dash("diff", "--env", "test", "--output", "json")
    error = json.loads(config.stdout)["errors"][0]
    assert (error["kind"], error["key"]) == ("config", "environments.bad.url")
    assert error["file"].endswith("dash.yaml")


@pytest.mark.parametrize("grafana", ["13.x"], indirect=True)
def test_diff_picture_draws_the_changed_dashboard_before_and_after(env_dash, grafana, tmp_path):
    from .test_preview import _by_id

    assert env_dash("publish", "--env", "test").exit_code == 0
    grafana.edit_dashboard("api-performance", _set_p95, user="alice")
    out = tmp_path / "pictures"
    result = env_dash("diff", "--env", "test", "--picture", str(out))
    assert result.exit_code == 2, result.output
    assert sorted(p.name for p in out.iterdir()) == ["api-performance.after.html", "api-performance.before.html",
                                                      "index.html"]
    after = _by_id((out / "api-performance.after.html").read_text())
    marked = [box["title"] for box in after.values() if "changed" in box["classes"]]
    assert len(marked) == 1 and "P95 latency" in marked[0]  # its tooltip: the diff's words for it
    assert f"pictures: 3 page(s) written to {out}/; open {out / 'index.html'}" in result.output


def test_what_a_ui_edit_changed_is_shown_apart_from_what_publish_would_do(env_dash, grafana):
    assert env_dash("publish", "--env", "test").exit_code == 0
    grafana.edit_dashboard("api-performance", _set_p95, user="alice")
    grafana.edit_dashboard("api-performance", lambda d: d.update(refresh="5m"), user="alice")  # two UI saves
    report = json.loads(env_dash("diff", "--env", "test", "--output", "json").stdout)
    change = next(c for c in report["changes"] if c["uid"] == "api-performance")
    # publish's words go from Grafana's value to ours; the edit's from dash's last version to Grafana's
    assert any(d.startswith("panel 'P95 latency': query A: histogram_quantile(0.[-99-]{+95+}")
               for d in change["details"])
    edits = change["drift"]["edits"]
    assert any(e.startswith("panel 'P95 latency': query A: histogram_quantile(0.[-95-]{+99+}") for e in edits)
    assert any(e.startswith("refresh interval:") and e.endswith("'5m'") for e in edits), edits
    text = env_dash("diff", "--env", "test").output
    assert "alice changed in Grafana: panel 'P95 latency': query A: histogram_quantile(0.[-95-]{+99+}" in text \
        or "user:alice changed in Grafana: panel 'P95 latency'" in text


@pytest.mark.parametrize("grafana", ["12.x"], indirect=True)
def test_a_datasource_change_shows_both_values(env_dash, grafana, tmp_path):
    assert env_dash("publish", "--env", "test").exit_code == 0
    config = tmp_path / "dash.yaml"
    config.write_text(config.read_text().replace(
        'prometheus: {url: "http://prometheus:9090"}',
        'prometheus: {url: "http://prometheus.internal:9090", json_data: {timeInterval: 30s}}'))
    report = json.loads(env_dash("diff", "--env", "test", "--output", "json").stdout)
    change = next(c for c in report["changes"] if c["kind"] == "datasource" and c["uid"] == "prometheus")
    assert "url: 'http://prometheus:9090' → 'http://prometheus.internal:9090'" in change["details"]
    assert any(d.startswith("jsonData.timeInterval: ") and d.endswith("→ '30s'") for d in change["details"])


@pytest.mark.parametrize("grafana", ["12.x"], indirect=True)
def test_one_change_among_100_dashboards_is_a_short_diff_with_both_values(env_dash, grafana, tmp_path):
    from bench.workload import write

    sdk, _ = write(100, tmp_path / "many")
    config = tmp_path / "dash.yaml"  # the workload declares Prometheus alone
    config.write_text(config.read_text().replace('      loki: {url: "http://loki:3100"}\n', ""))
    first = env_dash("--dashboards", str(sdk), "publish", "--env", "test")
    assert first.exit_code == 0, first.output
    module = sdk / "svc_0042.py"
    module.write_text(module.read_text().replace('0.95, by="endpoint"', '0.9, by="endpoint"', 1))
    result = env_dash("--dashboards", str(sdk), "diff", "--env", "test")
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) <= 15, lines
    assert any("panel 'P95 latency': query A: histogram_quantile(0.[-95-]{+9+}" in line for line in lines), lines
