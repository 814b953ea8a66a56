"""The LogQL checker: valid queries pass, invalid ones fail with what and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.project import load_project
from publisher.querylang import logql
from publisher.sdk import DashboardError, Datasource, LogQuery

from .conftest import ROOT

LOKI = Datasource("Loki", "loki", "loki")

VALID = [
    '{job="api"} |= "error" | json | level="ERROR"',
    '{job="api"} |= "query" | json | duration > 1s',
    '{job="api"} |= "user registered" | json',
    '{job="api"} |= "authentication failed" | json | user_id != ""',
    '{job="api", environment=~"prod|staging"} != "healthz" |~ "(?i)timeout"',
    '{job="api"} |= "a" or "b" | logfmt | line_format "{{.msg}} ({{.level}})"',
    '{job="api"} | json --strict | keep level, msg',
    '{job="api"} | json first="a.b", second="c" | drop __error__, __error_details__',
    '{job="api"} | pattern `<ip> - <_> "<method> <path> <_>" <status> <size>` | status >= 500',
    '{job="api"} | regexp "(?P<status>\\\\d{3})" | label_format code=status, team="ops"',
    '{job="api"} | json | status >= 500 and (endpoint =~ "/api/.*" or method="POST")',
    '{job="api"} | json | size > 10MB | decolorize',
    '{job="api"} |= ip("10.0.0.0/8")',
    'sum by (endpoint) (count_over_time({job="api"} | json | status >= 500 [5m]))',
    'sum by (client_ip) (count_over_time({job="api"} |= "authentication failed" | json [5m])) > 5',
    'topk(5, sum by (level) (rate({job="api"} | json [1m])))',
    'quantile_over_time(0.99, {job="api"} | json | unwrap duration(took) [5m]) by (endpoint)',
    'sum(rate({job="api"}[5m] offset 1h)) / sum(rate({job="api"}[5m]))',
    'sum(bytes_over_time({job="api"}[1h])) > bool 1000',
    # Loki's "LogQL reference" (query_reference): vector matching, label_replace, vector, comments.
    'sum by (job) (rate({job="a"}[5m])) / on (job) group_left sum by (job) (rate({job="b"}[5m]))',
    'sum(rate({job="a"}[5m])) / ignoring (level) group_right (team) sum(rate({job="b"}[5m]))',
    'sum(rate({job="a"}[5m])) > bool on () vector(1)',
    'label_replace(rate({job="a"}[5m]), "foo", "$1", "service", "(.*):.*")',
    'sum(count_over_time({job="api"} |= "error" [5m])) or vector(0)',
    '{job="api"} # every line\n  |= "error" # but only errors',
    '{job="api"} |= "#1 is not a comment"',
    'sum without (pod) (rate({job="api"}[5m]))',
]


@pytest.mark.parametrize("query", VALID)
def test_valid_queries_pass(query):
    assert logql.check(query) is None


@pytest.mark.parametrize("query,message", [
    ('|= "error"', "starts with a stream selector"),
    ('json | level="ERROR"', "expected a metric expression"),
    ('{} |= "error"', "needs at least one label matcher"),
    ('{job="api" |= "error"', "expected ',' or '}' to close the stream selector"),
    ('{job=api}', "must be a quoted string"),
    ('{job=="api"}', "expected one of"),
    ('{job="api"} |= error', "a line filter needs a quoted string"),
    ('{job="api"} |= "unterminated', "unterminated string"),
    ('{job="api"} | frobnicate', "unknown pipeline stage 'frobnicate'"),
    ('{job="api"} | json | level=ERROR', "a label filter needs a value"),
    ('{job="api"} | json | level=~5', "needs a quoted regular expression"),
    ('{job="api"} | line_format', "line_format takes a quoted string"),
    ('rate({job="api"})', "needs one, e.g. [5m]"),
    ('count_over_time({job="api"}[5x])', "expected a range such as 5m"),
    ('sum(rate({job="api"}[5m])', "')' to close sum"),
    ('sum(rate({job="api"}[5m]))) ', "unexpected ')'"),
    ('topk(rate({job="api"}[5m]))', "topk takes a number first"),
    ('{job="api"} > 5', "unexpected '>'"),
    ('', "empty"),
    ('sum(rate({job="a"}[5m])) / on job sum(rate({job="b"}[5m]))', "'(' after on"),
    ('label_replace(rate({job="a"}[5m]), foo, "$1", "s", "(.*)")', "destination label as a quoted string"),
    ('label_replace(rate({job="a"}[5m]), "foo", "$1")', "',' and the source label"),
    ('vector(x)', "vector takes a number"),
    ('# only a comment', "expected a metric expression"),
])
def test_invalid_queries_are_reported(query, message):
    problem = logql.check(query)
    assert problem is not None and message in problem, problem


def test_errors_give_the_column():
    assert logql.check('{job="api"} | frobnicate').endswith("(at column 15)")


def test_every_saved_query_is_valid_and_the_metric_ones_are_known():
    project = load_project(Path(ROOT, "dashboards"), None)  # the guide's queries: dashboards/logs.py
    assert project.errors == []
    queries = project.log_queries
    assert [q.is_metric for q in queries] == [False, False, False, False, True, True]
    assert len({q.uid for q in queries}) == len(queries)
    assert [logql.check(q.expr) for q in queries] == [None] * len(queries)


def test_an_invalid_saved_query_is_refused_when_declared():
    with pytest.raises(DashboardError, match="saved query 'broken': not valid LogQL: unknown pipeline stage"):
        LogQuery("broken", "Broken", "A broken query.", '{job="api"} | jsn', LOKI)
    with pytest.raises(DashboardError, match="uid 'Has Spaces' must be"):
        LogQuery("Has Spaces", "x", "y", '{job="api"}', LOKI)


@pytest.mark.parametrize("query", [
    'sum by (level, $group) (count_over_time({job="$job"} |= "$search" [$__auto]))',
    'sum(rate({job=~"${job:regex}"}[$__interval])) > $threshold',
    'topk($n, sum by (path) (rate({job="api"} | json | status >= $code [$__rate_interval])))',
])
def test_grafana_variables_in_logql_are_substituted_where_they_stand(query):
    from publisher.querylang import promql

    assert logql.check(promql.substitute(query)) is None, promql.substitute(query)


def test_a_comment_before_the_selector_is_still_a_log_query():
    assert not logql.is_metric_query('# errors\n{job="api"} |= "error"')
    assert logql.is_metric_query('# rate\nsum(rate({job="api"}[5m]))')
