"""Suppressed findings: a `# dash: ignore[...]` comment where a finding points, or dash.yaml's `lint:`.

Applied after the per-dashboard cache (lint/__init__.py), so the cache never holds a suppression:
editing a comment or dash.yaml changes the result at once. A suppressed finding is kept, marked
`suppressed`, and counted apart: it is no error and fails no `--strict` run. DASH000 (a module
that failed to load) is never suppressed: publishing without that module's dashboards would make
them look deleted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

import attrs

from .findings import Finding

COMMENT = re.compile(r"#\s*dash:\s*ignore\[\s*([A-Z0-9_]+(?:\s*,\s*[A-Z0-9_]+)*)\s*\]")
NEVER = frozenset({"DASH000"})


def comment_codes(line: str) -> frozenset[str]:
    """The codes a source line's `# dash: ignore[DASH050, DASH051]` comment names."""
    codes: set[str] = set()
    for match in COMMENT.finditer(line):
        codes.update(code.strip() for code in match.group(1).split(","))
    return frozenset(codes)


class _Lines:
    """Source lines by `file:line`, each file read once; a file that cannot be read has no comments."""

    def __init__(self) -> None:
        self.files: dict[str, list[str]] = {}

    def at(self, source: str | None) -> str:
        file, _, number = (source or "").rpartition(":")
        if not file.endswith(".py") or not number.isdigit():
            return ""  # a JSON file, or a dashboard-level source without a line
        if file not in self.files:
            try:
                self.files[file] = Path(file).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self.files[file] = []
        lines = self.files[file]
        return lines[int(number) - 1] if 0 < int(number) <= len(lines) else ""


def apply(findings: Iterable[Finding], settings: Any = None) -> list[Finding]:
    """`findings`, those that a comment or `settings` (config.LintSettings) suppresses marked so."""
    ignore = frozenset(getattr(settings, "ignore", ()))
    per_uid = getattr(settings, "per_uid", {}) or {}
    lines = _Lines()
    out = []
    for finding in findings:
        codes = ignore | per_uid.get(finding.uid or "", frozenset()) | comment_codes(lines.at(finding.source))
        if finding.code in codes and finding.code not in NEVER:
            finding = attrs.evolve(finding, suppressed=True)
        out.append(finding)
    return out
