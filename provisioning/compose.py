"""The guide's monitoring stack as docker-compose.yml, mounting the files dash builds.

    out/docker-compose.yml
    out/docker-compose.logging.yml  (the guide's `api` service logging to Loki, as an override)
    out/loki/loki-config.yaml      (a Loki 3 config: the guide's is a Loki 2 config)
    out/blackbox/blackbox.yml      (the guide's blackbox modules)
    out/secrets/alertmanager/README.yml  (the secret files to create there; never a secret)

Every image is pinned to a release (never `:latest`, which the guide uses and
which changes under you); bump them deliberately.

Mounts: each bind mount's source is a directory the build writes, or
./secrets/alertmanager, which the build creates with only its README (the
files named there are yours to write; dash never writes a secret, and a build
never removes a file it did not write). No mount target lies inside another
read-only mount's target: Docker cannot create a mount point inside a
read-only bind whose source lacks it, so Alertmanager's config is mounted at
/etc/alertmanager/config and its secrets at the environment's secrets_dir
(default /etc/alertmanager/secrets), side by side.
"""

from __future__ import annotations

import posixpath
from typing import Any

IMAGES = {
    "prometheus": "prom/prometheus:v2.53.3",
    "grafana": "grafana/grafana:12.3.3",
    # Loki 3.5.1 (released May 2025, a patch of the 3.5 line, the openSUSE package changelog lists it): the
    # current 3.x line, pinned to a patch release so that a rebuild never changes Loki under you. Loki 2.9 is
    # out of support; the config below is written for 3.x and uses none of the keys 3.0 removed.
    "loki": "grafana/loki:3.5.1",
    "alertmanager": "prom/alertmanager:v0.27.0",
    "node-exporter": "prom/node-exporter:v1.8.2",
    "postgres-exporter": "prometheuscommunity/postgres-exporter:v0.15.0",
    "redis-exporter": "oliver006/redis_exporter:v1.62.0",
    "blackbox-exporter": "prom/blackbox-exporter:v0.25.0",
}

#: Where Alertmanager's built config is mounted: not /etc/alertmanager, so that the default secrets_dir
#: (/etc/alertmanager/secrets) is a mount of its own and not a mount point inside this read-only one.
ALERTMANAGER_CONFIG_DIR = "/etc/alertmanager/config"

