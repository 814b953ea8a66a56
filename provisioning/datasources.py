"""The guide's datasources, declared once: Prometheus for metrics, Loki for logs.

Their uids are the same in every environment; dashboards refer to them by
uid. URLs differ per environment and come from dash.yaml (`datasources:`);
the defaults here are the service names of the guide's docker-compose stack,
used by the provisioning tree when no environment is given.

Loki has no derived field: the guide's JSON log records (level, logger,
timestamp, message) carry no request or trace id to link from. To add one
when the application logs a `request_id`, extend `settings` with
`"derivedFields": [{"name": "request_id", "matcherRegex": "\\"request_id\\":\\"(\\\\w+)\\"",
"url": "<link, with ${__value.raw}>"}]`.
"""

from dashboards.sdk import Datasource

PROMETHEUS = Datasource(
    "Prometheus",
    type="prometheus",
    uid="prometheus",
    settings={"httpMethod": "POST", "timeInterval": "15s"},  # the guide's scrape_interval
    description="Metrics scraped by Prometheus (the guide's prometheus.yml).",
)

LOKI = Datasource(
    "Loki",
    type="loki",
    uid="loki",
    settings={"maxLines": 1000},
    description="Logs shipped by the Docker Loki driver (the guide's labels: job, environment).",
)

#: Where the guide's docker-compose stack serves them.
DEFAULT_URLS = {"prometheus": "http://prometheus:9090", "loki": "http://loki:3100"}
