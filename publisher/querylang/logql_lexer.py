"""LogQL's tokens: strings, durations, sizes, numbers, operators and names; spaces and `#` comments dropped."""

from __future__ import annotations

import re

import attrs

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\]|\\.)*"|`[^`]*`)
  | (?P<duration>\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y)(?:\d+(?:ns|us|µs|ms|s|m|h|d|w|y))*\b)
  | (?P<bytes>\d+(?:\.\d+)?(?:[KMGTPE]i?B|B)\b)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<op>\|=|\|~|\|>|!=|!~|!>|=~|==|>=|<=|[|{}()\[\],=<>+\-*/%^])
  | (?P<ident>[a-zA-Z_][a-zA-Z0-9_.]*)
    """,
    re.X,
)


class LogQLError(ValueError):
    """A query that is not valid LogQL; `position` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at column {position + 1})")
        self.position = position


@attrs.frozen
class Token:
    kind: str
    text: str
    pos: int


def tokens(query: str) -> list[Token]:
    out, pos = [], 0
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        if match is None:
            if query[pos] in "\"`":
                raise LogQLError(f"unterminated string starting with {query[pos]}", pos)
            raise LogQLError(f"unexpected character {query[pos]!r}", pos)
        kind = match.lastgroup
        if kind not in ("space", "comment"):
            out.append(Token(kind, match.group(), pos))
        pos = match.end()
    out.append(Token("end", "", len(query)))
    return out


def balanced(query: str) -> None:
    """Every bracket closed by its own kind, outside strings (a last net under the parser)."""
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for tok in tokens(query):
        if tok.text in "([{" and tok.kind == "op":
            stack.append(tok)
        elif tok.text in ")]}" and tok.kind == "op":
            if not stack or stack[-1].text != pairs[tok.text]:
                raise LogQLError(f"unbalanced {tok.text!r}", tok.pos)
            stack.pop()
    if stack:
        raise LogQLError(f"{stack[-1].text!r} is never closed", stack[-1].pos)
