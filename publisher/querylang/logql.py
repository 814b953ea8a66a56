"""A small LogQL checker: enough of Loki's grammar to catch what breaks a saved query.

No LogQL parser exists on PyPI and no Loki binary in our registries, so this
checks, offline: a stream selector is present and well formed; braces,
parentheses, brackets and quotes balance; every pipeline stage is one Loki
knows (line filters, parsers, label filters, formatting and label stages,
unwrap); range aggregations have a range and vector aggregations a body.
It does not evaluate regular expressions the way Go does, and it accepts some
queries Loki would reject at query time (type errors between stages).

Grammar (after Loki's docs, "LogQL: Log query language"):

    query       = metric | log
    log         = selector { stage }
    selector    = "{" matcher { "," matcher } "}"
    matcher     = label ( "=" | "!=" | "=~" | "!~" ) string
    stage       = line_filter | "|" pipe_stage
    line_filter = ( "|=" | "!=" | "|~" | "!~" | "|>" | "!>" ) string { "or" string }
    pipe_stage  = parser | label_filter | "line_format" string | "label_format" assignments
                | ("drop" | "keep") labels | "decolorize" | "unwrap" [conv "("] label [")"]
    metric      = range_agg | vector_agg | metric binop [bool] [matching] metric | number | "(" metric ")"
                | "label_replace" "(" metric "," string "," string "," string "," string ")"
                | "vector" "(" number ")"
    matching    = ("on" | "ignoring") labels [("group_left" | "group_right") [labels]]
    range_agg   = fn "(" log "[" duration "]" [offset] ")" [grouping]
    vector_agg  = agg [grouping] "(" [number ","] metric ")" [grouping]

`#` starts a comment to the end of the line, outside strings. The reference for all of this is
Loki's "LogQL reference" (grafana.com/docs/loki/latest/query/query_reference/): binary
operators with `bool`, vector matching with `on`/`ignoring` and `group_left`/`group_right`,
`label_replace()`, `vector()`, and "Comments".
"""

from __future__ import annotations

import attrs

from .logql_lexer import LogQLError, Token, balanced, tokens

__all__ = ["LogQLError", "Token", "check", "is_metric_query", "tokens"]

RANGE_FUNCTIONS = {
    "rate", "count_over_time", "bytes_rate", "bytes_over_time", "absent_over_time", "sum_over_time",
    "avg_over_time", "max_over_time", "min_over_time", "stdvar_over_time", "stddev_over_time",
    "quantile_over_time", "first_over_time", "last_over_time", "rate_counter",
}
AGGREGATIONS = {"sum", "avg", "min", "max", "stddev", "stdvar", "count", "topk", "bottomk", "sort", "sort_desc"}
PARSERS = {"json", "logfmt", "regexp", "pattern", "unpack", "unpacked"}
STAGES = PARSERS | {"line_format", "label_format", "drop", "keep", "decolorize", "unwrap"}
LINE_FILTERS = {"|=", "!=", "|~", "!~", "|>", "!>"}
MATCH_OPS = {"=", "!=", "=~", "!~"}
COMPARE_OPS = {"==", "!=", "=", ">", ">=", "<", "<=", "=~", "!~"}
BINARY_OPS = {"+", "-", "*", "/", "%", "^", "==", "!=", ">", ">=", "<", "<=", "and", "or", "unless"}
UNWRAP_CONVERSIONS = {"duration", "duration_seconds", "bytes"}

