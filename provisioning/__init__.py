"""Grafana file provisioning and the guide's compose stack, as data (dash writes the bytes)."""
