"""The two kinds of SLI an SLO measures, as error ratios over a window, and the input series that test them.

    ratio(errors='http_requests_total{status=~"5.."}', total="http_requests_total")
    latency(histogram="http_request_duration_seconds", threshold=1.0)   # bad: slower than 1 s
"""

from __future__ import annotations

import json
import re
from typing import Mapping

import attrs

from .values import AlertsError

_GOOD_VALUES = ("200", "ok", "0", "success")


def _selector(value: str, where: str, what: str, example: str):
    """A vector selector (metric{matchers}), parsed; anything else is refused, naming the SLO."""
    import promql_parser

    if not isinstance(value, str) or not value.strip():
        raise AlertsError(f"{where}: {what} must be a series selector such as {example}, got {value!r}")
    try:
        parsed = promql_parser.parse(value)
    except ValueError as exc:
        raise AlertsError(f"{where}: {what}={value!r} does not parse ({exc}); write a series selector such as "
                          f"{example}") from None
    if type(parsed).__name__ != "VectorSelector" or not parsed.name:
        raise AlertsError(f"{where}: {what}={value!r} must be a series selector (a metric and its labels, no "
                          f"function, no range) such as {example}")
    return parsed


def _matchers(parsed) -> list[tuple[str, str, str]]:
    ops = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}
    return [(m.name, ops[str(m.op)], m.value) for m in parsed.matchers.matchers if m.name != "__name__"]


def _series(name: str, labels: Mapping[str, str]) -> str:
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else name


def _example(value: str) -> str | None:
    """A label value that a regex matcher matches: '5..' -> '500'."""
    for candidate in (value.replace(".", "0"), value.split("|")[0], value.rstrip(".*+").replace(".", "0")):
        if re.fullmatch(value, candidate):
            return candidate
    return None


@attrs.frozen
class Ratio:
    """Bad events over all events, from two counters (or one counter, two selectors)."""

    errors: str
    total: str
    # promtool's input series for the generated tests: (a bad series, a good series). None: derived from the
    # selectors (status=~"5.." gives status="500" and status="200"); give them when that fails.
    test_series: tuple[str, str] | None = attrs.field(default=None, converter=lambda v: tuple(v) if v else None)

    def check(self, where: str) -> None:
        _selector(self.errors, where, "ratio(errors=...)", "'http_requests_total{status=~\"5..\"}'")
        _selector(self.total, where, "ratio(total=...)", "'http_requests_total'")
        self.examples(where)

    def error_ratio(self, window: str) -> str:
        """`or vector(0)`: no error series (no 5xx seen yet) is no error, not no data. `> 0`: no traffic over
        the window gives no ratio, not 0/0 = NaN. Both sides are sums without `by`: no labels, they match."""
        return f"(sum(rate({self.errors}[{window}])) or vector(0)) / (sum(rate({self.total}[{window}])) > 0)"

    def describe(self) -> str:
        return f"Errors: {self.errors}, out of {self.total}."

    def examples(self, where: str) -> tuple[str, str]:
        """A series counted as an error and one counted as good (both counted in the total)."""
        if self.test_series is not None:
            return self.test_series
        errors, total = _selector(self.errors, where, "errors", ""), _selector(self.total, where, "total", "")
        if errors.name != total.name:
            raise AlertsError(f"{where}: errors and total are different metrics; give ratio(..., test_series="
                              "('<an error series>', '<a good series>')) for the generated tests")
        bad: dict[str, str] = {}
        changeable = None
        for name, op, value in _matchers(errors) + _matchers(total):
            if op == "=":
                bad.setdefault(name, value)
            elif op == "=~" and name not in bad:
                bad[name] = _example(value) or ""
                changeable = changeable or (name, value)
        if changeable is None or not bad[changeable[0]]:
            raise AlertsError(f"{where}: cannot derive test series from errors={self.errors!r}; give ratio(..., "
                              "test_series=('<an error series>', '<a good series>'))")
        label, regex = changeable
        good_value = next((v for v in _GOOD_VALUES if not re.fullmatch(regex, v)), None)
        if good_value is None:
            raise AlertsError(f"{where}: cannot derive a good test series; give ratio(..., test_series=(...))")
        return _series(errors.name, bad), _series(errors.name, {**bad, label: good_value})

    def test_input(self, where: str, values: Mapping[str, str], le: str | None = None) -> dict[str, str]:
        """promtool input series from the counters' `values` ("bad", "good" and "total", in promtool's
        expanding notation): the error series counts the bad events, the good series the others."""
        error_series, good_series = self.examples(where)
        return {error_series: values["bad"], good_series: values["good"]}


