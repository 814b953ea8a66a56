"""How results are shown: words and tables for people, JSON for CI. Nothing here decides anything."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Sequence, TextIO

from .model import CREATE, DELETE, UNCHANGED, UPDATE, Force, Outcome, Plan, forced

if TYPE_CHECKING:
    from .app import Planned, Published

SIGNS = {CREATE: "+", UPDATE: "~", DELETE: "-", UNCHANGED: "="}


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> list[str]:
    """The one plain-text table: upper-case headers, columns padded to their widest cell."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return lines


def plan_lines(plan: Plan, header: str, verbose: bool = False, force: Force = False,
               show_unchanged: bool = False, verb: str = "publish") -> list[str]:
    """The plan for people: each change with its words, drift and notes; unchanged objects only counted unless
    `show_unchanged` (a reviewer reads what changes; the count says the rest was looked at)."""
    lines = [header]
    if not plan.changes:
        lines.append("  (nothing declared)")
    shown = [c for c in plan.changes if show_unchanged or c.action != UNCHANGED or c.drift is not None or c.notes]
    width = max((len(c.uid) for c in shown), default=10)
    for change in shown:
        lines.append(f"  {SIGNS[change.action]} {change.action:<9} {change.kind:<11} {change.uid:<{width}}  "
                     f"{change.title}")
        for detail in change.details if change.action != UNCHANGED else ():
            lines.append(f"        {detail}")
        for note in change.notes:
            lines.append(f"        note: {note}")
        if change.drift is not None:
            consequence = ("--force overwrites it" if forced(force, change.uid) and change.drift.forceable
                           else f"{verb} refuses to overwrite it without --force")
            lines.append(f"        ! {change.drift.describe()}; {consequence}")
            who = change.drift.who or "someone"
            lines.extend(f"          {who} changed in Grafana: {edit}" for edit in change.drift.edits)
        if verbose and change.unified_diff:
            lines.extend("        " + line for line in change.unified_diff.splitlines())
    hidden = len(plan.changes) - len(shown)
    if hidden:
        lines.append(f"  ({hidden} unchanged, not listed: --show-unchanged lists them)")
    lines.extend(f"note: {note}" for note in plan.notes)
    lines.append(plan_summary(plan, force))
    return lines


_COLOURS = {"+": "green", "~": "yellow", "-": "red", "!": "red", "F": "red", "r": "red", "s": "yellow"}


def styled(line: str) -> str:
    """A plan or result line in colour (click drops the colour when the output is not a terminal)."""
    import click

    stripped = line.lstrip()
    colour = _COLOURS.get(stripped[:1]) if stripped[:2] in ("+ ", "~ ", "- ", "! ") or stripped.startswith(
        ("FAILED", "refused", "skipped")) else None
    return click.style(line, fg=colour) if colour else line


def plan_summary(plan: Plan, force: Force = False) -> str:
    """The plan's one line: every action counted, and the drift that publish would refuse."""
    counts = plan.counts()
    refused = plan.refusals(force)
    overwritten = counts["drift"] - refused
    return (f"Plan: {counts[CREATE]} to create, {counts[UPDATE]} to update, {counts[DELETE]} to delete, "
            f"{counts[UNCHANGED]} unchanged" + (f"; {refused} refused (changed in Grafana)" if refused else "")
            + (f"; {overwritten} to overwrite with --force" if overwritten else "") + ".")


def plan_json(planned: "Planned") -> dict[str, Any]:
    plan = planned.plan
    return {
        "env": planned.env.name,
        "url": planned.env.url or None,  # the Grafana URL; None for a provisioning directory
        "target": planned.target.description,
        "directory": str(planned.env.directory) if planned.env.directory is not None else None,
        "org_id": planned.env.org_id,
        "changes": [c.to_json() for c in plan.changes],
        "notes": plan.notes,
        "summary": plan.counts(),
        "changed": bool(plan.pending),
        "saved_queries_path": plan.saved_queries_path,
    }


