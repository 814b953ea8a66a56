"""The guide's alerting, as code: scrape jobs, the three rule files, the SLOs' rule file, Alertmanager's routing.

Each alert keeps the guide's expression, `for`, labels and annotations, links to
the dashboard panel that shows its metric, and carries test cases (one that
fires and one that stays silent near its threshold) that `promtool test rules`
runs. Deviations from the guide, each for a reason:

- PostgresqlHighConnections sums `by (instance, datname)`, not `by (datname)`:
  the guide's summary names `$labels.instance`, which `by (datname)` drops
  (Prometheus would render "<no value>").
- Alertmanager routes use `matchers:` instead of the deprecated `match:` and
  `source_match:`; the routing is the same (the routing cases prove it).
- Secrets are files (`slack_api_url_file`, `auth_password_file`), never values.
- The Slack text is a literal block (the guide's `>-` folds it onto one line)
  and adds the runbook and dashboard links.

Beside the guide's threshold alerts, the API has two SLOs (dashboards/_slos.py, shared with the SLO
dashboard, dashboards/slo.py): rules/slo_rules.yml holds their recording rules and burn-rate alerts,
with generated promtool tests; pages (severity critical) reach slack-critical and tickets (warning)
slack-notifications through the guide's routes, which the routing cases check.
"""

from __future__ import annotations

# The SLO definitions live beside the dashboards: dash puts that directory on sys.path for this file too.
from _slos import SLOS

# Absolute, as in any alerts file: dash loads this file by its path, not as part of the alerts package.
from alerts.model import (
    Alerting,
    AlertmanagerConfig,
    AlertRule,
    Email,
    Fires,
    Inhibit,
    PanelLink,
    PrometheusConfig,
    Receiver,
    Relabel,
    Route,
    RoutingCase,
    RuleFile,
    RuleGroup,
    ScrapeJob,
    Silent,
    Slack,
)

API = "api-performance"
SYSTEM = "system"


def selector(metric: str, labels: dict[str, str]) -> str:
    """A series as promtool's input_series names it: metric{k="v",...}, labels in the order given."""
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def go_map(labels: dict[str, str]) -> str:
    """How Go prints a label map in a template (`{{ $labels }}`): map[k:v k2:v2], keys sorted."""
    return "map[" + " ".join(f"{k}:{v}" for k, v in sorted(labels.items())) + "]"


# --- rules/api_rules.yml -------------------------------------------------------------

HIGH_API_ERROR_RATE = AlertRule(
    alert="HighApiErrorRate",
    expr='sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05',
    for_="2m",
    labels={"severity": "critical"},
    summary="High API error rate (> 5%)",
    description="API error rate is {{ $value | humanizePercentage }} for the last 5 minutes.",
    dashboard=PanelLink(API, "Error rate"),
    tests=[
        Fires(
            "6% of requests fail",
            series={'http_requests_total{status="200"}': "0+94x20", 'http_requests_total{status="500"}': "0+6x20"},
            pending_at="2m",
            at="3m",
            annotations={"description": "API error rate is 6% for the last 5 minutes."},
        ),
        Silent(
            "4% of requests fail",
            series={'http_requests_total{status="200"}': "0+96x20", 'http_requests_total{status="500"}': "0+4x20"},
            at="10m",
        ),
    ],
)

API_HIGH_LATENCY = AlertRule(
    alert="ApiHighLatency",
    expr="histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le)) > 1",
    for_="5m",
    labels={"severity": "warning"},
    summary="API high latency (95th percentile > 1s)",
    description="API request latency is {{ $value }} seconds for the last 5 minutes.",
    dashboard=PanelLink(API, "P95 latency"),
    tests=[
        Fires(
            "P95 at 1.5 s",
            series={
                'http_request_duration_seconds_bucket{le="0.5"}': "0+50x20",
                'http_request_duration_seconds_bucket{le="1"}': "0+90x20",
                'http_request_duration_seconds_bucket{le="2"}': "0+100x20",
                'http_request_duration_seconds_bucket{le="+Inf"}': "0+100x20",
            },
            pending_at="5m",
            at="7m",
            # histogram_quantile interpolates 1 + 0.5 in floating point; the guide's
            # description prints $value as Go does, unrounded.
            annotations={"description": "API request latency is 1.4999999999999993 seconds for the last 5 minutes."},
        ),
        Silent(
            "P95 at 0.95 s",
            series={
                'http_request_duration_seconds_bucket{le="0.5"}': "0+50x20",
                'http_request_duration_seconds_bucket{le="1"}': "0+100x20",
                'http_request_duration_seconds_bucket{le="2"}': "0+100x20",
                'http_request_duration_seconds_bucket{le="+Inf"}': "0+100x20",
            },
            at="10m",
        ),
    ],
)

