"""Saved log queries reach Grafana by both paths: the query library, or the fallback dashboard."""

from __future__ import annotations

import json

from publisher.project import load_project
from publisher.sdk.log_queries import FALLBACK_UID

from .conftest import ROOT

LOG_QUERIES = load_project(ROOT / "dashboards", None).log_queries


def test_without_a_query_library_the_fallback_dashboard_is_published(env_dash, grafana):
    diff = env_dash("diff", "--env", "test", "--output", "json")
    plan = json.loads(diff.output)
    assert plan["saved_queries_path"] == "dashboard"
    assert any("has no query library" in n and "'Saved log queries'" in n for n in plan["notes"])
    result = env_dash("publish", "--env", "test")
    assert result.exit_code == 0
    assert "this Grafana has no query library" in result.output
    dashboard = grafana.dashboard(FALLBACK_UID)
    panels = dashboard["panels"]
    assert [p["title"] for p in panels] == [q.name for q in LOG_QUERIES]
    for panel, query in zip(panels, LOG_QUERIES):
        assert panel["targets"][0]["expr"] == query.expr
        assert panel["type"] == ("timeseries" if query.is_metric else "logs")
        assert panel["description"].startswith(query.description)
        assert panel["links"][0]["url"].startswith("/explore?schemaVersion=1&orgId=1&panes=")
    # Re-publishing adds nothing.
    assert env_dash("publish", "--env", "test").exit_code == 0
    assert sum(1 for uid in grafana.grafana.org(1).dashboards if uid == FALLBACK_UID) == 1
    assert grafana.grafana.org(1).dashboards[FALLBACK_UID].version == 1


def test_with_a_query_library_the_queries_are_saved_there(env_dash, grafana):
    grafana.query_library = True
    plan = json.loads(env_dash("diff", "--env", "test", "--output", "json").output)
    assert plan["saved_queries_path"] == "query-library"
    creates = [c["uid"] for c in plan["changes"] if c["kind"] == "saved-query"]
    assert creates == [q.uid for q in LOG_QUERIES]
    assert FALLBACK_UID not in [c["uid"] for c in plan["changes"]]

    result = env_dash("publish", "--env", "test")
    assert result.exit_code == 0, result.output
    assert "go to Grafana's query library (queries.grafana.app/v1)" in result.output
    stored = grafana.grafana.org(1).queries
    assert sorted(stored) == sorted(q.uid for q in LOG_QUERIES)
    errors = stored["api-errors"]
    assert errors["spec"]["title"] == "API errors" and "dash-managed" in errors["spec"]["tags"]
    assert errors["spec"]["targets"][0]["properties"]["expr"] == LOG_QUERIES[0].expr
    assert errors["spec"]["targets"][0]["properties"]["datasource"] == {"type": "loki", "uid": "loki"}
    assert grafana.dashboard(FALLBACK_UID) is None

    # Idempotent: no second object, no write.
    grafana.reset_counts()
    again = env_dash("publish", "--env", "test")
    assert again.exit_code == 0 and grafana.writes() == 0
    assert len(grafana.grafana.org(1).queries) == len(LOG_QUERIES)


def test_a_changed_saved_query_is_updated_with_its_resource_version(env_dash, grafana):
    grafana.query_library = True
    assert env_dash("publish", "--env", "test").exit_code == 0
    stored = grafana.grafana.org(1).queries["api-errors"]
    stored["spec"]["description"] = "edited in the UI"
    diff = env_dash("diff", "--env", "test")
    assert diff.exit_code == 2 and "~ update    saved-query" in diff.output and "description changed" in diff.output
    before = stored["metadata"]["resourceVersion"]
    assert env_dash("publish", "--env", "test").exit_code == 0
    after = grafana.grafana.org(1).queries["api-errors"]
    assert after["spec"]["description"] == LOG_QUERIES[0].description
    assert after["metadata"]["resourceVersion"] != before and after["metadata"]["generation"] == 2


def test_moving_to_a_query_library_prunes_the_fallback_dashboard_only_with_prune(env_dash, grafana):
    assert env_dash("publish", "--env", "test").exit_code == 0
    assert grafana.dashboard(FALLBACK_UID) is not None
    grafana.query_library = True  # the server was upgraded to Enterprise
    diff = env_dash("diff", "--env", "test")
    assert f"({FALLBACK_UID}); --prune deletes them" in diff.output
    assert env_dash("publish", "--env", "test", "--prune").exit_code == 0
    assert grafana.dashboard(FALLBACK_UID) is None
    assert len(grafana.grafana.org(1).queries) == len(LOG_QUERIES)


def test_prune_removes_only_managed_saved_queries(env_dash, grafana):
    from .grafana_emulator import User

    grafana.query_library = True
    org = grafana.grafana.org(1)
    grafana.library.create(org, User("bob"), {"metadata": {"name": "bobs-query"}, "spec": {
        "title": "Bob's", "targets": [{"properties": {"expr": '{job="x"}'}, "variables": {}}]}})
    grafana.library.create(org, User("dash"), {"metadata": {"name": "old-managed"}, "spec": {
        "title": "Old", "tags": ["dash-managed", "dash-project:dash-tests"],
        "targets": [{"properties": {"expr": '{job="x"}'}, "variables": {}}]}})
    plan = json.loads(env_dash("diff", "--env", "test", "--prune", "--output", "json").output)
    deletes = [(c["kind"], c["uid"]) for c in plan["changes"] if c["action"] == "delete"]
    assert deletes == [("saved-query", "old-managed")]
    assert env_dash("publish", "--env", "test", "--prune").exit_code == 0
    assert "bobs-query" in org.queries and "old-managed" not in org.queries


def test_query_library_api_answers_like_kubernetes(grafana):
    from .test_emulator import call

    grafana.query_library = True
    base = "/apis/queries.grafana.app/v1/namespaces/default/queries"
    obj = {"metadata": {"name": "q1"}, "spec": {"title": "Q", "targets": [{"properties": {"expr": "x"}}]}}
    status, created = call(grafana, "POST", base, obj)
    assert status == 201 and created["metadata"]["resourceVersion"] and created["kind"] == "Query"
    status, body = call(grafana, "POST", base, obj)
    assert (status, body["reason"], body["code"]) == (409, "AlreadyExists", 409)
    stale = {**obj, "metadata": {"name": "q1", "resourceVersion": "0"}}
    assert call(grafana, "PUT", base + "/q1", stale)[1]["reason"] == "Conflict"
    assert call(grafana, "GET", base + "/nope")[1]["reason"] == "NotFound"
    assert call(grafana, "GET", "/apis/queries.grafana.app/v1/namespaces/org-2/queries")[0] == 403
    listed = call(grafana, "GET", base)[1]
    assert listed["kind"] == "QueryList" and [i["metadata"]["name"] for i in listed["items"]] == ["q1"]
    grafana.query_library = False
    assert call(grafana, "GET", "/apis/queries.grafana.app/v1")[0] == 404
