"""Prune, nested folders, organisations, and the errors a user meets."""

from __future__ import annotations

import json
import socket

import attrs

from publisher.output import json_bytes
from publisher.rendered import pack

from .conftest import FIXTURES, TOKEN, write_config


def _user_dashboards(tmp_path, *specs):
    """A directory of dashboard modules: specs are (uid, folder)."""
    boards = tmp_path / "boards"
    boards.mkdir(exist_ok=True)
    for old in boards.glob("*.py"):
        old.unlink()
    for uid, folder in specs:
        (boards / f"{uid.replace('-', '_')}.py").write_text(
            "from publisher.sdk import Dashboard, Datasource, stat\n"
            "PROM = Datasource('Prometheus', 'prometheus', 'prometheus')\n"
            "LOKI = Datasource('Loki', 'loki', 'loki')  # declared once, used by no panel here\n"
            f"d = Dashboard('{uid.title()}', uid='{uid}', folder='{folder}', datasource=PROM)\n"
            "d.row('R', stat('Up', 'sum(up)', unit='short', description='Targets up.'))\n"
        )
    return boards


def test_prune_is_opt_in_lists_deletes_first_and_spares_what_dash_does_not_manage(env_dash, grafana, tmp_path):
    _user_dashboards(tmp_path, ("alpha", "Team"), ("beta", "Team"), ("gamma", "Other"))
    args = ("--dashboards", "boards")
    assert env_dash(*args, "publish", "--env", "test").exit_code == 0
    # Someone adds their own dashboard to the Other folder by hand.
    org = grafana.grafana.org(1)
    from .grafana_emulator import User

    assert grafana.grafana.save_dashboard(org, User("bob"), {
        "dashboard": {"uid": "bobs", "title": "Bob's"}, "folderUid": "dash-monitoring-other"})[0] == 200
    _user_dashboards(tmp_path, ("alpha", "Team"))  # beta and gamma are gone from the code

    without = env_dash(*args, "diff", "--env", "test")
    assert without.exit_code == 0
    note = "2 dashboard(s) published by dash are no longer declared (beta, gamma); --prune deletes them"
    assert note in without.output

    plan = json.loads(env_dash(*args, "diff", "--env", "test", "--prune", "--output", "json").output)
    actions = [(c["action"], c["kind"], c["uid"]) for c in plan["changes"]]
    deletes = [a for a in actions if a[0] == "delete"]
    assert actions[:len(deletes)] == deletes  # deletes are listed first
    assert set(deletes) == {("delete", "dashboard", "beta"), ("delete", "dashboard", "gamma"),
                            ("delete", "folder", "dash-monitoring-other")}

    result = env_dash(*args, "publish", "--env", "test", "--prune", "--output", "json")
    results = {r["uid"]: r for r in json.loads(result.output)["results"]}
    assert results["beta"]["result"] == "ok" and results["gamma"]["result"] == "ok"
    assert results["dash-monitoring-other"]["result"] == "skipped"  # Bob's dashboard lives there
    assert "still holds 1 dashboard(s)" in results["dash-monitoring-other"]["message"]
    assert sorted(org.dashboards) == ["alpha", "bobs"]
    assert "dash-monitoring-other" in org.folders


def test_nested_folders_are_created_parents_first(env_dash, grafana, tmp_path):
    _user_dashboards(tmp_path, ("pay", "Teams/Payments/Checkout"))
    result = env_dash("--dashboards", "boards", "publish", "--env", "test", "--output", "json")
    assert result.exit_code == 0, result.output
    created = [r["uid"] for r in json.loads(result.output)["results"] if r["kind"] == "folder"]
    assert created == ["dash-monitoring", "dash-monitoring-teams", "dash-monitoring-teams-payments",
                       "dash-monitoring-teams-payments-checkout"]
    folders = grafana.grafana.org(1).folders
    chain, uid = [], "dash-monitoring-teams-payments-checkout"
    while uid:
        chain.append(folders[uid].title)
        uid = folders[uid].parent_uid
    assert chain == ["Checkout", "Payments", "Teams", "Monitoring"]
    assert grafana.grafana.org(1).dashboards["pay"].folder_uid == "dash-monitoring-teams-payments-checkout"


def test_a_renamed_folder_is_updated_in_place(env_dash, grafana, tmp_path):
    _user_dashboards(tmp_path, ("pay", "Team"))
    assert env_dash("--dashboards", "boards", "publish", "--env", "test").exit_code == 0
    grafana.grafana.org(1).folders["dash-monitoring-team"].title = "Renamed by hand"
    diff = env_dash("--dashboards", "boards", "diff", "--env", "test")
    assert diff.exit_code == 2 and "title changed from 'Renamed by hand' to 'Team'" in diff.output
    assert env_dash("--dashboards", "boards", "publish", "--env", "test").exit_code == 0
    assert grafana.grafana.org(1).folders["dash-monitoring-team"].title == "Team"


def test_org_id_selects_the_organisation(env_dash, grafana, tmp_path, monkeypatch):
    monkeypatch.setenv("GF_PASSWORD", "admin")
    (tmp_path / "dash.yaml").write_text(
        "environments:\n"
        "  second:\n"
        f"    url: {grafana.url}\n"
        "    org_id: 2\n"
        "    basic_auth: {user: admin, password: {env: GF_PASSWORD}}\n"
        "    datasources: {prometheus: {url: 'http://prometheus:9090'}, loki: {url: 'http://loki:3100'}}\n"
    )
    result = env_dash("publish", "--env", "second")
    assert result.exit_code == 0, result.output
    assert sorted(grafana.grafana.org(2).dashboards) == ["api-performance", "business-metrics", "grafana-com-1860",
                                                         "saved-log-queries", "slo-api", "system"]
    assert grafana.grafana.org(1).dashboards == {}


