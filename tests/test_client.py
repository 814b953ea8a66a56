"""The transport over grafana-client and the API classes: retries, Retry-After, errors, paging, sub-paths."""

from __future__ import annotations

import pytest

from publisher.config import load_config
from publisher.grafana import GrafanaError, Unreachable
from publisher.grafana.api import DashboardAPI, SearchAPI
from publisher.grafana.transport import Backoff, BaseURL, Transport

from .conftest import TOKEN


@pytest.fixture
def client(grafana, tmp_path, monkeypatch):
    monkeypatch.setenv("T", TOKEN)
    (tmp_path / "dash.yaml").write_text(
        f"environments:\n  e: {{url: '{grafana.url}', token: {{env: T}}, retries: 4}}\n")
    env = load_config(tmp_path / "dash.yaml").environment("e")
    sleeps: list[float] = []
    g = Transport(env, backoff=Backoff(base=0.01, cap=0.02), sleep=sleeps.append)
    g.sleeps = sleeps
    yield g


def test_retry_after_is_honoured(client, grafana):
    grafana.set_faults(rate_limit_rate=1.0, retry_after="3")
    with pytest.raises(GrafanaError, match="HTTP 429"):
        client.call("health", lambda api: api.search.search_dashboards())
    assert client.sleeps == [3.0, 3.0, 3.0, 3.0]  # four retries, each waiting as told


def test_backoff_without_retry_after_is_bounded_and_jittered():
    backoff = Backoff(base=0.2, cap=5.0)
    delays = [backoff.delay(attempt, None) for attempt in range(10) for _ in range(20)]
    assert all(0 <= d <= 5.0 for d in delays)
    assert len(set(delays)) > 100  # jitter: not the same wait for everyone
    assert Backoff(max_retry_after=30).delay(0, "120") == 30


def test_a_read_is_retried_through_transient_errors(client, grafana):
    grafana.set_faults(error_rate=0.5, seed=2)
    for _ in range(10):
        assert client.call("search", lambda api: api.search.search_dashboards()) == []
    assert client.retries > 0


def test_a_write_that_lost_its_answer_is_not_applied_twice(client, grafana):
    body = {"dashboard": {"uid": "once", "title": "Once"}, "folderUid": "", "overwrite": False}
    attempts = []

    def save(api):
        # The first attempt lands, then its connection drops before the answer; the retry meets 412.
        attempts.append(1)
        grafana.set_faults(lost_response_rate=1.0 if len(attempts) == 1 else 0.0, only_writes=True)
        return api.dashboard.update_dashboard(body)

    def already(api):
        live = api.dashboard.get_dashboard("once")["dashboard"]
        return {"version": live["version"]} if live["title"] == "Once" else None

    assert client.call("save", save, write=True, reconcile=already) == {"version": 1}
    assert len(attempts) == 2
    assert grafana.grafana.org(1).dashboards["once"].version == 1


def test_a_refused_connection_names_the_url(tmp_path, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("T", TOKEN)
    (tmp_path / "dash.yaml").write_text(
        f"environments:\n  e: {{url: 'http://127.0.0.1:{port}/grafana', token: {{env: T}}}}\n")
    transport = Transport(load_config(tmp_path / "dash.yaml").environment("e"), sleep=lambda s: None)
    with pytest.raises(Unreachable) as info:
        SearchAPI(transport).search()
    assert str(info.value).startswith(f"cannot reach Grafana at http://127.0.0.1:{port}/grafana/ (env e) for search")


def test_sub_path_keeps_its_slash():
    assert str(BaseURL.parse("http://h/grafana")) == "http://h/grafana/"
    assert BaseURL.parse("https://h:8443/a/b/").prefix == "a/b/"
    assert BaseURL.parse("http://h:3000").prefix == ""


def test_search_pages_through_every_hit(client, grafana, monkeypatch):
    from .grafana_emulator import User

    org = grafana.grafana.org(1)
    for i in range(7):
        grafana.grafana.save_dashboard(org, User("bob"), {"dashboard": {"uid": f"d{i}", "title": f"D{i}"}})
    monkeypatch.setattr("publisher.grafana.api.SEARCH_PAGE", 3)
    grafana.reset_counts()
    hits = SearchAPI(client).search(type_="dash-db")
    assert sorted(h["uid"] for h in hits) == [f"d{i}" for i in range(7)]
    assert grafana.count("GET", "/search") == 3  # pages of 3, 3 and 1


def test_version_paging_reaches_grafana(client, grafana):
    from .grafana_emulator import User

    org = grafana.grafana.org(1)
    for i in range(5):
        version = org.dashboards["v"].version if "v" in org.dashboards else 0
        body = {"dashboard": {"uid": "v", "title": f"V{i}", "version": version}}
        grafana.grafana.save_dashboard(org, User("bob"), body)
    newest = DashboardAPI(client).versions("v", limit=2)
    assert [v["version"] for v in newest] == [5, 4]
    assert [v["version"] for v in DashboardAPI(client).versions("v", limit=2, start=2)] == [3, 2]
