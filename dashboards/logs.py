"""Saved log queries: the guide's LogQL queries, published to Grafana's query library where it
exists, and otherwise as this dashboard (see provisioning/log_queries.py)."""

from provisioning.log_queries import LOG_QUERIES, saved_queries_dashboard

QUERIES = LOG_QUERIES  # at module level, so that discovery finds the queries to publish
saved_queries = saved_queries_dashboard(LOG_QUERIES)
