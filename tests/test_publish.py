"""`dash diff` and `dash publish` against the Grafana emulator: the main path and its guarantees."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import TOKEN

GUIDE = {"api-performance", "business-metrics", "system", "saved-log-queries", "slo-api", "grafana-com-1860"}
# 4 folders (Monitoring, Monitoring/Business, Monitoring/Logs, Monitoring/Platform), 2 datasources, 6 dashboards
# (saved-log-queries and the SLO dashboard, slo-api, included).
OBJECTS = 12


def _set_p95(dashboard):
    for panel in dashboard["panels"]:
        if panel.get("title") == "P95 latency":
            panel["targets"][0]["expr"] = (
                "histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))")
            return
    raise AssertionError("no P95 latency panel")


def test_the_main_path(env_dash, grafana):
    # 1. publish everything
    first = env_dash("publish", "--env", "test", "--message", "first publish")
    assert first.exit_code == 0, first.output
    assert f"{OBJECTS} created" in first.output
    stored = {uid for uid in GUIDE if grafana.dashboard(uid)}
    assert stored == GUIDE

    # 2. diff shows 0 changes, exit 0
    clean = env_dash("diff", "--env", "test")
    assert clean.exit_code == 0, clean.output
    assert f"0 to create, 0 to update, 0 to delete, {OBJECTS} unchanged" in clean.output

    # 3. a person edits one dashboard in the UI
    grafana.edit_dashboard("api-performance", _set_p95, user="alice")

    # 4. diff shows that dashboard alone, with the changed panel and who changed it
    drifted = env_dash("diff", "--env", "test", "--output", "json")
    assert drifted.exit_code == 2
    plan = json.loads(drifted.output)
    pending = [c for c in plan["changes"] if c["action"] != "unchanged"]
    assert [(c["kind"], c["uid"]) for c in pending] == [("dashboard", "api-performance")]
    # The words carry the values: a word diff of the long PromQL, [-what publish removes-]{+what it adds+}.
    assert pending[0]["details"] == [
        "panel 'P95 latency': query A: histogram_quantile(0.[-99-]{+95+}, sum(rate(http_request_duration_seconds_bucket"
        '{+{endpoint=~"$endpoint"}+}[5m])) by (le{+, endpoint+}))']
    assert pending[0]["drift"]["who"] in ("alice", "user:alice")  # /apis names the identity, user:<uid>

    # 5. publish refuses, naming who and when, and overwrites nothing
    refused = env_dash("publish", "--env", "test")
    assert refused.exit_code == 1
    assert re.search(r"refused: changed in Grafana since dash published it \(last saved by (user:)?alice at 20",
                     refused.output)
    assert "0.99" in json.dumps(grafana.dashboard("api-performance"))

    # 6. --force overwrites; then everything is clean again
    forced = env_dash("publish", "--env", "test", "--force")
    assert forced.exit_code == 0, forced.output
    assert "0.99" not in json.dumps(grafana.dashboard("api-performance"))
    assert env_dash("diff", "--env", "test").exit_code == 0


def test_a_second_publish_writes_nothing(env_dash, grafana):
    assert env_dash("publish", "--env", "test").exit_code == 0
    grafana.reset_counts()
    again = env_dash("publish", "--env", "test")
    assert again.exit_code == 0
    assert grafana.writes() == 0
    assert f"0 created, 0 updated, 0 deleted, {OBJECTS} unchanged" in again.output


def test_dry_run_shows_the_diff_and_writes_nothing(env_dash, grafana):
    result = env_dash("publish", "--env", "test", "--dry-run")
    assert result.exit_code == 2
    assert "+ create    dashboard   system" in result.output
    assert grafana.writes() == 0
    assert grafana.dashboard("system") is None


def test_each_saved_version_names_its_message_and_content(env_dash, grafana):
    assert env_dash("publish", "--env", "test", "-m", "release 42").exit_code == 0
    versions = grafana.grafana.org(1).dashboards["system"].versions
    assert versions[0].message.startswith("release 42 [dash sha256:")


def test_default_message_names_the_git_commit(env_dash, grafana, tmp_path):
    import subprocess

    for args in (["init", "-q"], ["-c", "user.email=a@b", "-c", "user.name=A", "commit", "-q", "--allow-empty",
                                  "-m", "Add the CPU panel"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True)
    assert env_dash("publish", "--env", "test").exit_code == 0
    message = grafana.grafana.org(1).dashboards["system"].versions[0].message
    assert message.startswith("dash publish of ") and "(Add the CPU panel)" in message


def test_diff_explains_changes_panel_by_panel(env_dash, grafana):
    assert env_dash("publish", "--env", "test").exit_code == 0

    def edit(dashboard):
        panels = dashboard["panels"]
        cpu = next(p for p in panels if p.get("title") == "CPU usage")
        cpu["gridPos"]["y"] += 30
        cpu["fieldConfig"]["defaults"]["unit"] = "percentunit"
        dashboard["panels"] = [p for p in panels if p.get("title") != "Disk usage"]
        dashboard["panels"].append({"type": "text", "title": "Errors", "gridPos": {"x": 0, "y": 99, "w": 4, "h": 2}})

    grafana.edit_dashboard("system", edit)
    result = env_dash("diff", "--env", "test", "--verbose")
    assert result.exit_code == 2
    for words in ("panel 'Disk usage' added", "panel 'Errors' removed", "panel 'CPU usage' moved from (0, 31) → (0, 1)",
                  "panel 'CPU usage': unit 'percentunit' → 'percent'"):
        assert words in result.output
    assert "--- grafana/system.json" in result.output and "+++ dash/system.json" in result.output


def test_a_dashboard_that_dash_did_not_create_is_not_overwritten(env_dash, grafana):
    body = {"dashboard": {"uid": "system", "title": "Someone's system"}, "folderUid": ""}
    assert grafana.grafana.save_dashboard(grafana.grafana.org(1), __import__(
        "tests.grafana_emulator", fromlist=["User"]).User("bob"), body)[0] == 200
    result = env_dash("publish", "--env", "test")
    assert result.exit_code == 1
    assert re.search(r"exists in Grafana but was not published by dash \(last saved by (user:)?bob", result.output)
    assert grafana.dashboard("system")["title"] == "Someone's system"
    assert grafana.dashboard("api-performance") is not None  # the others were published


def test_a_permanent_failure_fails_that_object_alone(env_dash, grafana):
    grafana.set_faults(permanent={"business-metrics": (403, {"message": "Access denied to save dashboard"})})
    result = env_dash("publish", "--env", "test", "--output", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    by_uid = {r["uid"]: r for r in report["results"]}
    assert by_uid["business-metrics"]["result"] == "failed"
    assert "HTTP 403: Access denied to save dashboard" in by_uid["business-metrics"]["message"]
    assert [uid for uid, r in by_uid.items() if r["result"] != "ok"] == ["business-metrics"]
    assert grafana.dashboard("system") and grafana.dashboard("api-performance")
    assert grafana.dashboard("business-metrics") is None
    assert report["ok"] is False and report["totals"]["failed"] == 1


def test_objects_in_a_folder_that_failed_are_skipped_not_sent(env_dash, grafana):
    grafana.set_faults(permanent={"dash-monitoring-business": (403, {"message": "Access denied"})})
    result = env_dash("publish", "--env", "test", "--output", "json")
    assert result.exit_code == 1
    by_uid = {r["uid"]: r for r in json.loads(result.output)["results"]}
    assert by_uid["dash-monitoring-business"]["result"] == "failed"
    assert by_uid["business-metrics"]["result"] == "skipped"
    assert by_uid["system"]["result"] == "ok"


@pytest.mark.parametrize("faults", [
    {"error_rate": 0.1, "reset_rate": 0.05, "lost_response_rate": 0.05, "seed": 7},
    {"error_rate": 0.2, "seed": 11},
    {"lost_response_rate": 0.2, "only_writes": True, "seed": 3},
    {"rate_limit_rate": 0.2, "retry_after": "0", "seed": 5},
])
def test_transient_faults_are_retried_to_completion_without_duplicates(env_dash, grafana, faults):
    grafana.set_faults(**faults)
    result = env_dash("publish", "--env", "test", "--output", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["retries"] > 0
    grafana.set_faults()
    org = grafana.grafana.org(1)
    assert sorted(org.dashboards) == sorted(GUIDE)
    assert sorted(f.title for f in org.folders.values()) == ["Business", "Logs", "Monitoring", "Platform"]
    assert sorted(d.body["name"] for d in org.datasources.values()) == ["Loki", "Prometheus"]
    # No dashboard was saved twice: a retried save that had landed was recognised, not repeated.
    assert all(d.version == 1 for d in org.dashboards.values())
    assert env_dash("diff", "--env", "test").exit_code == 0


def test_database_locked_on_concurrent_writes_is_retried(env_dash, grafana, tmp_path):
    from .conftest import write_config

    write_config(tmp_path / "dash.yaml", grafana.url, **{"concurrency": "{reads: 8, writes: 4}"})
    grafana.set_faults(database_locked=True, latency=0.01)
    result = env_dash("publish", "--env", "test", "--output", "json")
    assert result.exit_code == 0, result.output
    assert sorted(grafana.grafana.org(1).dashboards) == sorted(GUIDE)
    # SQLite's pushback made the writes slow down.
    concurrency = json.loads(result.output)["write_concurrency"]
    assert concurrency["ceiling"] == 4 and concurrency["lowest"] < 4


def test_adaptive_write_limit_halves_on_pushback_and_grows_back():
    from publisher.grafana.transport import AdaptiveLimit

    limit = AdaptiveLimit(start=4, ceiling=8)
    limit.pushed_back()
    assert limit.limit == 2
    limit.pushed_back()
    limit.pushed_back()
    assert limit.limit == 1 and limit.lowest == 1
    for _ in range(1 + 2 + 3):
        limit.succeeded()
    assert limit.limit == 4  # one more after each run of `limit` successes
    for _ in range(100):
        limit.succeeded()
    assert limit.limit == 8  # never above the ceiling


def test_a_sub_path_url_without_a_trailing_slash_works(env_dash, grafana, tmp_path):
    from .conftest import write_config

    grafana.sub_path = "/grafana"
    write_config(tmp_path / "dash.yaml", grafana.url)  # http://127.0.0.1:PORT/grafana
    result = env_dash("publish", "--env", "test")
    assert result.exit_code == 0, result.output
    assert grafana.dashboard("system") is not None


def test_secrets_never_reach_output(env_dash, grafana, tmp_path, monkeypatch):
    from .conftest import write_config

    password = "s3cret-loki-password-value"
    monkeypatch.setenv("LOKI_PASSWORD", password)
    extra = ""
    write_config(tmp_path / "dash.yaml", grafana.url, extra)
    text = (tmp_path / "dash.yaml").read_text().replace(
        'loki: {url: "http://loki:3100"}',
        'loki: {url: "http://loki:3100", basic_auth: {user: grafana, password: {env: LOKI_PASSWORD}}}')
    (tmp_path / "dash.yaml").write_text(text)
    outputs = []
    for args in (["diff", "--env", "test", "-v"], ["diff", "--env", "test", "--output", "json"],
                 ["publish", "--env", "test"], ["publish", "--env", "test", "--output", "json"], ["envs"],
                 ["envs", "--output", "json"]):
        result = env_dash(*args)
        outputs.append(result.output)
    monkeypatch.setenv("LOKI_PASSWORD", password + "-rotated")
    changed = env_dash("diff", "--env", "test", "-v")
    outputs.append(changed.output)
    assert "secrets changed: basicAuthPassword" in changed.output
    everything = "\n".join(outputs)
    assert TOKEN not in everything and password not in everything
    # Grafana got the secret, and never gives it back.
    stored = grafana.grafana.org(1).datasources["loki"]
    assert stored.secure["basicAuthPassword"] == password
    for exchange in grafana.exchanges:
        if exchange.method == "GET":
            assert password not in json.dumps(exchange.response)


def test_a_rotated_secret_is_sent_on_publish(env_dash, grafana, tmp_path, monkeypatch):
    monkeypatch.setenv("LOKI_PASSWORD", "first-password")
    text = (tmp_path / "dash.yaml").read_text().replace(
        'loki: {url: "http://loki:3100"}',
        'loki: {url: "http://loki:3100", basic_auth: {user: grafana, password: {env: LOKI_PASSWORD}}}')
    (tmp_path / "dash.yaml").write_text(text)
    assert env_dash("publish", "--env", "test").exit_code == 0
    assert env_dash("diff", "--env", "test").exit_code == 0  # same secret: no change
    monkeypatch.setenv("LOKI_PASSWORD", "second-password")
    assert env_dash("diff", "--env", "test").exit_code == 2
    assert env_dash("publish", "--env", "test").exit_code == 0
    assert grafana.grafana.org(1).datasources["loki"].secure["basicAuthPassword"] == "second-password"
    assert env_dash("diff", "--env", "test").exit_code == 0


def test_request_counts_of_a_cold_and_a_no_op_publish(env_dash, grafana):
    probe = {("GET", "/health"): 1, ("GET", "/apis"): 1}  # the capability probe: version, API groups
    grafana.reset_counts()
    assert env_dash("publish", "--env", "test").exit_code == 0
    datasources = {("GET", "/datasources/uid/{uid}"): 2}
    if grafana.grafana.mode.groups:  # 12.x, 13.x: dashboards and folders through /apis
        apis = "/apis/{group}/{version}/namespaces/{namespace}/"
        dashboards, folders = apis.replace("{group}", "dashboard.grafana.app") + "dashboards", \
            apis.replace("{group}", "folder.grafana.app") + "folders"
        # One LIST reads every dashboard with its spec: existence, content and the ones no longer declared;
        # one LIST reads the folders.
        reads = {**probe, **datasources, ("GET", dashboards): 1, ("GET", folders): 1}
        writes = {("POST", folders): 4, ("POST", "/datasources"): 2, ("POST", dashboards): 6}
    else:
        # Existence comes from a GET by uid (404: create), never from search, which may lag behind writes;
        # the one search lists the managed dashboards no longer declared.
        reads = {**probe, **datasources, ("GET", "/search"): 1, ("GET", "/folders/{folder_uid}"): 4,
                 ("GET", "/dashboards/uid/{uid}"): 6}
        writes = {("POST", "/folders"): 4, ("POST", "/datasources"): 2, ("POST", "/dashboards/db"): 6}
    assert dict(grafana.counts) == {**reads, **writes}
    grafana.reset_counts()
    assert env_dash("publish", "--env", "test").exit_code == 0
    assert dict(grafana.counts) == reads


def test_a_secret_removed_from_code_is_cleared_and_a_hand_set_one_is_named_not_touched(env_dash, grafana, tmp_path,
                                                                                     monkeypatch):
    monkeypatch.setenv("LOKI_PASSWORD", "first-password")
    plain = (tmp_path / "dash.yaml").read_text()
    (tmp_path / "dash.yaml").write_text(plain.replace(
        'loki: {url: "http://loki:3100"}',
        'loki: {url: "http://loki:3100", basic_auth: {user: grafana, password: {env: LOKI_PASSWORD}}}'))
    assert env_dash("publish", "--env", "test").exit_code == 0
    stored = grafana.grafana.org(1).datasources["loki"]
    stored.secure["httpHeaderValue1"] = "set-by-hand"  # a person added a header secret in the UI
    (tmp_path / "dash.yaml").write_text(plain)
    diff = env_dash("diff", "--env", "test")
    assert diff.exit_code == 2
    assert "secrets removed: basicAuthPassword (publish clears them in Grafana)" in diff.output
    assert "Grafana keeps secret(s) httpHeaderValue1 that dash does not declare" in diff.output
    assert env_dash("publish", "--env", "test").exit_code == 0
    # Grafana keeps keys not sent (fillWithSecureJSONData); an empty value is what clears one.
    assert stored.secure["basicAuthPassword"] == "" and stored.secure["httpHeaderValue1"] == "set-by-hand"
    assert env_dash("diff", "--env", "test").exit_code == 0
