"""The SLO dashboard of the API (uid slo-api): the guide's two SLOs (dashboards/_slos.py), each with its
SLI against the objective, the error budget left over 30 days and the burn rates over the windows of
its page and ticket alerts, with the alerts' factors (14.4 and 6; 3 and 1) drawn as lines. The panels
query the slo:* recording rules that alerts/guide.py generates from the same definitions, and the burn-rate
alerts link to the burn-rate panels here.
"""

from _shared import API_UID, PROMETHEUS
from _slos import SLOS

from publisher.sdk import Link, slo_dashboard

slo_api = slo_dashboard("api", [s.view() for s in SLOS if s.service == "api"], datasource=PROMETHEUS,
                        folder="Platform", links=[Link("API performance", uid=API_UID)])
