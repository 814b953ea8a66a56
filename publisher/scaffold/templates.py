"""The scaffold's files. `{project}` in DASH_YAML is the only substitution; everything else is literal,
so the output is the same on every run."""

from __future__ import annotations

DASH_YAML = """\
# dash's configuration: where the dashboards are, and the environments they are published to.
# Secrets are references ({{env: NAME}} or {{file: PATH}}), never values.

project: {project}
dashboards: dashboards

environments:
  # No server needed: `dash publish --env local` writes Grafana's provisioning tree here
  # (mount it at /etc/grafana/provisioning).
  local:
    directory: grafana/provisioning

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

# Plain Prometheus files, checked with `promtool test rules alerts/rules_test.yml`. Not wired into
# dash.yaml's `alerts:`: dash's alerting model needs scrape jobs, routes and receivers too (issue 14).
ALERT_RULES = """\
groups:
  - name: service
    rules:
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: More than 5% of requests fail
          description: "{{ $value | humanizePercentage }} of requests answered 5xx over 5 minutes."
"""

ALERT_TEST = """\
rule_files:
  - rules.yml

evaluation_interval: 1m

tests:
  - interval: 1m
    input_series:
      - series: 'http_requests_total{status="200"}'
        values: '0+90x20'
      - series: 'http_requests_total{status="500"}'
        values: '0+10x20'
    alert_rule_test:
      - eval_time: 15m
        alertname: HighErrorRate
        exp_alerts:
          - exp_labels:
              severity: critical
            exp_annotations:
              summary: More than 5% of requests fail
              description: "10% of requests answered 5xx over 5 minutes."
"""

GITIGNORE = """\
out/
.dash-cache/
grafana/provisioning/
.venv/
__pycache__/
"""
