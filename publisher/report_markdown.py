"""`--output markdown`: a plan (or a publish's results) as a pull-request comment.

The summary first; then what needs a reviewer's eye (refusals for drift, deletes); then one collapsible
section per changed dashboard with its words, and one list for the other kinds. Unchanged objects are
counted, never listed. The words are the same as the text output's, which never hold a secret's value
(datasources say which secret names changed, not what they are).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import CREATE, DELETE, UNCHANGED, UPDATE, Change, Force, Plan, forced
from .output import counted

if TYPE_CHECKING:
    from .app import Planned, Published

_VERB = {CREATE: "create", UPDATE: "update", DELETE: "**delete**", UNCHANGED: "unchanged"}


def _cell(text: str) -> str:
    """Text inside markdown: backticks, pipes and angle brackets would break the table or the HTML blocks."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _summary(plan: Plan, force: Force) -> str:
    counts = plan.counts()
    refused = plan.refusals(force)
    parts = [f"**{counts[CREATE]}** to create", f"**{counts[UPDATE]}** to update",
             f"**{counts[DELETE]}** to delete", f"{counts[UNCHANGED]} unchanged"]
    if refused:
        parts.append(f"**{refused} refused** (changed in Grafana)")
    return ", ".join(parts)


def _attention(plan: Plan, force: Force) -> list[str]:
    lines = []
    for change in plan.pending:
        if change.drift is not None and not (forced(force, change.uid) and change.drift.forceable):
            lines.append(f"- :warning: {change.kind} {_code(change.uid)}: {_cell(change.drift.describe())}")
        if change.action == DELETE:
            lines.append(f"- :wastebasket: deletes {change.kind} {_code(change.uid)} ({_cell(change.title)})")
    return (["", "**Needs attention**", "", *lines]) if lines else []


def _section(change: Change) -> list[str]:
    words = [f"- {_cell(w)}" for w in change.details] or ["- (no details)"]
    drift = [f"- :warning: {_cell(change.drift.describe())}"] if change.drift is not None else []
    if change.drift is not None and change.drift.edits:  # what the person did, apart from what publish would do
        drift += ["", f"Changed in Grafana by {_cell(change.drift.who or 'someone')}:", "",
                  *(f"- {_cell(edit)}" for edit in change.drift.edits)]
    return ["", "<details>", f"<summary>{_VERB[change.action]} dashboard <code>{_cell(change.uid)}</code> "
            f"{_cell(change.title)} ({counted(len(change.details), 'change')})"
            "</summary>", "", "What publish would do:", "", *words, *drift, "", "</details>"]


def plan_markdown(planned: "Planned", force: Force = False, title: str = "dash diff") -> str:
    plan = planned.plan
    lines = [f"### {title}: env `{planned.env.name}`", "", _summary(plan, force)]
    lines += _attention(plan, force)
    dashboards = [c for c in plan.pending if c.kind == "dashboard"]
    others = [c for c in plan.pending if c.kind != "dashboard"]
    for change in dashboards:
        lines += _section(change)
    if others:
        lines += ["", "**Other objects**", ""]
        lines += [f"- {_VERB[c.action]} {c.kind} {_code(c.uid)}" + (f": {_cell('; '.join(c.details))}"
                                                                      if c.details else "") for c in others]
    if plan.notes:
        lines += ["", *[f"> {_cell(note)}" for note in plan.notes]]
    return "\n".join(lines) + "\n"


def published_markdown(published: "Published", force: Force = False) -> str:
    from .report import totals

    counts = totals(published.outcomes, published.planned.plan)
    head = plan_markdown(published.planned, force, "dash publish")
    result = ", ".join(f"{n} {name}" for name, n in counts.items())
    failed = [o for o in published.outcomes if not o.ok]
    lines = ["", f"**Result:** {result}" + (f"; interrupted by {published.interrupted}" if published.interrupted
                                             else "")]
    lines += [f"- :x: {o.result} {o.change.kind} {_code(o.change.uid)}: {_cell(o.message)}" for o in failed]
    return head + "\n".join(lines) + "\n"
