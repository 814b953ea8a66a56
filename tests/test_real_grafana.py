"""What a real Grafana 11.6, 12.x and 13.x does that the publisher must survive (../shared/grafana/real-grafana.md).

Each test runs against every emulator mode (the `grafana` fixture is parametrized by version).
"""

from __future__ import annotations

import json

from .grafana_emulator import User

BOARD = (
    "from publisher.sdk import Dashboard, Datasource, stat\n"
    "PROM = Datasource('Prometheus', 'prometheus', 'prometheus')\n"
    "LOKI = Datasource('Loki', 'loki', 'loki')\n"
    "{body}"
)


def _boards(tmp_path, **dashboards: str):
    """A directory of one-panel dashboards: uid -> PromQL of its panel (folder Team)."""
    boards = tmp_path / "boards"
    boards.mkdir(exist_ok=True)
    for old in boards.glob("*.py"):
        old.unlink()
    for uid, expr in dashboards.items():
        body = (f"d = Dashboard('{uid.title()}', uid='{uid}', folder='Team', datasource=PROM)\n"
                f"d.row('R', stat('Up', '{expr}', unit='short', description='Targets up.'))\n")
        (boards / f"{uid}.py").write_text(BOARD.format(body=body))
    return ("--dashboards", str(boards))


def _publish(env_dash, args, *extra):
    return env_dash(*args, "publish", "--env", "test", *extra)


def test_the_first_update_of_a_dashboard_dash_created_is_not_drift(env_dash, grafana, tmp_path):
    """Version 1 is listed as "Initial save" whatever its message: dash reads that version itself."""
    args = _boards(tmp_path, alpha="sum(up)")
    assert _publish(env_dash, args).exit_code == 0
    args = _boards(tmp_path, alpha="sum(up{job=\"api\"})")
    result = _publish(env_dash, args)
    assert result.exit_code == 0, result.output
    assert "refused:" not in result.output and " 0 refused, 0 failed" in result.output
    assert grafana.grafana.org(1).dashboards["alpha"].version == 2


def test_a_ui_edit_and_a_ui_move_are_refused_until_forced(env_dash, grafana, tmp_path):
    args = _boards(tmp_path, alpha="sum(up)", beta="sum(up)")
    assert _publish(env_dash, args).exit_code == 0
    grafana.edit_dashboard("alpha", lambda d: d.update(description="edited by alice"), user="alice")
    org = grafana.grafana.org(1)
    assert grafana.grafana.create_folder(org, User("bob"), {"uid": "elsewhere", "title": "Elsewhere"})[0] == 200
    grafana.move_dashboard("beta", "elsewhere", user="bob")
    args = _boards(tmp_path, alpha="sum(up) > 0", beta="sum(up) > 0")
    plan = json.loads(env_dash(*args, "diff", "--env", "test", "--output", "json").output)
    drift = {c["uid"]: c["drift"] for c in plan["changes"] if c.get("drift")}
    # /api names the login; /apis the identity (user:<uid>; the emulator uses the login as uid)
    assert drift["alpha"]["who"] in ("alice", "user:alice") and drift["beta"]["who"] in ("bob", "user:bob")
    refused = _publish(env_dash, args)
    assert refused.exit_code == 1 and "refused: changed in Grafana since dash published" in refused.output
    assert "Plan: 0 to create, 2 to update, 0 to delete, 4 unchanged; 2 refused (changed in Grafana)." in refused.output
    assert "2 refused, 0 failed" in refused.output
    assert org.dashboards["beta"].folder_uid == "elsewhere"
    assert _publish(env_dash, args, "--force").exit_code == 0
    assert org.dashboards["beta"].folder_uid == "dash-monitoring-team"


def test_a_restore_to_version_1_is_dashs_own_content(env_dash, grafana, tmp_path):
    assert _publish(env_dash, _boards(tmp_path, alpha="sum(up)")).exit_code == 0
    assert _publish(env_dash, _boards(tmp_path, alpha="sum(up) > 1")).exit_code == 0
    grafana.restore_dashboard("alpha", 1, user="alice")  # version 3, listed as "Restored from version 1"
    result = _publish(env_dash, _boards(tmp_path, alpha="sum(up) > 1"))
    assert result.exit_code == 0 and "refused:" not in result.output, result.output
    assert grafana.grafana.org(1).dashboards["alpha"].version == 4


def test_search_lag_never_turns_an_update_into_a_create(env_dash, grafana, tmp_path):
    grafana.grafana.search_lag = 30.0  # under unified storage nothing written shows in search for a while
    args = _boards(tmp_path, alpha="sum(up)")
    assert _publish(env_dash, args).exit_code == 0
    grafana.reset_counts()
    again = _publish(env_dash, args)
    assert again.exit_code == 0 and grafana.writes() == 0, again.output
    changed = _publish(env_dash, _boards(tmp_path, alpha="sum(up) > 0"))
    assert changed.exit_code == 0 and "refused:" not in changed.output, changed.output


