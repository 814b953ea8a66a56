"""Grafana datasources, saved log queries and file provisioning."""
