"""The current files: what `dash check` checks beyond promtool's and amtool's defaults (rule lint, secret
files), and the panels whose units sit where Grafana reads them."""

from __future__ import annotations

import yaml

from alerts.check import SECRETS_CHECK, run_checks, secret_files

from .test_alerts import guide_project, needs_tools, rendered_dashboards, write_dash_yaml

SECRETS = "/etc/alertmanager/secrets"


def test_the_retention_heatmap_puts_percentunit_on_the_cells_not_the_y_axis():
    board = next(r for r in rendered_dashboards(guide_project()) if r.uid == "business-metrics")
    panel = next(p for p in board.json["panels"] if p.get("title") == "User retention")
    assert panel["type"] == "heatmap"
    # The cells' values take the field's unit; options.yAxis.unit is the y axis (weeks since signup).
    assert panel["fieldConfig"]["defaults"]["unit"] == "percentunit"
    assert "unit" not in panel["options"]["yAxis"]


def test_secret_files_are_checked_in_the_directory_given(tmp_path):
    config = {"global": {"slack_api_url_file": f"{SECRETS}/slack-webhook-url"},
              "receivers": [{"name": "mail", "email_configs": [{"auth_password_file": f"{SECRETS}/smtp-password"}]}]}
    here = tmp_path / "secrets"
    here.mkdir()
    (here / "slack-webhook-url").write_text("https://hooks.slack.test/x")
    missing = secret_files(config, SECRETS, here)
    assert missing is not None and not missing.ok and not missing.skipped
    assert f"missing {SECRETS}/smtp-password" in missing.output and str(here / "smtp-password") in missing.output
    assert f"found   {SECRETS}/slack-webhook-url" in missing.output
    (here / "smtp-password").write_text("s3cret")
    found = secret_files(config, SECRETS, here)
    assert found.ok and not found.skipped
    assert secret_files({"receivers": [{"name": "hook"}]}, SECRETS, here) is None  # no *_file: no check


def test_without_the_secrets_the_check_says_it_was_skipped(dash, tmp_path):
    needs_tools()
    write_dash_yaml(tmp_path)
    text = dash("check")  # builds, then checks
    assert text.exit_code == 0, text.output
    assert f"skipped {SECRETS_CHECK}\n        skipped: {SECRETS} does not exist on this machine" in text.output
    assert "--secrets DIR" in text.output and f"{SECRETS}/smtp-password" in text.output
    assert "checks passed (1 skipped)." in text.output
    checks = {c.name: c for c in run_checks(tmp_path / "out", SECRETS) if c.name.startswith("a")}
    assert checks[SECRETS_CHECK].ok and checks[SECRETS_CHECK].skipped  # ok: a skipped check fails nothing


def test_dash_check_names_a_missing_secret_file(dash, tmp_path):
    needs_tools()
    write_dash_yaml(tmp_path)
    here = tmp_path / "secrets-here"
    here.mkdir()
    (here / "slack-webhook-url").write_text("https://hooks.slack.test/x")
    result = dash("check", "--secrets", str(here))
    assert result.exit_code == 1
    assert f"FAILED  {SECRETS_CHECK}" in result.output
    assert f"missing {SECRETS}/smtp-password: alertmanager.yml reads it, and {here / 'smtp-password'}" in result.output
    (here / "smtp-password").write_text("s3cret")
    found = secret_files(yaml.safe_load((tmp_path / "out/alertmanager/alertmanager.yml").read_text()), SECRETS, here)
    assert found is not None and found.ok and not found.skipped, found


DUPLICATE_RULES = """\
from alerts.model import Alerting, RecordingRule, RuleFile, RuleGroup

RATE = RecordingRule("job:http_requests:rate5m", "sum by (job) (rate(http_requests_total[5m]))")
ALERTING = Alerting(rule_files=[RuleFile("api.yml", [RuleGroup("api", [RATE, RATE])])])
"""


def test_a_duplicate_rule_fails_promtools_lint(dash, tmp_path):
    needs_tools()
    (tmp_path / "dup.py").write_text(DUPLICATE_RULES)
    write_dash_yaml(tmp_path, alerts=tmp_path / "dup.py")
    result = dash("check")
    assert result.exit_code == 1, result.output
    assert "FAILED  promtool check rules" in result.output
    assert "duplicate rule(s) found" in result.output and "job:http_requests:rate5m" in result.output
    # Without the duplicate, the same file passes.
    (tmp_path / "dup.py").write_text(DUPLICATE_RULES.replace("[RATE, RATE]", "[RATE]"))
    assert dash("check").exit_code == 0


def test_a_file_outside_secrets_dir_is_not_judged_by_a_host_path(tmp_path):
    """A TLS ca_file at /etc/ssl/... in the container says nothing about /etc/ssl/... here: neither found nor
    missing, and the check does not fail on it."""
    (tmp_path / "slack-webhook-url").write_text("x")
    config = {"global": {"slack_api_url_file": "/etc/alertmanager/secrets/slack-webhook-url"},
              "receivers": [{"name": "r", "webhook_configs": [{"http_config": {"tls_config": {
                  "ca_file": "/nonexistent/ca.pem"}}}]}]}
    check = secret_files(config, "/etc/alertmanager/secrets", tmp_path)
    assert check.ok, check.output
    assert "unknown /nonexistent/ca.pem: not under secrets_dir" in check.output
    assert "found   /etc/alertmanager/secrets/slack-webhook-url" in check.output