def test_a_dashboard_stored_as_v2_is_reported_alone_and_the_plan_goes_on(env_dash, grafana, tmp_path):
    args = _boards(tmp_path, alpha="sum(up)", beta="sum(up)")
    assert _publish(env_dash, args).exit_code == 0
    grafana.store_as_v2("alpha")
    diff = env_dash(*args, "diff", "--env", "test", "--output", "json")
    changes = {c["uid"]: c for c in json.loads(diff.output)["changes"] if c["kind"] == "dashboard"}
    if grafana.grafana.mode.v2_not_acceptable:
        assert diff.exit_code == 2
        assert changes["alpha"]["action"] == "update" and "stored as v2" in changes["alpha"]["details"][0]
        assert "v2 schema" in changes["alpha"]["drift"]["reason"]
    else:
        assert diff.exit_code == 0
    assert changes["beta"]["action"] == "unchanged"


def test_a_persons_subfolder_survives_a_prune_of_its_parent(env_dash, grafana, tmp_path):
    args = _boards(tmp_path, alpha="sum(up)")
    assert _publish(env_dash, args).exit_code == 0
    org = grafana.grafana.org(1)
    body = {"uid": "carols", "title": "Carol's", "parentUid": "dash-monitoring-team"}
    assert grafana.grafana.create_folder(org, User("carol"), body)[0] == 200
    (tmp_path / "boards/alpha.py").unlink()
    (tmp_path / "boards/other.py").write_text(BOARD.format(
        body="d = Dashboard('Other', uid='other', datasource=PROM)\n"
             "d.row('R', stat('Up', 'sum(up)', unit='short', description='Targets up.'))\n"))
    result = _publish(env_dash, args, "--prune", "--output", "json")
    results = {r["uid"]: r for r in json.loads(result.output)["results"]}
    assert results["alpha"]["result"] == "ok"
    assert results["dash-monitoring-team"]["result"] == "skipped"
    assert "holds 1 folder(s) dash must not delete (\"Carol's\")" in results["dash-monitoring-team"]["message"]
    assert "carols" in org.folders and "dash-monitoring-team" in org.folders


def test_prune_from_a_directory_that_declares_nothing_is_refused(env_dash, grafana, tmp_path):
    args = _boards(tmp_path, alpha="sum(up)")
    assert _publish(env_dash, args).exit_code == 0
    (tmp_path / "boards/alpha.py").unlink()
    grafana.reset_counts()
    result = _publish(env_dash, args, "--prune")
    assert result.exit_code == 1 and "refusing to prune" in result.output
    assert grafana.writes() == 0 and "alpha" in grafana.grafana.org(1).dashboards


def test_a_dashboard_edited_in_the_ui_then_removed_from_code_is_not_pruned_without_force(env_dash, grafana,
                                                                                          tmp_path):
    assert _publish(env_dash, _boards(tmp_path, alpha="sum(up)", beta="sum(up)")).exit_code == 0
    grafana.edit_dashboard("beta", lambda d: d.update(description="carol's notes"), user="carol")
    args = _boards(tmp_path, alpha="sum(up)")
    refused = _publish(env_dash, args, "--prune")
    assert refused.exit_code == 1 and "refused: changed in Grafana since dash published it" in refused.output
    assert "beta" in grafana.grafana.org(1).dashboards
    assert _publish(env_dash, args, "--prune", "--force").exit_code == 0
    assert "beta" not in grafana.grafana.org(1).dashboards


def test_a_provisioned_datasource_is_never_written(env_dash, grafana, tmp_path):
    org = grafana.grafana.org(1)
    assert grafana.grafana.create_datasource(org, User("admin"), {
        "name": "Loki", "type": "loki", "uid": "loki", "url": "http://loki:3100", "access": "proxy"})[0] == 200
    org.datasources["loki"].read_only = True  # provisioned from a file
    result = _publish(env_dash, _boards(tmp_path, alpha="sum(up)"))
    assert result.exit_code == 0, result.output
    assert ("PUT", "/datasources/uid/{uid}") not in grafana.counts
    diff = env_dash(*_boards(tmp_path, alpha="sum(up)"), "diff", "--env", "test")
    assert "read-only in Grafana (file-provisioned)" in diff.output


def test_general_is_refused_as_a_folder_title_before_any_write(env_dash, grafana, tmp_path):
    boards = tmp_path / "boards"
    boards.mkdir()
    (boards / "g.py").write_text(BOARD.format(
        body="d = Dashboard('G', uid='g', folder='Team/general', datasource=PROM)\n"))
    grafana.reset_counts()
    result = env_dash("--dashboards", str(boards), "publish", "--env", "test")
    assert result.exit_code == 1 and "'General' is Grafana's name for the top level" in result.output
    # dash probes the server while the project loads (reads only); nothing is written.
    assert grafana.writes() == 0


