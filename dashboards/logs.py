"""Saved log queries: the guide's LogQL queries for the operations team, and two it implies.

dash saves them to Grafana's query library where the server has one, and
otherwise publishes them as the dashboard "Saved log queries"
(`publisher.sdk.saved_queries_dashboard`).

The fields the queries read are part of the application's log contract, as the
business metrics are: JSON records with `level`, `logger`, `timestamp` and
`message` (the guide's formatter), plus `duration` on query logs, `user_id` on
authentication logs and `client_ip` on authentication failures; and uvicorn's
access lines (`<client> - "<method> <path> HTTP/1.1" <status>`).
"""

from _shared import LOKI

from publisher.sdk import LogQuery

API = '{job="api"}'
ACCESS_LINE = '`<client> - "<method> <endpoint> <_>" <status> <_>`'

LOG_QUERIES = (
    LogQuery(
        "api-errors", "API errors",
        "ERROR-level records of the API's JSON logs (the guide's first query).",
        f'{API} |= "error" | json | level="ERROR"', LOKI, tags=("api", "errors"),
    ),
    LogQuery(
        "slow-database-queries", "Slow database queries",
        "Query logs whose duration is over one second.",
        f'{API} |= "query" | json | duration > 1s', LOKI, tags=("api", "database"),
    ),
    LogQuery(
        "user-registrations", "User registrations",
        "Each completed sign-up (the 'user registered' event).",
        f'{API} |= "user registered" | json', LOKI, tags=("api", "business"),
    ),
    LogQuery(
        "authentication-failures", "Authentication failures",
        "Failed logins that name a user.",
        f'{API} |= "authentication failed" | json | user_id != ""', LOKI, tags=("api", "security"),
    ),
    LogQuery(
        "5xx-by-endpoint", "5xx responses by endpoint",
        "Server errors per endpoint, counted over 5 minutes from uvicorn's access lines.",
        f"sum by (endpoint) (count_over_time({API} | pattern {ACCESS_LINE} | status >= 500 [5m]))", LOKI,
        tags=("api", "errors"),
    ),
    LogQuery(
        "repeated-auth-failures-by-ip", "Repeated authentication failures by client IP",
        "Client IPs with more than 5 failed logins in 5 minutes: a credential-stuffing or brute-force signal.",
        f'sum by (client_ip) (count_over_time({API} |= "authentication failed" | json [5m])) > 5', LOKI,
        tags=("api", "security"),
    ),
)