@attrs.define
class _Parser:
    toks: list[Token]
    i: int = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.toks[min(self.i + offset, len(self.toks) - 1)]

    def take(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def expect(self, text: str, what: str | None = None) -> Token:
        if self.tok.text != text:
            found = f"{self.tok.text!r}" if self.tok.kind != "end" else "the end of the query"
            raise LogQLError(f"expected {what or repr(text)}, found {found}", self.tok.pos)
        return self.take()

    def fail(self, message: str) -> LogQLError:
        return LogQLError(message, self.tok.pos)

    # --- log queries ---------------------------------------------------------------

    def selector(self) -> None:
        self.expect("{", "a stream selector such as {job=\"api\"}")
        if self.tok.text == "}":
            raise self.fail("a stream selector needs at least one label matcher, e.g. {job=\"api\"}")
        while True:
            if self.tok.kind != "ident":
                raise self.fail(f"expected a label name in the stream selector, found {self.tok.text!r}")
            self.take()
            if self.tok.text not in MATCH_OPS:
                ops = ", ".join(sorted(MATCH_OPS))
                raise self.fail(f"expected one of {ops} after the label, found {self.tok.text!r}")
            self.take()
            if self.tok.kind != "string":
                raise self.fail("a label matcher's value must be a quoted string")
            self.take()
            if self.tok.text == ",":
                self.take()
                continue
            self.expect("}", "',' or '}' to close the stream selector")
            return

    def pipeline(self) -> None:
        while True:
            text = self.tok.text
            if text in LINE_FILTERS:
                self.take()
                self.line_filter_value()
                while self.tok.text == "or":
                    self.take()
                    self.line_filter_value()
            elif text == "|":
                self.take()
                self.pipe_stage()
            else:
                return

    def line_filter_value(self) -> None:
        if self.tok.kind == "string":
            self.take()
        elif self.tok.kind == "ident" and self.peek().text == "(":  # ip("10.0.0.0/8")
            self.take()
            self.expect("(")
            if self.tok.kind != "string":
                raise self.fail("ip() takes a quoted string")
            self.take()
            self.expect(")")
        else:
            raise self.fail("a line filter needs a quoted string, e.g. |= \"error\"")

    def pipe_stage(self) -> None:
        tok = self.tok
        if tok.kind != "ident":
            raise self.fail(f"expected a pipeline stage after '|', found {tok.text!r}")
        name = tok.text
        nxt = self.peek()
        is_label_filter = nxt.text in COMPARE_OPS or (nxt.kind == "op" and nxt.text in {">", "<"})
        if name in STAGES and not is_label_filter:
            self.take()
            if name in ("regexp", "pattern", "line_format"):
                if self.tok.kind != "string":
                    raise self.fail(f"{name} takes a quoted string")
                self.take()
            elif name in ("json", "logfmt"):
                self.parser_params(name)
            elif name == "label_format":
                self.assignments(rename=True)
            elif name in ("drop", "keep"):
                self.label_list(name)
            elif name == "unwrap":
                self.unwrap()
            return
        if name in ("and", "or"):
            raise self.fail(f"'{name}' cannot start a pipeline stage")
        if not is_label_filter:
            known = ", ".join(sorted(STAGES - {"unpacked"}))
            raise self.fail(f"unknown pipeline stage {name!r}: expected a parser or stage ({known}) "
                            "or a label filter such as level=\"error\"")
        self.label_filter()

    def parser_params(self, name: str) -> None:
        while self.tok.text == "-" and self.peek().text == "-":
            self.take()
            self.take()
            if self.tok.kind != "ident":
                raise self.fail(f"expected a {name} flag such as --strict")
            self.take()
        if self.tok.kind == "ident" and self.peek().text == "=":
            self.assignments(rename=False)

    def assignments(self, rename: bool) -> None:
        while True:
            if self.tok.kind != "ident":
                raise self.fail("expected label=value")
            self.take()
            self.expect("=", "'=' in the assignment")
            if self.tok.kind == "string" or (rename and self.tok.kind == "ident"):
                self.take()
            else:
                raise self.fail("an assignment needs a quoted string (or, in label_format, a label)")
            if self.tok.text != ",":
                return
            self.take()

    def label_list(self, name: str) -> None:
        if self.tok.kind != "ident":
            raise self.fail(f"{name} takes a list of labels")
        while True:
            self.take()
            if self.tok.text in MATCH_OPS:
                self.take()
                if self.tok.kind != "string":
                    raise self.fail(f"{name}: a matcher needs a quoted string")
                self.take()
            if self.tok.text != ",":
                return
            self.take()
            if self.tok.kind != "ident":
                raise self.fail(f"{name} takes a list of labels")

    def unwrap(self) -> None:
        if self.tok.kind != "ident":
            raise self.fail("unwrap takes a label name")
        if self.tok.text in UNWRAP_CONVERSIONS and self.peek().text == "(":
            self.take()
            self.take()
            if self.tok.kind != "ident":
                raise self.fail("unwrap takes a label name")
            self.take()
            self.expect(")")
        else:
            self.take()

    def label_filter(self) -> None:
        self.label_comparison()
        while self.tok.text in ("and", "or", ","):
            self.take()
            self.label_comparison()

    def label_comparison(self) -> None:
        if self.tok.text == "(":
            self.take()
            self.label_filter()
            self.expect(")")
            return
        if self.tok.kind != "ident":
            raise self.fail(f"expected a label filter such as status>=500, found {self.tok.text!r}")
        self.take()
        op = self.tok.text
        if op not in COMPARE_OPS:
            raise self.fail(f"expected a comparison after the label, found {op!r}")
        self.take()
        if self.tok.kind in ("string", "number", "duration", "bytes"):
            if op in ("=~", "!~") and self.tok.kind != "string":
                raise self.fail(f"{op} needs a quoted regular expression")
            self.take()
        elif self.tok.kind == "ident" and self.peek().text == "(":  # ip("...")
            self.line_filter_value()
        else:
            raise self.fail("a label filter needs a value: a quoted string, a number, a duration or a size")

    def log_query(self) -> None:
        self.selector()
        self.pipeline()

    # --- metric queries ------------------------------------------------------------

    def labels(self, after: str) -> None:
        """A parenthesised list of label names, possibly empty: `(a, b)`."""
        self.expect("(", f"'(' after {after}")
        while self.tok.kind == "ident":
            self.take()
            if self.tok.text != ",":
                break
            self.take()
        self.expect(")", f"')' to close the labels of {after}")

    def grouping(self) -> None:
        if self.tok.text in ("by", "without"):
            self.labels(self.take().text)

    def matching(self) -> None:
        """What may follow a binary operator: `bool`, `on (...)` / `ignoring (...)`, `group_left (...)`."""
        if self.tok.text == "bool":
            self.take()
        if self.tok.text in ("on", "ignoring"):
            self.labels(self.take().text)
            if self.tok.text in ("group_left", "group_right"):
                name = self.take().text
                if self.tok.text == "(":
                    self.labels(name)

    def label_replace(self) -> None:
        self.take()
        self.expect("(", "'(' after label_replace")
        self.metric_query()
        for what in ("destination label", "replacement", "source label", "regular expression"):
            self.expect(",", f"',' and the {what} of label_replace")
            if self.tok.kind != "string":
                raise self.fail(f"label_replace takes the {what} as a quoted string")
            self.take()
        self.expect(")", "')' to close label_replace")

    def vector(self) -> None:
        self.take()
        self.expect("(", "'(' after vector")
        if self.tok.text == "-":
            self.take()
        if self.tok.kind != "number":
            raise self.fail("vector takes a number, e.g. vector(0)")
        self.take()
        self.expect(")", "')' to close vector")

    def range_aggregation(self) -> None:
        name = self.take().text
        self.expect("(", f"'(' after {name}")
        if name == "quantile_over_time":
            if self.tok.kind != "number":
                raise self.fail("quantile_over_time takes a quantile first, e.g. quantile_over_time(0.99, ...)")
            self.take()
            self.expect(",")
        self.log_query()
        self.expect("[", f"'[' and a range: {name} needs one, e.g. [5m]")
        if self.tok.kind != "duration":
            raise self.fail("expected a range such as 5m")
        self.take()
        self.expect("]", "']' to close the range")
        if self.tok.text == "offset":
            self.take()
            if self.tok.kind != "duration":
                raise self.fail("offset takes a duration")
            self.take()
        self.expect(")", f"')' to close {name}")
        self.grouping()

    def vector_aggregation(self) -> None:
        name = self.take().text
        self.grouping()
        self.expect("(", f"'(' after {name}")
        if name in ("topk", "bottomk"):
            if self.tok.kind != "number":
                raise self.fail(f"{name} takes a number first, e.g. {name}(5, ...)")
            self.take()
            self.expect(",")
        self.metric_query()
        self.expect(")", f"')' to close {name}")
        self.grouping()

    def metric_operand(self) -> None:
        tok = self.tok
        if tok.text == "(":
            self.take()
            self.metric_query()
            self.expect(")")
        elif tok.kind == "number" or (tok.text == "-" and self.peek().kind == "number"):
            if tok.text == "-":
                self.take()
            self.take()
        elif tok.kind == "ident" and tok.text in RANGE_FUNCTIONS:
            self.range_aggregation()
        elif tok.kind == "ident" and tok.text in AGGREGATIONS:
            self.vector_aggregation()
        elif tok.text == "label_replace" and self.peek().text == "(":
            self.label_replace()
        elif tok.text == "vector" and self.peek().text == "(":
            self.vector()
        elif tok.text == "{":
            raise self.fail("a log query cannot be combined with numbers; wrap it in count_over_time(...[5m])")
        elif tok.text in LINE_FILTERS or tok.text == "|":
            raise self.fail("a LogQL query starts with a stream selector such as {job=\"api\"}")
        else:
            raise self.fail(f"expected a metric expression, found {tok.text!r}")

    def metric_query(self) -> None:
        self.metric_operand()
        while self.tok.text in BINARY_OPS:
            self.take()
            self.matching()
            self.metric_operand()


def check(query: str) -> str | None:
    """None when `query` is valid LogQL as far as this checker knows; else what is wrong, and where."""
    if not isinstance(query, str) or not query.strip():
        return "the query is empty"
    try:
        parser = _Parser(tokens(query))
        if parser.tok.text == "{":
            parser.log_query()
        else:
            parser.metric_query()
        if parser.tok.kind != "end":
            raise parser.fail(f"unexpected {parser.tok.text!r} after a complete query")
        balanced(query)
    except LogQLError as exc:
        return str(exc)
    return None


def is_metric_query(query: str) -> bool:
    """A metric query (a number per series over time) rather than a log query (lines)."""
    try:
        return tokens(query)[0].text != "{"  # comments and spaces skipped
    except LogQLError:
        return not query.lstrip().startswith("{")
