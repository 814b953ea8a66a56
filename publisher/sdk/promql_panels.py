"""Panels that know PromQL idioms: give the metric, get the query, its legend, unit and description.

    rate("Request rate", "http_requests_total", by="endpoint")
    ratio("Error rate", 'http_requests_total{status=~"5.."}', "http_requests_total")
    quantile("P95 latency", "http_request_duration_seconds", 0.95, by="endpoint")
    histogram_heatmap("Request duration", "http_request_duration_seconds")

Each passes its other keywords (layout, thresholds, mappings, overrides, links,
repeat, datasource...: those of `publisher.sdk.shared`) on to `panels.timeseries`
or `panels.heatmap`.
"""

from __future__ import annotations

from typing import Any, Iterable

from . import args as A
from . import units as U
from .errors import DashboardError
from .panels import Panel, heatmap, timeseries
from .query import Query
from .thresholds import Thresholds


def _check(kind: str, title: Any, what: str, value: Any, example: str) -> None:
    A.title(kind, title)
    if not isinstance(value, str) or not value.strip():
        raise A.fail(A.where(kind, title), what, f"a metric name or selector string such as {example}", value)


def _by(by: str | Iterable[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else A.strings("", "by", by, "'endpoint' or ['endpoint', 'status']")


def _legend(labels: list[str]) -> str:
    return " ".join("{{%s}}" % label for label in labels)


def rate(
    title: str,
    metric: str,
    *,
    by: str | Iterable[str] | None = None,
    window: str = "5m",
    unit: str | None = None,
    description: str | None = None,
    **options: Any,
) -> Panel:
    """Per-second rate of a counter, summed (by labels): `sum(rate(m[5m])) by (l)`.

    The unit follows the metric's name (`_requests_total` is req/s,
    `_bytes_total` is bytes/s) unless given.
    """
    _check("rate", title, "metric", metric, "'http_requests_total'")
    labels = _by(by)
    name = metric.split("{", 1)[0]
    unit = unit or U.unit_for_rate(name) or U.OPS_PER_SECOND
    expr = f"sum(rate({metric}[{window}]))"
    if labels:
        expr += f" by ({', '.join(labels)})"
    description = description or (
        f"Per-second rate of {name} over {window}"
        + (f", by {', '.join(labels)}." if labels else ", all series summed.")
    )
    return timeseries(
        title, Query(expr, legend=_legend(labels) or title), unit=unit, description=description, **options
    )


def ratio(
    title: str,
    numerator: str,
    denominator: str,
    *,
    window: str = "5m",
    unit: str = U.PERCENT_UNIT,
    thresholds: Thresholds | None = None,
    description: str | None = None,
    **options: Any,
) -> Panel:
    """The share of one counter's rate in another's, such as errors in requests:
    `ratio("Error rate", 'http_requests_total{status=~"5.."}', "http_requests_total")`."""
    _check("ratio", title, "numerator", numerator, """'http_requests_total{status=~"5.."}'""")
    _check("ratio", title, "denominator", denominator, "'http_requests_total'")
    expr = f"sum(rate({numerator}[{window}])) / sum(rate({denominator}[{window}]))"
    description = description or f"Rate of {numerator} divided by rate of {denominator}, over {window}."
    return timeseries(
        title,
        Query(expr, legend=title),
        unit=unit,
        description=description,
        thresholds=thresholds,
        min=0,
        **options,
    )


def quantile(
    title: str,
    histogram: str,
    q: float,
    *,
    by: str | Iterable[str] | None = None,
    window: str = "5m",
    unit: str | None = None,
    thresholds: Thresholds | None = None,
    description: str | None = None,
    **options: Any,
) -> Panel:
    """A quantile of a Prometheus histogram: `histogram_quantile(q, sum(rate(h_bucket[5m])) by (le, l))`."""
    _check("quantile", title, "histogram", histogram, "'http_request_duration_seconds'")
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 < q < 1:
        raise DashboardError(f"panel {title!r}: quantile {q} must be between 0 and 1, e.g. 0.95")
    labels = _by(by)
    name = histogram.split("{", 1)[0].removesuffix("_bucket")
    selector = histogram[len(name):] if "{" in histogram else ""
    unit = unit or U.unit_for_value(name) or U.SHORT
    expr = f"histogram_quantile({q}, sum(rate({name}_bucket{selector}[{window}])) by ({', '.join(['le', *labels])}))"
    description = description or (
        f"{q * 100:g}th percentile of {name} over {window}" + (f", by {', '.join(labels)}." if labels else ".")
    )
    return timeseries(
        title,
        Query(expr, legend=_legend(labels) or f"p{q * 100:g}"),
        unit=unit,
        description=description,
        thresholds=thresholds,
        **options,
    )


def histogram_heatmap(
    title: str,
    histogram: str,
    *,
    window: str = "$__rate_interval",
    unit: str | None = None,
    description: str | None = None,
    **options: Any,
) -> Panel:
    """How a Prometheus histogram's observations spread over its buckets, over time:
    `histogram_heatmap("Request duration", "http_request_duration_seconds")`."""
    _check("histogram_heatmap", title, "histogram", histogram, "'http_request_duration_seconds'")
    name = histogram.removesuffix("_bucket")
    unit = unit or U.unit_for_value(name) or U.SHORT
    expr = f"sum(increase({name}_bucket[{window}])) by (le)"
    description = description or f"Observations of {name} per bucket; darker cells hold more of them."
    return heatmap(title, Query(expr, legend="{{le}}", format="heatmap"), unit=unit, description=description, **options)
