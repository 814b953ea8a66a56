"""prometheus.yml: the scrape jobs, their relabelling, the global intervals and the Alertmanagers to notify."""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

import attrs

from .values import AlertsError, duration, seconds


@attrs.frozen
class Relabel:
    source_labels: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    target_label: str | None = None
    replacement: str | None = None
    regex: str | None = None
    action: str | None = None

    def to_yaml_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.source_labels:
            out["source_labels"] = list(self.source_labels)
        for key in ("regex", "target_label", "replacement", "action"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@attrs.frozen
class ScrapeJob:
    job_name: str
    targets: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    metrics_path: str | None = None
    params: Mapping[str, list[str]] = attrs.field(factory=dict)
    relabel_configs: tuple[Relabel, ...] = attrs.field(default=(), converter=tuple)
    scrape_interval: str | None = None

    def __attrs_post_init__(self) -> None:
        if not re.match(r"^[A-Za-z0-9_.-]+$", self.job_name or ""):
            raise AlertsError(f"scrape job name {self.job_name!r} must be letters, digits, '.', '_' or '-'")
        if self.scrape_interval is not None:
            duration(self.scrape_interval, f"scrape job {self.job_name!r}: scrape_interval")

    def to_yaml_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"job_name": self.job_name}
        if self.scrape_interval:
            out["scrape_interval"] = self.scrape_interval
        if self.metrics_path:
            out["metrics_path"] = self.metrics_path
        if self.params:
            out["params"] = {k: list(v) for k, v in self.params.items()}
        out["static_configs"] = [{"targets": list(self.targets)}]
        if self.relabel_configs:
            out["relabel_configs"] = [r.to_yaml_data() for r in self.relabel_configs]
        return out


@attrs.frozen
class PrometheusConfig:
    scrape_jobs: tuple[ScrapeJob, ...] = attrs.field(converter=tuple)
    alertmanagers: tuple[str, ...] = attrs.field(default=("alertmanager:9093",), converter=tuple)
    scrape_interval: str = "15s"
    evaluation_interval: str = "15s"
    scrape_timeout: str = "10s"

    def __attrs_post_init__(self) -> None:
        for key in ("scrape_interval", "evaluation_interval", "scrape_timeout"):
            duration(getattr(self, key), f"prometheus.yml global {key}")
        if seconds(self.scrape_timeout) > seconds(self.scrape_interval):
            raise AlertsError("prometheus.yml: scrape_timeout must not exceed scrape_interval")
        names = [j.job_name for j in self.scrape_jobs]
        if len(names) != len(set(names)):
            raise AlertsError("prometheus.yml: two scrape jobs share a job_name")

    def job(self, name: str) -> ScrapeJob:
        for job in self.scrape_jobs:
            if job.job_name == name:
                return job
        raise AlertsError(f"no scrape job named {name!r} (jobs: {', '.join(j.job_name for j in self.scrape_jobs)})")

    def with_targets(self, targets: Mapping[str, Iterable[str]], alertmanagers: Iterable[str] | None = None,
                     replacements: Mapping[str, str] | None = None) -> "PrometheusConfig":
        """The same config with per-environment targets (job name -> targets)."""
        jobs = []
        for job in self.scrape_jobs:
            job = attrs.evolve(job, targets=tuple(targets[job.job_name])) if job.job_name in targets else job
            if replacements and job.job_name in replacements:
                job = attrs.evolve(job, relabel_configs=tuple(
                    attrs.evolve(r, replacement=replacements[job.job_name]) if r.target_label == "__address__" else r
                    for r in job.relabel_configs))
            jobs.append(job)
        for name in targets:
            self.job(name)  # an unknown job is an error, not silently ignored
        return attrs.evolve(self, scrape_jobs=tuple(jobs),
                            alertmanagers=tuple(alertmanagers) if alertmanagers is not None else self.alertmanagers)

    def to_yaml_data(self, rule_files: Iterable[str]) -> dict[str, Any]:
        return {
            "global": {
                "scrape_interval": self.scrape_interval,
                "evaluation_interval": self.evaluation_interval,
                "scrape_timeout": self.scrape_timeout,
            },
            "alerting": {"alertmanagers": [{"static_configs": [{"targets": list(self.alertmanagers)}]}]},
            "rule_files": list(rule_files),
            "scrape_configs": [job.to_yaml_data() for job in self.scrape_jobs],
        }
