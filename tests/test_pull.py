"""dash pull: a UI edit of a dashboard dash manages, brought back as Python beside the code."""

from __future__ import annotations

from .conftest import ROOT


def _publish(env_dash):
    result = env_dash("publish", "--env", "test", "-m", "first")
    assert result.exit_code == 0, result.output


def test_a_ui_edit_is_pulled_as_a_module_that_renders_the_live_version(env_dash, grafana, tmp_path):
    _publish(env_dash)

    def edit(d):
        d["panels"] = [p for p in d["panels"] if p.get("title") != "Disk usage"]
        d["title"] = "System (edited)"
    grafana.edit_dashboard("system", edit)
    out = tmp_path / "pulled" / "_system_live.py"
    result = env_dash("pull", "--env", "test", "--uid", "system", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "system in env test, against the code (" in result.output and "dashboards/system.py:" in result.output
    assert "~ title: 'System' → 'System (edited)'" in result.output and "~ panel 'Disk usage' removed" in result.output
    text = out.read_text()
    assert "System (edited)" in text and "Disk usage" not in text
    assert "dash-managed" not in text and "dash-project:" not in text  # dash's marks stay out of the code

    # The module is a dashboard module: it builds, and renders what Grafana holds (the proof import gives).
    from publisher.importer.run import Module, check

    live = grafana.dashboard("system")
    from publisher.importer.migrate import migrate
    from publisher.importer.sources import Imported
    from publisher.model import unmarked

    expected = migrate({**live, "tags": unmarked(live.get("tags"))})
    checked = check(Module(Imported("live", live), expected, "system_live.py", text, True))
    assert checked.errors == [] and checked.failures == [], checked.failures[:5]


def test_nothing_to_pull_when_the_live_version_is_the_codes(env_dash, grafana, tmp_path):
    _publish(env_dash)
    result = env_dash("pull", "--env", "test", "--uid", "api-performance")
    assert result.exit_code == 0, result.output
    assert "nothing to pull" in result.output
    assert not list((ROOT / "dashboards").glob("_pulled_*"))


def test_pull_to_standard_output_and_its_errors(env_dash, grafana, tmp_path):
    _publish(env_dash)
    grafana.edit_dashboard("business-metrics", lambda d: d.update(refresh="5m"))
    printed = env_dash("pull", "--env", "test", "--uid", "business-metrics", "--out", "-")
    assert printed.exit_code == 0 and "from publisher.sdk import" in printed.output
    assert "~ refresh interval: '15m' → '5m'" in printed.output

    unknown = env_dash("pull", "--env", "test", "--uid", "nope")
    assert unknown.exit_code == 1 and "no dashboard with this uid in the code" in unknown.output
    assert "dash import --env test --uid nope" in unknown.output

    grafana.grafana.org(1).dashboards.pop("system")
    gone = env_dash("pull", "--env", "test", "--uid", "system")
    assert gone.exit_code == 1 and "is not in Grafana: nothing to pull" in gone.output
    assert "Traceback" not in unknown.output + gone.output
