"""PromQL with Grafana's variables in it: find them, substitute them, parse the rest.

Grafana interpolates `$var`, `${var}`, `${var:format}` and `[[var]]` before a
query reaches Prometheus, so a raw dashboard expression is not PromQL. We
replace each variable by a stand-in that is valid where it stands (a duration
inside `[...]`, a string inside quotes, a label name in `by (...)` and the
other label lists, a number after an operator, a name elsewhere) and parse the
result with promql-parser.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterator

# Grafana's own pattern (public/app/features/variables/utils.ts, variableRegex).
VARIABLE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}")

#: Variables Grafana defines itself (docs: "Global variables").
GLOBALS = frozenset({
    "__interval", "__interval_ms", "__rate_interval", "__rate_interval_ms", "__range", "__range_s",
    "__range_ms", "__from", "__to", "__dashboard", "__name", "__org", "__user", "__timeFilter",
    "__all_variables", "__url_time_range", "__timezone", "__auto", "__data", "__field", "__series",
    "__value", "__cell",
})
_DURATIONS = frozenset({"__interval", "__rate_interval", "__range", "__auto"})
_NUMBERS = frozenset({"__interval_ms", "__rate_interval_ms", "__range_ms", "__range_s", "__from", "__to"})
_NUMERIC_CONTEXT = re.compile(
    r"(?:[-+*/%^<>=!,]|\b(?:topk|bottomk|limitk|quantile|histogram_quantile|quantile_over_time)\s*\()\s*$")
# Inside a label list (`by (a, $v)`, `on ($v) group_left ($w)`): a variable there is a label name.
_LABEL_LIST = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*$")


def variables(text: str) -> Iterator[str]:
    """Names of the variables used in `text`; `$1` (a regex back-reference) is not one."""
    for match in VARIABLE.finditer(text or ""):
        name = match.group(1) or match.group(2) or match.group(4)
        if name and not name.isdigit():
            yield name


def _context(expr: str, index: int) -> str:
    """Where `index` lies: "string", "range" (inside [...]) or "code"."""
    quote, depth = None, 0
    i = 0
    while i < index:
        ch = expr[i]
        if quote:
            if ch == "\\" and quote != "`":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'`":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        i += 1
    if quote:
        return "string"
    return "range" if depth else "code"


def substitute(expr: str) -> str:
    """`expr` with every Grafana variable replaced by a stand-in valid in its place."""
    out, last = [], 0
    for match in VARIABLE.finditer(expr):
        name = match.group(1) or match.group(2) or match.group(4)
        if name.isdigit():
            continue
        where = _context(expr, match.start())
        before = expr[last:match.start()]
        if where == "string":
            stand_in = "x"
        elif where == "code" and _LABEL_LIST.search(expr[:match.start()]):
            stand_in = "dash_var_" + name
        elif where == "range" or name in _DURATIONS or re.search(r"\boffset\s*$", expr[:match.start()]):
            stand_in = "5m"
        elif name in _NUMBERS or _NUMERIC_CONTEXT.search(expr[:match.start()]):
            stand_in = "1"
        else:
            stand_in = "dash_var_" + name
        out.append(before + stand_in)
        last = match.end()
    out.append(expr[last:])
    return "".join(out)


def parse_error(expr: str) -> str | None:
    """None when `expr` (after substitution) is valid PromQL, else the parser's message."""
    import promql_parser

    try:
        promql_parser.parse(substitute(expr))
    except ValueError as exc:
        return str(exc) or "invalid PromQL"
    return None


_VARIABLE_QUERY = re.compile(r"^\s*(label_values|label_names|metrics|query_result)\s*\((.*)\)\s*$", re.S)


def variable_query_error(query: str) -> str | None:
    """Check a Prometheus variable query: label_values(metric, label), query_result(expr) and the like."""
    match = _VARIABLE_QUERY.match(query or "")
    if not match:
        return parse_error(query)  # Grafana also accepts a plain PromQL query here
    func, args = match.groups()
    if func == "query_result":
        return parse_error(args)
    if func == "label_values":
        parts = args.rsplit(",", 1)
        if len(parts) == 2:
            if not re.match(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*$", parts[1]):
                return f"label_values: {parts[1].strip()!r} is not a label name"
            return parse_error(parts[0])
        if not re.match(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*$", args):
            return f"label_values: {args.strip()!r} is not a label name"
    return None


@functools.lru_cache(maxsize=4096)
def _selectors(expr: str) -> tuple[Any, ...]:
    """The vector selectors of an expression, each parsed once for every check that reads them (empty when it
    does not parse)."""
    import promql_parser

    try:
        tree = promql_parser.parse(substitute(expr))
    except ValueError:
        return ()
    found: list[Any] = []

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            found.append(node)
        return True

    promql_parser.walk(tree, visit)
    return tuple(found)


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (empty when it does not parse)."""
    return {node.name for node in _selectors(expr) if node.name}


# Prometheus 3 stores the `le` of classic histograms and the `quantile` of summaries as floats: a scraped
# le="1" is kept as le="1.0" (3.0 migration guide, "le and quantile label values"). A matcher on the integer
# string then matches nothing (`=`), or everything (`!=`). Prometheus 2 keeps what the client exported: Go's
# client writes le="1", Python's le="1.0". So a query valid on both matches both: le=~"1|1.0".
_BUCKET_LABELS = ("le", "quantile")
_INTEGER = re.compile(r"^[+-]?\d+$")
_ALTERNATION = re.compile(r"^[\w.+\-|]*$")  # a plain list of alternatives, no regex syntax beyond `|`
_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}
FLOAT_BUCKETS = 'Prometheus 3 stores le and quantile as floats ("1.0"), which an integer string never matches'


def integer_bucket_matchers(expr: str) -> list[str]:
    """The `le`/`quantile` matchers of `expr` on integer strings (`le="1"`, `le=~"1|5"` without `1.0`, `5.0`),
    which Prometheus 3 no longer matches; empty when there are none or `expr` does not parse."""
    found: list[str] = []
    for node in _selectors(expr):
        for group in [node.matchers.matchers, *(node.matchers.or_matchers or [])]:
            for matcher in group:
                text = _integer_problem(matcher)
                if text and text not in found:
                    found.append(text)
    return found


def _integer_problem(matcher) -> str | None:
    if matcher.name not in _BUCKET_LABELS:
        return None
    op = _OPS.get(str(matcher.op).rsplit(".", 1)[-1], "=")
    value = matcher.value
    if op in ("=", "!="):
        bad = bool(_INTEGER.match(value))
    else:
        alternatives = value.split("|") if _ALTERNATION.match(value) else []
        bad = any(_INTEGER.match(a) and f"{a}.0" not in alternatives for a in alternatives)
    return f'{matcher.name}{op}"{value}"' if bad else None


def recording_rule_names(expr: str) -> set[str]:
    """The metrics `expr` selects that are named like recording rules (`level:metric:operations`: a colon)."""
    return {name for name in metric_names(expr) if ":" in name}