# A Loki 3 single-binary config (what Loki's own docker-compose example runs, cmd/loki/loki-local-config.yaml in
# Loki 3.x, with the guide's limits kept). What Loki 3.0's upgrade notes ("Upgrade Loki", section 3.0,
# https://grafana.com/docs/loki/latest/setup/upgrade/) changed, and how this config follows them:
# - the TSDB index (`store: tsdb`) with schema v13 is the one recommended store; boltdb-shipper is deprecated, and
#   structured metadata (on by default in 3.0, `allow_structured_metadata`) needs tsdb and v13: with the guide's
#   v11 boltdb-shipper schema Loki 3 refuses to start unless structured metadata is turned off;
# - `shared_store` (and `shared_store_key_prefix`) are removed from boltdb_shipper, tsdb_shipper and compactor:
#   the object store comes from the schema's `object_store` (the compactor's delete requests from
#   `delete_request_store`, needed only with retention);
# - `limits_config.enforce_metric_name`, `ingester.max_transfer_retries` and
#   `chunk_store_config.max_look_back_period` are removed;
# - the image runs as uid 10001, not root: everything is under /loki, the named volume the image prepares.
# The guide's `from: 2020-10-24` is kept: this is a new install (no older data to read with another schema).
LOKI_CONFIG: dict[str, Any] = {
    "auth_enabled": False,
    "server": {"http_listen_port": 3100, "grpc_listen_port": 9096},
    "common": {
        "instance_addr": "127.0.0.1",
        "path_prefix": "/loki",
        "storage": {"filesystem": {"chunks_directory": "/loki/chunks", "rules_directory": "/loki/rules"}},
        "replication_factor": 1,
        "ring": {"kvstore": {"store": "inmemory"}},
    },
    "ingester": {"chunk_idle_period": "5m"},
    "schema_config": {"configs": [{"from": "2020-10-24", "store": "tsdb", "object_store": "filesystem",
                                   "schema": "v13", "index": {"prefix": "index_", "period": "24h"}}]},
    "storage_config": {
        "tsdb_shipper": {"active_index_directory": "/loki/tsdb-index", "cache_location": "/loki/tsdb-cache"},
        "filesystem": {"directory": "/loki/chunks"},
    },
    "limits_config": {"reject_old_samples": True, "reject_old_samples_max_age": "168h"},
    "compactor": {"working_directory": "/loki/compactor"},
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
    """The stack. `secrets_dir`: where Alertmanager reads its secret files (alertmanager.yml's `*_file` paths),
    mounted from ./secrets/alertmanager, beside the config's mount (never inside it, nor around it)."""
    services = {
        "prometheus": _service(
            "prometheus",
            ports=["9090:9090"],
            volumes=["./prometheus:/etc/prometheus:ro", "prometheus_data:/prometheus"],
            # The guide's --web.console.* flags are left out: they name directories under the mount that nothing
            # writes (the image keeps its consoles in /usr/share/prometheus), and Prometheus 3 has no consoles.
            command=["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
                     "--web.enable-lifecycle"],
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
        "alertmanager": _alertmanager(secrets_dir),
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


def _alertmanager(secrets_dir: str) -> dict[str, Any]:
    config_dir = ALERTMANAGER_CONFIG_DIR
    if _nested(secrets_dir, config_dir) or _nested(config_dir, secrets_dir):
        config_dir = "/etc/dash-alertmanager-config"  # a secrets_dir of /etc/alertmanager/config/...: step aside
    return _service(
        "alertmanager",
        ports=["9093:9093"],
        volumes=[f"./alertmanager:{config_dir}:ro", f"./{SECRETS_SOURCE}:{secrets_dir}:ro",
                 "alertmanager_data:/alertmanager"],
        command=[f"--config.file={config_dir}/alertmanager.yml", "--storage.path=/alertmanager"],
    )


def _nested(inner: str, outer: str) -> bool:
    inner, outer = posixpath.normpath(inner), posixpath.normpath(outer)
    return inner == outer or inner.startswith(outer.rstrip("/") + "/")


#: The host directory (beside docker-compose.yml) mounted at secrets_dir: you create the files in it.
SECRETS_SOURCE = "secrets/alertmanager"

#: The secret files alertmanager.yml can name (alerts/alertmanager.py writes `<secrets_dir>/<name>`), and what
#: goes in each. tests/test_provisioning.py checks that every `*_file` of the built config is listed here.
SECRET_FILES = {
    "slack-webhook-url": "the Slack incoming-webhook URL (global.slack_api_url_file), when a receiver posts to Slack",
    "smtp-password": "the SMTP password (email_configs[].auth_password_file), when a receiver sends email",
}

# The guide's `api` service logs through Docker's Loki logging driver ("Configure Docker Logging for Loki").
# Two corrections, so that the saved log queries' `{job="api"}` selects its logs:
# - the guide's `labels: "job=api,environment=production"` is Docker's generic `labels` option, which names
#   *container label keys* whose values are attached; no container label is called "job=api", so no `job` label
#   would reach Loki. Fixed label values go in `loki-external-labels` (the driver's docs, "Docker driver client
#   configuration"). Setting it replaces the driver's default `container_name={{.Name}}`, so that is kept.
# - the driver runs in the Docker daemon, outside the compose network, where `loki` does not resolve: it pushes
#   to the port the stack publishes on the host (3100:3100).
# The driver must be installed on the host first (the driver's docs):
#   docker plugin install grafana/loki-docker-driver:3.5.1-amd64 --alias loki --grant-all-permissions
API_LOG_LABELS = {"job": "api", "environment": "production"}


def logging_override() -> dict[str, Any]:
    """docker-compose.logging.yml: the `logging:` of the application's `api` service, as an override file for
    `docker compose -f <your app's compose file> -f docker-compose.logging.yml up -d`."""
    labels = ",".join(f"{k}={v}" for k, v in API_LOG_LABELS.items())
    return {"services": {"api": {"logging": {"driver": "loki", "options": {
        "loki-url": "http://127.0.0.1:3100/loki/api/v1/push",
        "loki-retries": "5",
        "loki-batch-size": "400",
        "loki-external-labels": labels + ",container_name={{.Name}}",
    }}}}}


def stack_files(secrets_dir: str = "/etc/alertmanager/secrets") -> dict[str, tuple[str, Any]]:
    """The stack's files: relative path -> (header comment, YAML data)."""
    header = "Generated by dash: the guide's monitoring stack. Start it with `docker compose up -d` here."
    secrets_header = "\n# ".join((
        "Generated by dash. dash never writes a secret: create the files below in this directory yourself.",
        f"docker-compose.yml mounts this directory read-only at {secrets_dir}, where alertmanager.yml reads them.",
        "Write each without a trailing newline (Alertmanager does not trim passwords): printf '%s' \"$VALUE\" > NAME",
        "Only the files alertmanager/alertmanager.yml names (its *_file fields) are needed;",
        "`dash check --secrets <this directory>` says which are missing.",
    ))
    return {
        "docker-compose.yml": (header, compose(secrets_dir)),
        "docker-compose.logging.yml": (
            "Generated by dash: the guide's api service logs to Loki. Use with your application's compose file: "
            "docker compose -f <app>/docker-compose.yml -f docker-compose.logging.yml up -d", logging_override()),
        "loki/loki-config.yaml": (f"Generated by dash: a Loki 3 config for {IMAGES['loki']} (tsdb, schema v13).",
                                  LOKI_CONFIG),
        "blackbox/blackbox.yml": ("Generated by dash: the guide's blackbox modules.", BLACKBOX_CONFIG),
        f"{SECRETS_SOURCE}/README.yml": (secrets_header, {"secret_files": dict(SECRET_FILES)}),
    }
