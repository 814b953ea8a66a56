"""The baseline uploader: grafanalib's upload example, with grafana-client.

For each `.dashboard.py`: load the grafanalib dashboard, encode it with
grafanalib's DashboardEncoder, and POST it to /api/dashboards/db with
`overwrite: true`, one after the other.

    python -m bench.naive URL TOKEN FILE.dashboard.py...
"""

from __future__ import annotations

import json
import sys
from urllib.parse import urlsplit


def main(argv: list[str]) -> int:
    from grafana_client import GrafanaApi
    from grafanalib._gen import DashboardEncoder, loader

    url, token, *files = argv
    parts = urlsplit(url)
    api = GrafanaApi(auth=token, host=parts.hostname, port=parts.port, protocol=parts.scheme)
    for path in files:
        dashboard = loader(path)
        body = json.loads(json.dumps(dashboard.to_json_data(), cls=DashboardEncoder))
        api.dashboard.update_dashboard({"dashboard": body, "overwrite": True})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
