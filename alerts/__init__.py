"""Prometheus and Alertmanager configuration from Python (rules, routes, scrape jobs)."""
