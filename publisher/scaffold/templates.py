"""The scaffold's files. `{project}` in DASH_YAML is the only substitution; everything else is literal,
so the output is the same on every run."""

from __future__ import annotations

DASH_YAML = """\
# dash's configuration: where the dashboards are, and the environments they are published to.
# Secrets are references ({{env: NAME}} or {{file: PATH}}), never values.

project: {project}
dashboards: dashboards
alerts: alerts/service.py   # the alert rules (rules only: no Prometheus or Alertmanager configuration)

environments:
  # No server needed: `dash publish --env local` writes Grafana's provisioning tree here
  # (mount it at /etc/grafana/provisioning).
  local:
    directory: grafana/provisioning
    datasources:   # by uid: where each declared datasource is, seen from Grafana
      prometheus: {{url: "http://prometheus:9090"}}

  # A Grafana server: uncomment, set the URL, and export GRAFANA_TOKEN (a service-account token).
  # prod:
  #   url: https://grafana.example.com
  #   token: {{env: GRAFANA_TOKEN}}
  #   folder: Monitoring
  #   datasources:
  #     prometheus: {{url: "http://prometheus:9090"}}
"""

DASHBOARD = '''\
"""Service overview: traffic, errors and latency of one HTTP service (edit the metric names to yours)."""

from publisher.sdk import Dashboard, Datasource, high_is_bad, quantile, rate, ratio

# Declared once; the dashboard gets a $datasource variable defaulting to this uid.
PROMETHEUS = Datasource("Prometheus", type="prometheus", uid="prometheus")

service = Dashboard(
    "Service overview",
    uid="service-overview",
    folder="Services",
    tags=["service"],
    description="Request rate, error ratio and latency of the service, from its HTTP metrics.",
    datasource=PROMETHEUS,
)

service.row(
    "Traffic",
    rate("Request rate", "http_requests_total", by="endpoint",
         description="Requests per second, by endpoint."),
    ratio("Error rate", 'http_requests_total{status=~"5.."}', "http_requests_total",
          thresholds=high_is_bad(0.01, 0.05),
          description="Share of requests answered with a 5xx status. Warning at 1%, critical at 5%."),
    quantile("P95 latency", "http_request_duration_seconds", 0.95, by="endpoint",
             description="95th percentile of request duration, by endpoint."),
)
'''

ALERTS = '''\
"""The service's alert rules. `dash build` writes them to out/prometheus/rules/service.yml, with a promtool
test file from the cases below; `dash check` runs promtool on both. Rules only: add prometheus= and
alertmanager= to Alerting(...) when this repository also owns Prometheus's and Alertmanager's configuration."""

from alerts.model import AlertRule, Alerting, Fires, PanelLink, RuleFile, RuleGroup, Silent

OK, FAILED = 'http_requests_total{status="200"}', 'http_requests_total{status="500"}'

HIGH_ERROR_RATE = AlertRule(
    alert="HighErrorRate",
    expr='sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05',
    for_="5m",
    labels={"severity": "critical"},
    summary="More than 5% of requests fail",
    description="{{ $value | humanizePercentage }} of requests answered 5xx over 5 minutes.",
    runbook_url="https://github.com/OWNER/REPO/blob/main/runbooks/HighErrorRate.md",  # edit: your runbook
    dashboard=PanelLink("service-overview", "Error rate"),  # the panel that shows it (dashboards/service.py)
    tests=[
        Fires("10% of requests fail", {OK: "0+90x20", FAILED: "0+10x20"}, at="15m",
              annotations={"description": "10% of requests answered 5xx over 5 minutes."}),
        Silent("1% of requests fail", {OK: "0+99x20", FAILED: "0+1x20"}, at="15m"),
    ],
)

ALERTING = Alerting(rule_files=[RuleFile("service.yml", [RuleGroup("service", [HIGH_ERROR_RATE])])])
'''

GITIGNORE = """\
out/
.dash-cache/
grafana/provisioning/
.venv/
__pycache__/
"""
