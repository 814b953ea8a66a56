"""The guide's monitoring stack as docker-compose.yml, mounting the files dash builds.

    out/docker-compose.yml
    out/loki/loki-config.yaml      (the guide's Loki config)
    out/blackbox/blackbox.yml      (the guide's blackbox modules)

Every image is pinned to a release (never `:latest`, which the guide uses and
which changes under you); bump them deliberately. Loki stays on 2.9 because the
guide's config (boltdb-shipper, schema v11, `shared_store`) is a Loki 2 config.
Secrets are not written here either: Grafana's admin password and the Postgres
exporter's DSN come from the environment (docker compose reads `.env`), and
Alertmanager's secret files from ./secrets/alertmanager.
"""

from __future__ import annotations

from typing import Any

IMAGES = {
    "prometheus": "prom/prometheus:v2.53.3",
    "grafana": "grafana/grafana:12.3.3",
    "loki": "grafana/loki:2.9.8",
    "alertmanager": "prom/alertmanager:v0.27.0",
    "node-exporter": "prom/node-exporter:v1.8.2",
    "postgres-exporter": "prometheuscommunity/postgres-exporter:v0.15.0",
    "redis-exporter": "oliver006/redis_exporter:v1.62.0",
    "blackbox-exporter": "prom/blackbox-exporter:v0.25.0",
}

LOKI_CONFIG: dict[str, Any] = {
    "auth_enabled": False,
    "server": {"http_listen_port": 3100},
    "ingester": {
        "lifecycler": {"address": "127.0.0.1", "ring": {"kvstore": {"store": "inmemory"}, "replication_factor": 1},
                       "final_sleep": "0s"},
        "chunk_idle_period": "5m",
        "chunk_retain_period": "30s",
    },
    "schema_config": {"configs": [{"from": "2020-10-24", "store": "boltdb-shipper", "object_store": "filesystem",
                                   "schema": "v11", "index": {"prefix": "index_", "period": "24h"}}]},
    "storage_config": {
        "boltdb_shipper": {"active_index_directory": "/loki/boltdb-shipper-active",
                           "cache_location": "/loki/boltdb-shipper-cache", "cache_ttl": "24h",
                           "shared_store": "filesystem"},
        "filesystem": {"directory": "/loki/chunks"},
    },
    "limits_config": {"enforce_metric_name": False, "reject_old_samples": True,
                      "reject_old_samples_max_age": "168h"},
    "compactor": {"working_directory": "/loki/boltdb-shipper-compactor"},
}

BLACKBOX_CONFIG: dict[str, Any] = {
    "modules": {
        "http_2xx": {
            "prober": "http",
            "timeout": "5s",
            "http": {
                "valid_http_versions": ["HTTP/1.1", "HTTP/2.0"],
                "valid_status_codes": [200],
                "method": "GET",
                "no_follow_redirects": False,
                "fail_if_ssl": False,
                "fail_if_not_ssl": True,
                "tls_config": {"insecure_skip_verify": False},
                "preferred_ip_protocol": "ip4",
            },
        }
    }
}


def _service(name: str, **fields: Any) -> dict[str, Any]:
    return {"image": IMAGES[name], "container_name": name, **fields, "restart": "unless-stopped",
            "networks": ["monitoring"]}


def compose(secrets_dir: str = "/etc/alertmanager/secrets") -> dict[str, Any]:
    services = {
        "prometheus": _service(
            "prometheus",
            ports=["9090:9090"],
            volumes=["./prometheus:/etc/prometheus:ro", "prometheus_data:/prometheus"],
            command=["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
                     "--web.console.libraries=/etc/prometheus/console_libraries",
                     "--web.console.templates=/etc/prometheus/consoles", "--web.enable-lifecycle"],
        ),
        "grafana": _service(
            "grafana",
            ports=["3000:3000"],
            volumes=["grafana_data:/var/lib/grafana", "./grafana/provisioning:/etc/grafana/provisioning:ro"],
            environment={
                "GF_SECURITY_ADMIN_USER": "admin",
                "GF_SECURITY_ADMIN_PASSWORD": "${GF_SECURITY_ADMIN_PASSWORD:?set GF_SECURITY_ADMIN_PASSWORD (in .env)}",
                "GF_USERS_ALLOW_SIGN_UP": "false",
            },
        ),
        "loki": _service(
            "loki",
            ports=["3100:3100"],
            volumes=["./loki:/etc/loki:ro", "loki_data:/loki"],
            command=["-config.file=/etc/loki/loki-config.yaml"],
        ),
        "alertmanager": _service(
            "alertmanager",
            ports=["9093:9093"],
            volumes=["./alertmanager:/etc/alertmanager:ro", f"./secrets/alertmanager:{secrets_dir}:ro",
                     "alertmanager_data:/alertmanager"],
            command=["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
        ),
        "node-exporter": _service(
            "node-exporter",
            ports=["9100:9100"],
            volumes=["/proc:/host/proc:ro", "/sys:/host/sys:ro", "/:/rootfs:ro"],
            command=["--path.procfs=/host/proc", "--path.rootfs=/rootfs", "--path.sysfs=/host/sys",
                     "--collector.filesystem.mount-points-exclude=^/(sys|proc|dev|host|etc)($$|/)"],
        ),
        "postgres-exporter": _service(
            "postgres-exporter",
            ports=["9187:9187"],
            environment={"DATA_SOURCE_NAME": "${POSTGRES_EXPORTER_DSN:?set POSTGRES_EXPORTER_DSN (in .env)}"},
        ),
        "redis-exporter": _service("redis-exporter", ports=["9121:9121"], environment={"REDIS_ADDR": "redis:6379"}),
        "blackbox-exporter": _service(
            "blackbox-exporter",
            ports=["9115:9115"],
            volumes=["./blackbox:/config:ro"],
            command=["--config.file=/config/blackbox.yml"],
        ),
    }
    return {
        "services": services,
        "volumes": {"prometheus_data": {}, "grafana_data": {}, "loki_data": {}, "alertmanager_data": {}},
        "networks": {"monitoring": {"driver": "bridge"}},
    }


def stack_files(secrets_dir: str = "/etc/alertmanager/secrets") -> dict[str, tuple[str, Any]]:
    """The stack's files: relative path -> (header comment, YAML data)."""
    header = "Generated by dash: the guide's monitoring stack. Start it with `docker compose up -d` here."
    return {
        "docker-compose.yml": (header, compose(secrets_dir)),
        "loki/loki-config.yaml": ("Generated by dash: the guide's Loki config (Loki 2.9).", LOKI_CONFIG),
        "blackbox/blackbox.yml": ("Generated by dash: the guide's blackbox modules.", BLACKBOX_CONFIG),
    }