def outcome_line(outcome: Outcome) -> str:
    change = outcome.change
    state = outcome.result if outcome.result != "failed" else "FAILED"
    version = f" (version {outcome.version})" if outcome.version is not None else ""
    text = f"{state:<8}{change.action:<8}{change.kind:<12}{change.uid}{version}"
    return text if outcome.ok else f"{text}: {outcome.message}"


def totals(outcomes: list[Outcome], plan: Plan) -> dict[str, int]:
    out = {"created": 0, "updated": 0, "deleted": 0, "unchanged": plan.counts()[UNCHANGED], "refused": 0,
           "failed": 0, "skipped": 0}
    for o in outcomes:
        if o.ok:
            out[{CREATE: "created", UPDATE: "updated", DELETE: "deleted"}[o.change.action]] += 1
        else:
            out[o.result] += 1
    return out


def result_lines(outcomes: list[Outcome], plan: Plan) -> list[str]:
    """One line per change made or not, in the plan's order, the ones that did not succeed gathered last."""
    order = {id(c): i for i, c in enumerate(plan.changes)}
    ranked = sorted(outcomes, key=lambda o: (not o.ok, order.get(id(o.change), len(order))))
    return [outcome_line(o) for o in ranked]


def summary_line(published: "Published") -> str:
    counts = totals(published.outcomes, published.planned.plan)
    retries = getattr(getattr(published.planned.target, "http", None), "retries", 0)
    line = (f"Published to {published.planned.env.name}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['deleted']} deleted, {counts['unchanged']} unchanged, {counts['refused']} refused, "
            f"{counts['failed']} failed, {counts['skipped']} skipped" + (f" ({retries} retries)" if retries else "")
            + ".")
    if published.interrupted:
        line += (f" Interrupted by {published.interrupted}: the changes in flight finished, the {counts['skipped']}"
                 " not started were skipped; publish again to finish.")
    return line


def published_json(published: "Published") -> dict[str, Any]:
    counts = totals(published.outcomes, published.planned.plan)
    out = {**plan_json(published.planned), "results": [o.to_json() for o in published.outcomes], "totals": counts,
           "ok": published.ok}
    if published.interrupted:
        out["interrupted"] = published.interrupted
    http = getattr(published.planned.target, "http", None)
    if http is not None:
        limit = http.write_limit
        out["retries"] = http.retries
        out["write_concurrency"] = {"ceiling": limit.ceiling, "lowest": limit.lowest, "final": limit.limit}
    return out


def _same_file(one: TextIO, other: TextIO) -> bool:
    try:
        a, b = os.fstat(one.fileno()), os.fstat(other.fileno())
    except (OSError, ValueError, AttributeError):  # a StringIO (tests), a closed stream
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


class Progress:
    """A progress bar on a terminal (rich), which also shows each failure as it happens; without a terminal, a
    line per object on stderr as it completes (a CI log shows the run is alive), nothing for JSON (`quiet`).
    The results themselves are printed once, in plan order, at the end (`result_lines`); `seen` keeps those
    that came, for a run cut short."""

    def __init__(self, total: int, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() and not quiet
        # stdout and stderr into one log (CI's `2>&1`): the live lines would repeat the results printed at the end.
        self.quiet, self.total = quiet or (not self.tty and _same_file(self.stream, sys.stderr)), total
        self.seen: list[Outcome] = []
        self._bar = None
        if self.tty and total:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("publishing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            TextColumn("{task.description}"), transient=True)
            self._task = self._bar.add_task("", total=total)
            self._bar.start()

    def __call__(self, outcome: Outcome) -> None:
        self.seen.append(outcome)
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=f"{outcome.change.kind} {outcome.change.uid}")
            if not outcome.ok:
                self._bar.console.print(outcome_line(outcome))
        elif not self.quiet:
            print(f"  [{len(self.seen)}/{self.total}] {outcome_line(outcome)}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
