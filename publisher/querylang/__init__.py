"""Offline checkers of the query languages dashboards carry: PromQL and LogQL."""
