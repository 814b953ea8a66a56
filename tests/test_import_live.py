"""dash import from a running Grafana (--env with --uid, --folder, --all) and from grafana.com (an id)."""

from __future__ import annotations

import pytest

from publisher.importer.live import GrafanaComSource, LiveSource
from publisher.importer.sources import ImportFailed

from .grafana_com_standin import NODE_EXPORTER_FULL, GrafanaComStandIn


def _target(grafana, monkeypatch):
    from publisher.config import load_config
    from publisher.targets.server import ServerTarget

    return ServerTarget(load_config("dash.yaml").environment("test"))


def _unmanaged(grafana, uid, title, folder_uid=""):
    from .grafana_emulator.model import User

    body = {"dashboard": {"uid": uid, "title": title, "panels": [], "schemaVersion": 39, "tags": ["team"]},
            "folderUid": folder_uid, "overwrite": False, "message": ""}
    status, answer = grafana.grafana.save_dashboard(grafana.grafana.org(1), User("bob", "Editor"), body)
    assert status == 200, answer


def test_live_sources_read_by_uid_by_folder_and_everything_unmanaged(env_dash, grafana, monkeypatch):
    assert env_dash("publish", "--env", "test", "-m", "first").exit_code == 0
    _unmanaged(grafana, "hand-made", "Hand made")
    target = _target(grafana, monkeypatch)

    one = LiveSource(target, "test", uids=("system",), root="Monitoring").read()
    assert [i.dashboard["uid"] for i in one] == ["system"] and one[0].folder == "Platform"

    unmanaged = LiveSource(target, "test", unmanaged=True).read()
    assert [i.dashboard["uid"] for i in unmanaged] == ["hand-made"]  # nothing dash publishes

    platform = LiveSource(target, "test", folder="Platform").read()
    assert sorted(i.dashboard["uid"] for i in platform) == ["api-performance", "grafana-com-1860", "slo-api", "system"]

    with pytest.raises(ImportFailed, match="no dashboard with uid 'nope'"):
        LiveSource(target, "test", uids=("nope",)).read()
    with pytest.raises(ImportFailed, match="no dashboard in a folder titled"):
        LiveSource(target, "test", folder="Nowhere").read()


@pytest.mark.skipif(not NODE_EXPORTER_FULL.is_file(), reason="no ../shared/corpus")
def test_grafana_com_source_reads_a_revision_or_the_latest_and_gives_its_pin(monkeypatch):
    import hashlib

    server = GrafanaComStandIn({(1860, 40): NODE_EXPORTER_FULL, (1860, 41): NODE_EXPORTER_FULL}).start()
    monkeypatch.setenv("DASH_GRAFANA_COM_URL", server.url)
    try:
        source = GrafanaComSource.parse("grafana.com/1860")
        assert source is not None and source.revision is None
        [imported] = source.read()
        assert imported.dashboard["title"] == "Node Exporter Full"
        sha = hashlib.sha256(NODE_EXPORTER_FULL.read_bytes()).hexdigest()
        assert source.pin == f'GrafanaCom(1860, revision=41, sha256="{sha}")'  # the latest
        assert server.requests == ["/api/dashboards/1860", "/api/dashboards/1860/revisions/41/download"]
        pinned = GrafanaComSource.parse("https://grafana.com/grafana/dashboards/1860@40")
        assert pinned is not None and pinned.revision == 40 and pinned.read()
        with pytest.raises(ImportFailed, match="grafana.com/1860@7: .*404"):
            GrafanaComSource(1860, 7).read()
        server.down = True
        with pytest.raises(ImportFailed, match="answered 503"):
            GrafanaComSource(1860, 41).read()
    finally:
        server.stop()
    assert GrafanaComSource.parse("dashboards/x.json") is None


def test_the_import_command_reads_a_live_grafana_and_names_wrong_combinations(env_dash, grafana, tmp_path):
    assert env_dash("publish", "--env", "test", "-m", "first").exit_code == 0
    _unmanaged(grafana, "hand-made", "Hand made")
    out = tmp_path / "imported"
    result = env_dash("import", "--env", "test", "--all", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.glob("*.py")] == ["hand_made.py"]
    checked = env_dash("import", "--env", "test", "--uid", "system", "--check")
    assert checked.exit_code == 0 and "0 values lost or changed" in checked.output, checked.output
    for args, words in ((("--env", "test"), "say which dashboards"), (("--uid", "x"), "give --env NAME too"),
                        ((), "give what to import")):
        bad = env_dash("import", *args)
        assert bad.exit_code == 1 and words in bad.output and "Traceback" not in bad.output


@pytest.mark.skipif(not NODE_EXPORTER_FULL.is_file(), reason="no ../shared/corpus")
def test_the_import_command_reads_grafana_com_and_offers_the_declaration(dash, tmp_path):
    # The session's grafana.com stand-in (tests/conftest.py) serves 1860 at revision 41.
    result = dash("import", "grafana.com/1860", "--out", str(tmp_path / "gc"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gc" / "node_exporter_full.py").is_file()
    assert "declare GrafanaCom(1860, revision=41, sha256=" in result.output
    missing = dash("import", "grafana.com/1860@3", "--check")
    assert missing.exit_code == 1 and "grafana.com/1860@3" in missing.output and "404" in missing.output
