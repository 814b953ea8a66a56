"""System: the hosts (node-exporter), the probes (blackbox) and the data stores.

Panels and PromQL from the guide's "System Dashboard"; the probe and database
rows show what its blackbox, postgres and redis scrape jobs collect and what
its alerts watch.
"""

from _shared import PROMETHEUS, SYSTEM_UID, links_from

from publisher.sdk import Dashboard, Query, gauge, high_is_bad, label_values, stat, timeseries, units
from publisher.sdk import thresholds as steps

INSTANCE = 'instance=~"$instance"'

system = Dashboard(
    "System",
    uid=SYSTEM_UID,
    folder="Platform",
    tags=["system", "node-exporter"],
    description="Host health from node-exporter, endpoint probes from blackbox-exporter, and PostgreSQL and Redis.",
    datasource=PROMETHEUS,
    variables=[label_values("instance", 'up{job="node"}', title="Instance")],
    links=links_from(SYSTEM_UID),
    time=("now-6h", "now"),
    refresh="1m",
)

system.row(
    "System health overview",
    timeseries(
        "CPU usage",
        Query(
            f'100 - (avg by(instance) (irate(node_cpu_seconds_total{{mode="idle", {INSTANCE}}}[5m])) * 100)',
            legend="{{instance}}",
        ),
        unit=units.PERCENT,
        min=0,
        max=100,
        thresholds=high_is_bad(70, 80),
        description="Share of CPU time not idle, averaged over each instance's cores. "
        "HighCPULoad fires above 80% for 5 minutes.",
    ),
    timeseries(
        "Memory usage",
        Query(
            f"(node_memory_MemTotal_bytes{{{INSTANCE}}} - node_memory_MemAvailable_bytes{{{INSTANCE}}})"
            f" / node_memory_MemTotal_bytes{{{INSTANCE}}} * 100",
            legend="{{instance}}",
        ),
        unit=units.PERCENT,
        min=0,
        max=100,
        thresholds=high_is_bad(80, 90),
        description="Memory in use (total minus available) as a share of total. "
        "HighMemoryUsage fires above 90% for 5 minutes.",
    ),
    gauge(
        "Disk usage",
        Query(
            f'(node_filesystem_size_bytes{{fstype!="tmpfs", {INSTANCE}}}'
            f' - node_filesystem_free_bytes{{fstype!="tmpfs", {INSTANCE}}})'
            f' / node_filesystem_size_bytes{{fstype!="tmpfs", {INSTANCE}}} * 100',
            legend="{{instance}} {{mountpoint}}",
            instant=True,
        ),
        unit=units.PERCENT,
        thresholds=high_is_bad(75, 85),
        description="Used space of each filesystem except tmpfs, per mount point. LowDiskSpace fires above 85%.",
    ),
    timeseries(
        "Network traffic",
        Query(f"sum by(instance) (irate(node_network_receive_bytes_total{{{INSTANCE}}}[5m]))",
              legend="{{instance}} in"),
        Query(f"sum by(instance) (irate(node_network_transmit_bytes_total{{{INSTANCE}}}[5m]))",
              legend="{{instance}} out"),
        unit=units.BYTES_PER_SECOND,
        description="Bytes received (in) and sent (out) per second, all interfaces summed.",
    ),
)

system.row(
    "Endpoint probes",
    stat(
        "Endpoints up",
        Query('probe_success{job="blackbox"}', legend="{{instance}}"),
        unit="bool_yes_no",
        thresholds=steps("red", (1, "green")),
        graph=False,
        description="Whether each blackbox HTTP probe succeeded (HTTP 200 over TLS) at its last attempt.",
    ),
    timeseries(
        "Probe duration",
        Query('probe_duration_seconds{job="blackbox"}', legend="{{instance}}"),
        unit=units.SECONDS,
        description="Time each blackbox probe took, from DNS lookup to the last byte.",
    ),
    timeseries(
        "TLS certificate expiry",
        Query('(probe_ssl_earliest_cert_expiry{job="blackbox"} - time()) / 86400', legend="{{instance}}"),
        unit="d",
        thresholds=steps("red", (7, "orange"), (21, "green")),
        description="Days until the earliest certificate in each probed endpoint's chain expires.",
    ),
)

system.row(
    "Databases",
    stat(
        "PostgreSQL up",
        Query('pg_up{job="postgres"}', legend="{{instance}}"),
        unit="bool_yes_no",
        thresholds=steps("red", (1, "green")),
        graph=False,
        description="Whether postgres-exporter can reach PostgreSQL. PostgresqlDown fires after 1 minute at 0.",
    ),
    timeseries(
        "PostgreSQL connections",
        Query("sum by (datname) (pg_stat_activity_count)", legend="{{datname}}"),
        unit=units.SHORT,
        thresholds=high_is_bad(120, 150),
        description="Open connections per database. PostgresqlHighConnections fires above 150 for 5 minutes.",
    ),
    timeseries(
        "Longest PostgreSQL transaction",
        Query("max by (instance) (pg_stat_activity_max_tx_duration)", legend="{{instance}}"),
        unit=units.SECONDS,
        thresholds=high_is_bad(30, 60),
        description="Age of the oldest running transaction. PostgresqlSlowQueries fires above 60 s for 2 minutes.",
    ),
    timeseries(
        "Redis memory used",
        Query('redis_memory_used_bytes{job="redis"}', legend="{{instance}} memory"),
        unit=units.BYTES,
        description="Memory Redis holds, from redis-exporter.",
    ),
    per_line=4,
)