def _second_project(tmp_path, grafana_url: str, name: str, **dashboards: str):
    """Another repository publishing to the same Grafana: its own dash.yaml and dashboards."""
    from .conftest import write_config

    repo = tmp_path / name
    repo.mkdir(exist_ok=True)
    args = _boards(repo, **dashboards)
    config = write_config(repo / "dash.yaml", grafana_url)
    # It uses the first project's datasources rather than declaring them again (which would be a collision).
    text = config.read_text().replace("project: dash-tests", f"project: {name}")
    text = "\n".join(line for line in text.splitlines() if "datasources:" not in line and "{url:" not in line)
    config.write_text(text + "\n")
    return ("--config", str(config), *args)


def test_a_second_project_with_prune_leaves_ours_untouched(env_dash, grafana, tmp_path):
    ours = _boards(tmp_path, alpha="sum(up)")
    assert _publish(env_dash, ours).exit_code == 0
    theirs = _second_project(tmp_path, grafana.url, "payments", pay="sum(up)")
    result = env_dash(*theirs, "publish", "--env", "test", "--prune", "--output", "json")
    assert result.exit_code == 0, result.output
    assert [r["uid"] for r in json.loads(result.output)["results"] if r["action"] == "delete"] == []
    org = grafana.grafana.org(1)
    assert {"alpha", "pay"} <= set(org.dashboards)
    assert "dash-project:payments" in org.dashboards["pay"].json["tags"]
    assert "dash-project:dash-tests" in org.dashboards["alpha"].json["tags"]
    assert org.datasources["prometheus"].body["jsonData"]["dashProject"] == "dash-tests"


def test_a_uid_another_project_published_is_refused_even_with_force(env_dash, grafana, tmp_path):
    assert _publish(env_dash, _boards(tmp_path, alpha="sum(up)")).exit_code == 0
    theirs = _second_project(tmp_path, grafana.url, "payments", alpha="sum(up) > 0")
    result = env_dash(*theirs, "publish", "--env", "test", "--force")
    assert result.exit_code == 1
    assert "dashboard 'alpha' belongs to dash project 'dash-tests', not 'payments'" in result.output
    assert "dash-project:dash-tests" in grafana.grafana.org(1).dashboards["alpha"].json["tags"]


def test_objects_published_before_projects_are_adopted_when_declared_and_never_pruned(env_dash, grafana, tmp_path):
    org = grafana.grafana.org(1)
    for uid in ("alpha", "legacy"):  # what dash published before dash.yaml had `project:`
        body = {"dashboard": {"uid": uid, "title": uid.title(), "tags": ["dash-managed"]}, "folderUid": "",
                "message": "dash publish [dash sha256:0000000000000000]"}
        assert grafana.grafana.save_dashboard(org, User("dash-ci"), body)[0] == 200
    result = _publish(env_dash, _boards(tmp_path, alpha="sum(up)"), "--prune", "--force")
    assert result.exit_code == 0, result.output
    assert "dash-project:dash-tests" in org.dashboards["alpha"].json["tags"]  # adopted
    assert "legacy" in org.dashboards  # no proof that it is ours: left alone


def test_envs_probe_says_what_each_server_is(env_dash, grafana):
    result = env_dash("envs", "--probe", "--output", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)["test"]
    assert found["version"] == grafana.grafana.mode.version and found["namespace"] == "default"
    dashboards = found["groups"].get("dashboard.grafana.app", [None])[0]
    assert dashboards == {"11.6": None, "12.x": "v1beta1", "13.x": "v1"}[grafana.grafana.mode.name]
    text = env_dash("envs", "--probe").output
    assert f"Grafana {grafana.grafana.mode.version}, namespace default" in text


def test_a_wrong_sub_path_says_so(env_dash, grafana, tmp_path):
    from .conftest import write_config

    write_config(tmp_path / "dash.yaml", grafana.url.rstrip("/") + "/nope")
    result = env_dash("diff", "--env", "test")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no Grafana answers at" in result.output and "check the url, and its sub-path" in result.output


def test_an_error_body_that_echoes_basic_auth_is_redacted(env_dash, grafana, tmp_path, monkeypatch):
    import base64

    from .conftest import write_config

    monkeypatch.setenv("GF_PASSWORD", "admin")
    config = write_config(tmp_path / "dash.yaml", grafana.url)
    config.write_text(config.read_text().replace("token: {env: DASH_TEST_TOKEN}",
                                                 "basic_auth: {user: admin, password: {env: GF_PASSWORD}}"))
    echoed = "Basic " + base64.b64encode(b"admin:admin").decode()
    grafana.set_faults(permanent={"system": (500, {"message": f"upstream said: Authorization: {echoed}"})})
    result = env_dash("publish", "--env", "test", "--output", "json")
    assert result.exit_code == 1
    assert base64.b64encode(b"admin:admin").decode() not in result.output
    assert "upstream said: Authorization: Basic ****" in result.output