@attrs.frozen
class Latency:
    """Requests slower than `threshold` seconds over all requests, from a histogram's buckets.

    Prometheus 2 keeps `le` as the client wrote it ("1" from Go, "1.0" from Python); Prometheus 3 writes
    every `le` as a float ("1.0"). The good bucket is matched by both spellings (`le=~"1|1\\.0"`), and the
    total is the `+Inf` bucket, which both spell alike."""

    histogram: str  # the histogram's name, e.g. http_request_duration_seconds (or its _bucket), with labels
    threshold: float

    def check(self, where: str) -> None:
        parsed = _selector(self.histogram, where, "latency(histogram=...)", "'http_request_duration_seconds'")
        if any(name == "le" for name, _, _ in _matchers(parsed)):
            raise AlertsError(f"{where}: latency(histogram=...) must not match `le`: threshold= chooses the bucket")
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, float)) or self.threshold <= 0:
            raise AlertsError(f"{where}: latency(threshold={self.threshold!r}) must be a positive number of "
                              "seconds, the bucket boundary of a good request, e.g. threshold=1.0")

    def _parts(self) -> tuple[str, list[str]]:
        """The bucket metric and the selector's matchers, from the parsed selector (a value may hold commas)."""
        parsed = _selector(self.histogram, "latency", "histogram", "")  # check() refused what does not parse
        name = parsed.name.removesuffix("_bucket") + "_bucket"
        return name, [f"{label}{op}{json.dumps(value, ensure_ascii=False)}" for label, op, value in _matchers(parsed)]

    def spellings(self) -> list[str]:
        """The ways `le` spells the threshold: 1 -> "1" (Go, Prometheus 2), "1.0" (Python, Prometheus 3)."""
        value = float(self.threshold)
        if value.is_integer():
            return [str(int(value)), f"{int(value)}.0"]
        return [repr(value)]

    def bucket(self, le: str) -> str:
        name, matchers = self._parts()
        return name + "{" + ", ".join([*matchers, le]) + "}"

    def error_ratio(self, window: str) -> str:
        good_le = "|".join(s.replace(".", "\\\\.") for s in self.spellings())
        good = self.bucket(f'le=~"{good_le}"') if len(self.spellings()) > 1 else self.bucket(
            f'le="{self.spellings()[0]}"')
        total = self.bucket('le="+Inf"')
        # `> 0`: no traffic over the window gives no ratio, not 1 - 0/0 = NaN. No `or vector(0)` on the good
        # bucket: a histogram exposes all its buckets at once, so it lacks only when the threshold is no bucket.
        return f"1 - sum(rate({good}[{window}])) / (sum(rate({total}[{window}])) > 0)"

    def describe(self) -> str:
        return f"Requests slower than {self.threshold:g} s (the {self._parts()[0]} buckets)."

    def test_input(self, where: str, values: Mapping[str, str], le: str | None = None) -> dict[str, str]:
        """promtool input series: the threshold's bucket counts the good requests, `+Inf` all of them.
        `le` spells the threshold (default: as Go and Prometheus 2 write it)."""
        parsed = _selector(self.histogram, where, "latency(histogram=...)", "")
        labels = {}
        for name, op, value in _matchers(parsed):
            if op == "=~":
                value = _example(value) or ""
            if op in ("=", "=~") and value:
                labels[name] = value
            elif op in ("=", "=~"):
                raise AlertsError(f"{where}: cannot derive test series from histogram={self.histogram!r}")
        name = self._parts()[0]
        return {_series(name, {**labels, "le": le or self.spellings()[0]}): values["good"],
                _series(name, {**labels, "le": "+Inf"}): values["total"]}


def ratio(errors: str, total: str, test_series: tuple[str, str] | None = None) -> Ratio:
    """An SLI from counters: `errors` (bad events) over `total` (all events), both series selectors."""
    return Ratio(errors, total, test_series)


def latency(histogram: str, threshold: float = 1.0) -> Latency:
    """An SLI from a histogram: requests slower than `threshold` seconds are bad."""
    return Latency(histogram, threshold)
