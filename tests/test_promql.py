"""PromQL checking with Grafana's variables substituted."""

from __future__ import annotations

import pytest

from publisher.querylang import promql


@pytest.mark.parametrize(
    "expr",
    [
        "sum(rate(http_requests_total[$__rate_interval])) by (endpoint)",
        "sum(rate(http_requests_total[$__interval]))",
        "increase(x_total[$__range])",
        'up{instance=~"$instance"}',
        'up{instance=~"${instance}"}',
        'up{instance=~"${instance:regex}"}',
        'up{instance=~"[[instance]]"}',
        "sum by ($group) (up)",
        "topk($n, up)",
        "up > $threshold",
        "rate(x_total[$window])",
        "max_over_time(up[$__range:$__interval])",
        "up offset $shift",
        'label_replace(up, "host", "$1", "instance", "(.*):.*")',
        "up * $__range_s",
        # a variable in a label list is a label name
        "sum by (a, $group) (up)",
        "histogram_quantile(0.9, sum by (le, $v) (rate(x_bucket[5m])))",
        "sum(up) without ($v, instance)",
        "a * on ($v) group_left ($w, b) c",
        "count(up) by ($__auto)",
        "rate(x[${__rate_interval}])",
        'sum(rate(x{job=~"${job:regex}", instance=~"${instance:pipe}"}[$__rate_interval])) by (job)',
        "rate(x[$__interval]) * $__interval_ms / 1000",
    ],
)
def test_variables_are_substituted_into_valid_promql(expr):
    assert promql.parse_error(expr) is None, promql.substitute(expr)


@pytest.mark.parametrize(
    "expr,message",
    [
        ("sum(rate(x[5m])", "unclosed"),
        ("rate(x[5x])", "5x"),
        ('up{job=~"(api"}', "regex"),
        ("frobnicate(up)", "frobnicate"),
        ("rate(up)", "matrix"),
        ("sum by (a, $v (up)", ""),  # a variable in a label list still needs the list closed
        ("sum(rate(x[$__rate_interval]) by (job)", "unclosed"),
    ],
)
def test_invalid_promql_is_reported(expr, message):
    error = promql.parse_error(expr)
    assert error is not None and message in error


def test_variable_names_are_found_in_every_syntax():
    text = 'a{x="$one"} ${two} ${three:csv} [[four]] [[five:regex]] "$1" $__interval'
    assert list(promql.variables(text)) == ["one", "two", "three", "four", "five", "__interval"]


@pytest.mark.parametrize(
    "query,ok",
    [
        ('label_values(up{job="node"}, instance)', True),
        ("label_values(instance)", True),
        ("query_result(topk(5, up))", True),
        ("label_values(up{job=, instance)", False),
        ("label_values(up, not a label)", False),
    ],
)
def test_variable_queries_are_checked(query, ok):
    assert (promql.variable_query_error(query) is None) == ok