# --- rules/node_exporter_rules.yml ---------------------------------------------------

NODE = {"instance": "node1:9100", "job": "node"}


def _node_description(what: str, value: str, labels: dict[str, str]) -> str:
    return f"{what}\n  VALUE = {value}\n  LABELS: {go_map(labels)}"


HIGH_CPU_LOAD = AlertRule(
    alert="HighCPULoad",
    expr='100 - (avg by(instance) (irate(node_cpu_seconds_total{mode="idle"}[5m])) * 100) > 80',
    for_="5m",
    labels={"severity": "warning"},
    summary="High CPU load (instance {{ $labels.instance }})",
    description="CPU load is > 80%\n  VALUE = {{ $value }}\n  LABELS: {{ $labels }}",
    dashboard=PanelLink(SYSTEM, "CPU usage"),
    tests=[
        Fires(
            "82% busy: idle 18% of each core",
            series={
                'node_cpu_seconds_total{cpu="0",mode="idle",instance="node1:9100",job="node"}': "0+10.8x20",
                'node_cpu_seconds_total{cpu="1",mode="idle",instance="node1:9100",job="node"}': "0+10.8x20",
            },
            pending_at="5m",
            at="7m",
            labels={"instance": "node1:9100"},
            annotations={"description": _node_description("CPU load is > 80%", "82", {"instance": "node1:9100"})},
        ),
        Silent(
            "78% busy",
            series={'node_cpu_seconds_total{cpu="0",mode="idle",instance="node1:9100",job="node"}': "0+13.2x20"},
            at="10m",
        ),
    ],
)

HIGH_MEMORY_USAGE = AlertRule(
    alert="HighMemoryUsage",
    expr="(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes) / node_memory_MemTotal_bytes * 100 > 90",
    for_="5m",
    labels={"severity": "warning"},
    summary="High memory usage (instance {{ $labels.instance }})",
    description="Memory usage is > 90%\n  VALUE = {{ $value }}\n  LABELS: {{ $labels }}",
    dashboard=PanelLink(SYSTEM, "Memory usage"),
    tests=[
        Fires(
            "92% used",
            series={
                'node_memory_MemTotal_bytes{instance="node1:9100",job="node"}': "1000x20",
                'node_memory_MemAvailable_bytes{instance="node1:9100",job="node"}': "80x20",
            },
            pending_at="4m",
            at="5m",
            labels=NODE,
            annotations={"description": _node_description("Memory usage is > 90%", "92", NODE)},
        ),
        Silent(
            "88% used",
            series={
                'node_memory_MemTotal_bytes{instance="node1:9100",job="node"}': "1000x20",
                'node_memory_MemAvailable_bytes{instance="node1:9100",job="node"}': "120x20",
            },
            at="10m",
        ),
    ],
)

DISK = {"instance": "node1:9100", "job": "node", "device": "/dev/sda1", "fstype": "ext4", "mountpoint": "/"}
TMPFS = {"instance": "node1:9100", "job": "node", "device": "tmpfs", "fstype": "tmpfs", "mountpoint": "/run"}