def test_a_token_for_another_org_is_rejected_clearly(env_dash, grafana, tmp_path):
    write_config(tmp_path / "dash.yaml", grafana.url, org_id="2")
    result = env_dash("diff", "--env", "test")
    assert result.exit_code == 1
    assert "the credentials for env test (token from $DASH_TEST_TOKEN) were rejected (HTTP 401: " \
           "API key does not belong to the requested organization)" in result.output
    assert TOKEN not in result.output and "Traceback" not in result.output


def test_a_wrong_token_is_rejected_without_printing_it(env_dash, monkeypatch):
    monkeypatch.setenv("DASH_TEST_TOKEN", "glsa_wrong_token_value")
    result = env_dash("publish", "--env", "test")
    assert result.exit_code == 1
    assert "were rejected (HTTP 401: Invalid API key)" in result.output
    assert "glsa_wrong_token_value" not in result.output


def test_an_unreachable_server_is_named(dash, tmp_path, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once we leave: nothing listens there
    monkeypatch.setenv("DASH_TEST_TOKEN", TOKEN)
    write_config(tmp_path / "dash.yaml", f"http://127.0.0.1:{port}", retries="1")
    result = dash("diff", "--env", "test")
    assert result.exit_code == 1
    assert f"cannot reach Grafana at http://127.0.0.1:{port}/ (env test)" in result.output
    assert "Traceback" not in result.output


def test_broken_modules_stop_a_publish_before_anything_is_sent(env_dash, grafana):
    result = env_dash("--dashboards", str(FIXTURES / "broken"), "publish", "--env", "test", "--prune")
    assert result.exit_code == 1
    assert "nothing was written to env test" in result.output
    assert grafana.writes() == 0


def test_lint_errors_stop_a_publish_unless_skipped(env_dash, grafana):
    fixture = str(FIXTURES / "lint/dash031_undefined_variable.py")
    refused = env_dash("--dashboards", fixture, "publish", "--env", "test")
    assert refused.exit_code == 1 and "DASH031" in refused.output and grafana.writes() == 0
    allowed = env_dash("--dashboards", fixture, "publish", "--env", "test", "--skip-lint")
    assert allowed.exit_code == 0, allowed.output


def test_a_datasource_name_taken_by_another_is_a_clear_error(env_dash, grafana):
    from .grafana_emulator import User

    org = grafana.grafana.org(1)
    assert grafana.grafana.create_datasource(org, User("bob"), {
        "name": "Prometheus", "type": "prometheus", "uid": "bobs-prom", "url": "http://x:9090",
        "access": "proxy"})[0] == 200
    result = env_dash("publish", "--env", "test", "--output", "json")
    assert result.exit_code == 1
    results = {r["uid"]: r for r in json.loads(result.output)["results"]}
    assert "another datasource in Grafana already uses the name 'Prometheus'" in results["prometheus"]["message"]
    assert "HTTP 409" in results["prometheus"]["message"]
    assert results["system"]["result"] == "ok"


def test_datasource_settings_change_is_an_update_and_a_no_op_otherwise(env_dash, grafana, tmp_path):
    assert env_dash("publish", "--env", "test").exit_code == 0
    text = (tmp_path / "dash.yaml").read_text().replace("http://prometheus:9090", "http://prometheus-2:9090")
    (tmp_path / "dash.yaml").write_text(text)
    diff = env_dash("diff", "--env", "test")
    assert diff.exit_code == 2 and "~ update    datasource  prometheus" in diff.output
    assert "url: 'http://prometheus:9090' → 'http://prometheus-2:9090'" in diff.output
    assert env_dash("publish", "--env", "test").exit_code == 0
    assert grafana.grafana.org(1).datasources["prometheus"].body["url"] == "http://prometheus-2:9090"
    assert env_dash("diff", "--env", "test").exit_code == 0


def test_an_edit_between_plan_and_save_is_a_conflict_and_is_not_overwritten(env_dash, grafana, tmp_path):
    """The save sends the version dash read, with overwrite: false."""
    from publisher.app import App

    assert env_dash("publish", "--env", "test").exit_code == 0
    bump = lambda d: d.update(description="dash will change this")  # noqa: E731
    app = App(str(tmp_path / "dash.yaml"))
    dashboards = app.rendered().dashboards
    for at, item in enumerate(dashboards):
        if item.uid == "system":
            data = {**item.json, "description": "a new description from the code"}
            dashboards[at] = attrs.evolve(item, packed=pack(json_bytes(data)))
    planned = app.plan("test")
    assert [c.uid for c in planned.plan.pending] == ["system"]
    grafana.edit_dashboard("system", bump, user="carol")  # lands after the plan read version 1
    (outcome,) = app.publish(planned).outcomes
    assert not outcome.ok
    legacy_412 = planned.target.api_path == "legacy" and not grafana.grafana.mode.stale_save_conflict
    status = "412 version-mismatch" if legacy_412 else "409 conflict"  # /apis: a stale resourceVersion is 409
    assert f"was changed in Grafana while dash was publishing it (HTTP {status})" in outcome.message
    assert grafana.dashboard("system")["description"] == "dash will change this"
