"""--output markdown: a plan or a publish as a pull-request comment that renders, with nothing secret in it."""

from __future__ import annotations

import base64
from urllib.parse import quote

from markdown_it import MarkdownIt

from .test_publish import _set_p95


def _rendered(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


def test_a_diff_as_markdown_has_the_summary_first_drift_called_out_and_a_section_per_dashboard(env_dash, grafana):
    assert env_dash("publish", "--env", "test", "-m", "first").exit_code == 0
    grafana.edit_dashboard("api-performance", _set_p95, user="alice")
    result = env_dash("diff", "--env", "test", "--output", "markdown")
    assert result.exit_code == 2, result.output
    text = result.output
    lines = text.splitlines()
    assert lines[0] == "### dash diff: env `test`"
    assert lines[2].startswith("**0** to create, **1** to update, **0** to delete, 11 unchanged, **1 refused**")
    assert "**Needs attention**" in text and ":warning: dashboard `api-performance`" in text and "alice" in text
    html = _rendered(text)
    assert html.count("<details>") == 1 and "<summary>update dashboard <code>api-performance</code>" in html
    assert "histogram_quantile(0.[-99-]{+95+}" in html  # the words, with the values
    assert "system" not in text  # unchanged dashboards are counted, not listed


def test_a_publish_as_markdown_gives_the_result_and_no_secret(env_dash, grafana, tmp_path, monkeypatch):
    secret = "s3cr3t-loki-pass"
    monkeypatch.setenv("LOKI_PASSWORD", secret)
    config = tmp_path / "dash.yaml"
    config.write_text(config.read_text().replace(
        '      loki: {url: "http://loki:3100"}',
        '      loki: {url: "http://loki:3100", basic_auth: {user: grafana, password: {env: LOKI_PASSWORD}}}'))
    assert "LOKI_PASSWORD" in config.read_text()
    result = env_dash("publish", "--env", "test", "-m", "first", "--output", "markdown")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("### dash publish: env `test`")
    assert "**Result:** 12 created, 0 updated, 0 deleted, 0 unchanged, 0 refused, 0 failed, 0 skipped" in result.output
    for form in (secret, base64.b64encode(secret.encode()).decode(), quote(secret)):
        assert form not in result.output
    assert "<details>" in _rendered(result.output)


def test_dash_env_names_the_environment_when_env_is_not_given(env_dash, grafana):
    result = env_dash("diff", env={"DASH_ENV": "test"})
    assert result.exit_code == 2 and "dash diff: env test ->" in result.output
    missing = env_dash("diff", env={"DASH_ENV": "nope"})
    assert missing.exit_code == 1 and "no environment 'nope'" in missing.output