LOW_DISK_SPACE = AlertRule(
    alert="LowDiskSpace",
    expr='(node_filesystem_size_bytes{fstype!="tmpfs"} - node_filesystem_free_bytes{fstype!="tmpfs"}) '
         '/ node_filesystem_size_bytes{fstype!="tmpfs"} * 100 > 85',
    for_="5m",
    labels={"severity": "warning"},
    summary="Low disk space (instance {{ $labels.instance }})",
    description="Disk usage is > 85%\n  VALUE = {{ $value }}\n  LABELS: {{ $labels }}",
    dashboard=PanelLink(SYSTEM, "Disk usage"),
    tests=[
        Fires(
            "87% full; a full tmpfs is ignored",
            series={
                selector("node_filesystem_size_bytes", DISK): "1000x20",
                selector("node_filesystem_free_bytes", DISK): "130x20",
                selector("node_filesystem_size_bytes", TMPFS): "100x20",
                selector("node_filesystem_free_bytes", TMPFS): "1x20",
            },
            pending_at="4m",
            at="5m",
            labels=DISK,
            annotations={"description": _node_description("Disk usage is > 85%", "87", DISK)},
        ),
        Silent(
            "83% full",
            series={
                selector("node_filesystem_size_bytes", DISK): "1000x20",
                selector("node_filesystem_free_bytes", DISK): "170x20",
            },
            at="10m",
        ),
    ],
)

# --- rules/database_rules.yml --------------------------------------------------------

PG = {"instance": "postgres-exporter:9187", "job": "postgres"}

POSTGRESQL_DOWN = AlertRule(
    alert="PostgresqlDown",
    expr="pg_up == 0",
    for_="1m",
    labels={"severity": "critical"},
    summary="PostgreSQL down (instance {{ $labels.instance }})",
    description="PostgreSQL instance is down\n  VALUE = {{ $value }}\n  LABELS: {{ $labels }}",
    dashboard=PanelLink(SYSTEM, "PostgreSQL up"),
    tests=[
        Fires(
            "down for over a minute",
            series={'pg_up{instance="postgres-exporter:9187",job="postgres"}': "1 1 0x10"},
            pending_at="2m",
            at="3m",
            labels=PG,
            annotations={"description": _node_description(
                "PostgreSQL instance is down", "0", {"__name__": "pg_up", **PG})},
        ),
        Silent("up", series={'pg_up{instance="postgres-exporter:9187",job="postgres"}': "1x10"}, at="5m"),
    ],
)

POSTGRESQL_HIGH_CONNECTIONS = AlertRule(
    alert="PostgresqlHighConnections",
    expr="sum by (instance, datname) (pg_stat_activity_count) > 150",
    for_="5m",
    labels={"severity": "warning"},
    summary="PostgreSQL high connections (instance {{ $labels.instance }})",
    description="PostgreSQL instance has more than 150 connections for database {{ $labels.datname }}",
    dashboard=PanelLink(SYSTEM, "PostgreSQL connections"),
    tests=[
        Fires(
            "155 connections to app",
            series={
                'pg_stat_activity_count{instance="postgres-exporter:9187",datname="app",state="active"}': "100x20",
                'pg_stat_activity_count{instance="postgres-exporter:9187",datname="app",state="idle"}': "55x20",
            },
            pending_at="4m",
            at="5m",
            labels={"instance": "postgres-exporter:9187", "datname": "app"},
        ),
        Silent(
            "145 connections to app",
            series={
                'pg_stat_activity_count{instance="postgres-exporter:9187",datname="app",state="active"}': "100x20",
                'pg_stat_activity_count{instance="postgres-exporter:9187",datname="app",state="idle"}': "45x20",
            },
            at="10m",
        ),
    ],
)

POSTGRESQL_SLOW_QUERIES = AlertRule(
    alert="PostgresqlSlowQueries",
    expr="pg_stat_activity_max_tx_duration > 60",
    for_="2m",
    labels={"severity": "warning"},
    summary="PostgreSQL slow queries (instance {{ $labels.instance }})",
    description="PostgreSQL has queries running for more than 60 seconds",
    dashboard=PanelLink(SYSTEM, "Longest PostgreSQL transaction"),
    tests=[
        Fires(
            "a 75 s transaction",
            series={selector("pg_stat_activity_max_tx_duration", {**PG, "datname": "app"}): "75x10"},
            pending_at="1m",
            at="2m",
            labels={**PG, "datname": "app"},
        ),
        Silent(
            "a 55 s transaction",
            series={selector("pg_stat_activity_max_tx_duration", {**PG, "datname": "app"}): "55x10"},
            at="5m",
        ),
    ],
)

RULE_FILES = (
    RuleFile("api_rules.yml", [RuleGroup("api_alerts", [HIGH_API_ERROR_RATE, API_HIGH_LATENCY])]),
    RuleFile("node_exporter_rules.yml", [RuleGroup("node_alerts", [HIGH_CPU_LOAD, HIGH_MEMORY_USAGE, LOW_DISK_SPACE])]),
    RuleFile("database_rules.yml", [RuleGroup("database_alerts", [
        POSTGRESQL_DOWN, POSTGRESQL_HIGH_CONNECTIONS, POSTGRESQL_SLOW_QUERIES])]),
    RuleFile("slo_rules.yml", [slo.rule_group() for slo in SLOS]),
)

# --- prometheus.yml ------------------------------------------------------------------

PROMETHEUS = PrometheusConfig(
    scrape_interval="15s",
    evaluation_interval="15s",
    scrape_timeout="10s",
    alertmanagers=["alertmanager:9093"],
    scrape_jobs=[
        ScrapeJob("api", metrics_path="/metrics", targets=["api.yourdomain.com"]),
        ScrapeJob("node", targets=["node-exporter:9100"]),
        ScrapeJob("postgres", targets=["postgres-exporter:9187"]),
        ScrapeJob("redis", targets=["redis-exporter:9121"]),
        ScrapeJob(
            "blackbox",
            metrics_path="/probe",
            params={"module": ["http_2xx"]},
            targets=["https://yourdomain.com", "https://api.yourdomain.com"],
            relabel_configs=[
                Relabel(source_labels=["__address__"], target_label="__param_target"),
                Relabel(source_labels=["__param_target"], target_label="instance"),
                Relabel(target_label="__address__", replacement="blackbox-exporter:9115"),
            ],
        ),
    ],
)

# --- alertmanager.yml ----------------------------------------------------------------

SLACK_TEXT = """{{ range .Alerts }}
*Alert:* {{ .Annotations.summary }}
*Description:* {{ .Annotations.description }}
*Severity:* {{ .Labels.severity }}
*Runbook:* {{ .Annotations.runbook_url }}
*Dashboard:* {{ .Annotations.dashboard }}
{{ end }}"""
DASHBOARD_LINK = "{{ (index .Alerts 0).Annotations.dashboard }}"

ALERTMANAGER = AlertmanagerConfig(
    resolve_timeout="5m",
    route=Route(
        receiver="slack-notifications",
        group_by=("alertname", "job"),
        group_wait="30s",
        group_interval="5m",
        repeat_interval="4h",
        routes=[
            Route(receiver="slack-critical", match={"severity": "critical"}, continue_=True),
            Route(receiver="slack-notifications", match={"severity": "warning"}),
        ],
    ),
    receivers=[
        Receiver("slack-critical", [Slack("#alerts-critical", text=SLACK_TEXT, title_link=DASHBOARD_LINK)]),
        Receiver("slack-notifications", [Slack("#alerts", text=SLACK_TEXT, title_link=DASHBOARD_LINK)]),
        Receiver("email-alerts", [Email(to="team@yourdomain.com", from_="alerts@yourdomain.com",
                                        smarthost="smtp.sendgrid.net:587", auth_username="apikey")]),
    ],
    inhibit_rules=[Inhibit(source={"severity": "critical"}, target={"severity": "warning"}, equal=["alertname"])],
)

ROUTING_CASES = (
    RoutingCase({"alertname": "HighApiErrorRate", "severity": "critical", "job": "api"}, ["slack-critical"]),
    RoutingCase({"alertname": "PostgresqlDown", "severity": "critical"}, ["slack-critical"]),
    RoutingCase({"alertname": "HighCPULoad", "severity": "warning", "instance": "node1:9100"}, ["slack-notifications"]),
    RoutingCase({"alertname": "Watchdog", "severity": "info"}, ["slack-notifications"]),
    RoutingCase({"alertname": "NoSeverity"}, ["slack-notifications"]),
    *[case for slo in SLOS for case in slo.routing_cases(page=["slack-critical"], ticket=["slack-notifications"])],
)

ALERTING = Alerting(
    prometheus=PROMETHEUS,
    rule_files=RULE_FILES,
    alertmanager=ALERTMANAGER,
    routing_cases=ROUTING_CASES,
    runbook_url="https://github.com/your-org/monitoring/blob/main/alerts/runbooks/{alert}.md",
)
