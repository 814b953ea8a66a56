"""`dash rollback --env E --to REF` against the emulator, on the legacy /api (11.6) and on /apis (12.x, 13.x).

Each test publishes a small project from a real git repository: commit A, then commit B with a changed
dashboard and a new one, so that the version dash published from each commit is in Grafana's history.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.gitinfo import default_message, marked, published_from
from publisher.handlers.dashboard_words import normalise
from publisher.rollback.history import DIRTY, OTHER, PUBLISH, RESTORE, UNKNOWN, origin

from .conftest import TOKEN

PROJECT = "rollback-tests"


class Repo:
    """A project in a git repository of its own: dashboards in boards/, dash.yaml pointing at the emulator."""

    def __init__(self, path: Path, url: str) -> None:
        self.path = path
        (path / "boards").mkdir()
        (path / "dash.yaml").write_text(
            f"project: {PROJECT}\ndashboards: boards\nenvironments:\n  test:\n    url: {url}\n"
            "    token: {env: DASH_TEST_TOKEN}\n    folder: Monitoring\n    retries: 2\n")
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", "-c", "user.email=a@b", "-c", "user.name=A", *args], cwd=self.path,
                              check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def board(self, uid: str, expr: str = "sum(up)") -> None:
        (self.path / "boards" / f"{uid}.py").write_text(
            "from publisher.sdk import Dashboard, Datasource, stat\n"
            "PROM = Datasource('Prometheus', 'prometheus', 'prometheus')\n"
            f"d = Dashboard('{uid.title()}', uid='{uid}', folder='Team', datasource=PROM)\n"
            f"d.row('R', stat('Up', {expr!r}, unit='short', description='Targets up.'))\n")

    def commit(self, subject: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", subject)
        return self.git("rev-parse", "HEAD")

    def dash(self, *args: str):
        from publisher.cli import main

        return CliRunner().invoke(main, list(args), catch_exceptions=True)


@pytest.fixture
def repo(tmp_path, grafana, monkeypatch):
    monkeypatch.setenv("DASH_TEST_TOKEN", TOKEN)
    monkeypatch.delenv("DASH_CONFIG", raising=False)
    monkeypatch.delenv("DASH_DASHBOARDS", raising=False)
    monkeypatch.chdir(tmp_path)
    return Repo(tmp_path, grafana.url)


def _published(repo: Repo, grafana) -> tuple[str, dict, str]:
    """Publish A (alpha, beta), then B (alpha changed, gamma new); (sha of A, alpha as Grafana held it at A,
    sha of B)."""
    repo.board("alpha")
    repo.board("beta")
    a = repo.commit("A: alpha and beta")
    assert repo.dash("publish", "--env", "test").exit_code == 0
    alpha_at_a = grafana.dashboard("alpha")
    repo.board("alpha", 'sum(up{job="api"})')
    repo.board("gamma")
    b = repo.commit("B: alpha by job, gamma")
    published = repo.dash("publish", "--env", "test")
    assert published.exit_code == 0, published.output
    assert normalise(grafana.dashboard("alpha")) != normalise(alpha_at_a)
    return a, alpha_at_a, b


def test_rollback_to_previous_restores_the_first_publish_and_a_publish_after_it_is_no_drift(repo, grafana):
    _, alpha_at_a, _ = _published(repo, grafana)
    beta_version = grafana.dashboard("beta")["version"]

    result = repo.dash("rollback", "--env", "test", "--to", "previous")
    assert result.exit_code == 0, result.output
    assert normalise(grafana.dashboard("alpha")) == normalise(alpha_at_a)
    assert grafana.dashboard("beta")["version"] == beta_version  # unchanged since A: not written
    assert grafana.dashboard("gamma") is not None  # created at B: listed, deleted only with --prune
    assert "1 dashboard(s) did not exist at" in result.output and "(gamma); --prune deletes them" in result.output
    assert "Rolled back test to" in result.output and "1 restored, 0 deleted" in result.output
    saved = grafana.grafana.org(1).dashboards["alpha"].versions[0].message
    if grafana.grafana.mode.name == "11.6":  # Grafana's restore, whose message is Grafana's
        assert saved == "Restored from version 1"
    else:  # /apis: the version's spec saved, with dash's message and mark
        assert saved.startswith("dash rollback to ") and "[dash sha256:" in saved

    # The code is still at B: diff shows B's change again, as a plain update, not as drift.
    plan = json.loads(repo.dash("diff", "--env", "test", "--output", "json").output)
    pending = {c["uid"]: c for c in plan["changes"] if c["action"] != "unchanged"}
    assert list(pending) == ["alpha"]
    assert "drift" not in pending["alpha"]
    assert any('sum(up{job="api"})' in d or "job" in d for d in pending["alpha"]["details"])
    again = repo.dash("publish", "--env", "test")  # and a publish after the rollback is not refused
    assert again.exit_code == 0, again.output
    assert "1 updated" in again.output and "0 refused" in again.output


@pytest.mark.parametrize("form", ["short sha", "full sha", "tag"])
def test_rollback_to_a_commit_in_any_form_and_prune_deletes_what_came_after(repo, grafana, form):
    a, alpha_at_a, _ = _published(repo, grafana)
    repo.git("tag", "v1", a)
    ref = {"short sha": a[:8], "full sha": a, "tag": "v1"}[form]

    result = repo.dash("rollback", "--env", "test", "--to", ref, "--prune", "--output", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["to"]["sha"] == a
    assert {r["uid"]: (r["action"], r["result"]) for r in report["results"]} == {
        "alpha": ("update", "ok"), "gamma": ("delete", "ok")}
    assert normalise(grafana.dashboard("alpha")) == normalise(alpha_at_a)
    assert grafana.dashboard("gamma") is None
    assert repo.dash("diff", "--env", "test", "--output", "json").exit_code == 2  # the code is at B


def test_a_dashboard_not_republished_at_ref_comes_back_from_an_ancestor(repo, grafana):
    _, alpha_at_a, _ = _published(repo, grafana)
    (repo.path / "README").write_text("docs only\n")
    c = repo.commit("C: docs only")  # published nothing new; alpha's version from C is A's
    assert repo.dash("publish", "--env", "test").exit_code == 0
    result = repo.dash("rollback", "--env", "test", "--to", c, "--dry-run")
    assert result.exit_code == 0, result.output  # at C everything is as B published it
    assert "0 to update" in result.output
    repo.git("checkout", "-q", "-b", "side", c + "~2")  # A
    result = repo.dash("rollback", "--env", "test", "--to", "HEAD", "--dry-run")
    assert result.exit_code == 2 and "~ update    dashboard   alpha" in result.output
    assert normalise(grafana.dashboard("alpha")) != normalise(alpha_at_a)  # a dry run


def test_a_ui_edit_since_the_last_publish_is_refused_unless_forced(repo, grafana):
    _, alpha_at_a, _ = _published(repo, grafana)

    def edit(dashboard):
        dashboard["panels"][-1]["title"] = "Edited in the UI"

    grafana.edit_dashboard("alpha", edit, user="alice")
    refused = repo.dash("rollback", "--env", "test", "--to", "previous")
    assert refused.exit_code == 1
    assert "refused" in refused.output and "changed in Grafana since dash published it" in refused.output
    assert "Edited in the UI" in json.dumps(grafana.dashboard("alpha"))
    unknown = repo.dash("rollback", "--env", "test", "--to", "previous", "--force", "alhpa")
    assert unknown.exit_code == 1 and "--force 'alhpa' (did you mean 'alpha'?)" in unknown.output
    forced = repo.dash("rollback", "--env", "test", "--to", "previous", "--force", "alpha")  # as --force alone
    assert forced.exit_code == 0, forced.output
    assert normalise(grafana.dashboard("alpha")) == normalise(alpha_at_a)


def test_other_projects_and_unmanaged_dashboards_are_never_touched(repo, grafana):
    from .grafana_emulator import User

    org = grafana.grafana.org(1)
    for uid, tags in (("theirs", ["dash-managed", "dash-project:other"]), ("hand-made", [])):
        for title in ("first", "second"):
            status, _ = grafana.grafana.save_dashboard(org, User("bob"), {
                "dashboard": {"uid": uid, "title": title, "tags": tags, "version": 1 if title == "second" else 0},
                "message": "dash publish of 0000000 (x) [dash sha256:0123456789abcdef]", "overwrite": True})
            assert status == 200
    _published(repo, grafana)
    before = {uid: grafana.dashboard(uid) for uid in ("theirs", "hand-made")}
    grafana.reset_counts()
    result = repo.dash("rollback", "--env", "test", "--to", "previous", "--prune", "--output", "json")
    assert result.exit_code == 0, result.output
    assert {r["uid"] for r in json.loads(result.output)["results"]} == {"alpha", "gamma"}
    assert {uid: grafana.dashboard(uid) for uid in before} == before
    assert "theirs" not in result.output and "hand-made" not in result.output


def test_dry_run_shows_the_plan_in_publish_words_and_writes_nothing(repo, grafana):
    _published(repo, grafana)
    grafana.reset_counts()
    result = repo.dash("rollback", "--env", "test", "--to", "previous", "--dry-run", "--prune")
    assert result.exit_code == 2, result.output
    assert grafana.writes() == 0
    assert "~ update    dashboard   alpha" in result.output
    assert "panel 'Up': query A:" in result.output  # the diff words of a publish
    assert "- delete    dashboard   gamma" in result.output
    assert "Plan: 0 to create, 1 to update, 1 to delete, 1 unchanged." in result.output


def test_a_rollback_after_a_rollback_changes_nothing(repo, grafana):
    _published(repo, grafana)
    assert repo.dash("rollback", "--env", "test", "--to", "previous").exit_code == 0
    grafana.reset_counts()
    again = repo.dash("rollback", "--env", "test", "--to", "previous")
    assert again.exit_code == 0, again.output
    assert grafana.writes() == 0  # `previous` is still the first publish: restores are not publishes


def test_versions_that_name_only_a_short_sha_are_matched(repo, grafana):
    repo.board("alpha")
    a = repo.commit("A")
    old = f"dash publish of {a[:7]} (A)"  # what dash wrote before the full-sha mark
    assert repo.dash("publish", "--env", "test", "-m", old).exit_code == 0
    alpha_at_a = grafana.dashboard("alpha")
    repo.board("alpha", "sum(up) by (job)")
    repo.commit("B")
    assert repo.dash("publish", "--env", "test").exit_code == 0
    result = repo.dash("rollback", "--env", "test", "--to", "previous")
    assert result.exit_code == 0, result.output
    assert normalise(grafana.dashboard("alpha")) == normalise(alpha_at_a)


def test_an_unknown_ref_or_no_repository_is_a_clear_error(repo, grafana):
    _published(repo, grafana)
    grafana.reset_counts()
    unknown = repo.dash("rollback", "--env", "test", "--to", "no-such-branch")
    assert unknown.exit_code == 1
    assert grafana.count() == 0  # git is asked first: a bad REF costs Grafana no request
    assert "error: --to no-such-branch: git knows no such commit" in unknown.output
    assert "Traceback" not in unknown.output and "internal error" not in unknown.output
    option = repo.dash("rollback", "--env", "test", "--to", "--all")
    assert option.exit_code in (1, 2) and "Traceback" not in option.output
    subprocess.run(["rm", "-rf", str(repo.path / ".git")], check=True)
    outside = repo.dash("rollback", "--env", "test", "--to", "previous", "--output", "json")
    assert outside.exit_code == 1
    error = json.loads(outside.stdout)["error"]
    assert error.startswith(f"--to previous: {repo.path} is not in a git repository; ")


def test_previous_needs_two_publishes(repo, grafana):
    repo.board("alpha")
    repo.commit("A")
    assert repo.dash("publish", "--env", "test").exit_code == 0
    result = repo.dash("rollback", "--env", "test", "--to", "previous")
    assert result.exit_code == 1
    assert "no publish before the newest" in result.output


# --- the messages, without a server -----------------------------------------------------------------------


def test_the_default_message_carries_the_full_sha_and_old_messages_are_read(tmp_path):
    assert published_from("dash publish of 1a2b3c4 (Fix (x)) [dash sha256:0123456789abcdef]").sha == "1a2b3c4"
    dirty = published_from("dash publish of 1a2b3c4 (s) + uncommitted changes [dash sha256:0123456789abcdef]")
    assert dirty is not None and dirty.dirty
    assert published_from("release 42 [dash sha256:0123456789abcdef]") is None
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.email=a@b", "-c", "user.name=A", "commit", "-q", "--allow-empty", "-m",
                    "x" * 300], cwd=tmp_path, check=True)
    message = default_message(tmp_path)
    full = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    found = published_from(message + " [dash sha256:0123456789abcdef]")
    assert found is not None and found.sha == full and not found.dirty
    assert len(message) < 500 - 31  # room for the hash mark within Grafana's 500 characters
    custom = marked("r" * 600, tmp_path)  # a --message gets the mark too, within the room the hash mark needs
    assert published_from(custom).sha == full and len(custom) <= 500 - 31
    (tmp_path / "f").write_text("x")
    subprocess.run(["git", "add", "f"], cwd=tmp_path, check=True)
    dirty = published_from(default_message(tmp_path))
    assert dirty is not None and dirty.sha == full and dirty.dirty


def test_each_version_says_where_it_came_from():
    mark = " [dash sha256:0123456789abcdef]"
    assert origin("dash publish of 1a2b3c4 (A)" + mark) == (PUBLISH, "1a2b3c4")
    assert origin("dash publish of 1a2b3c4 (A) + uncommitted changes" + mark) == (DIRTY, "1a2b3c4")
    assert origin("release 42" + mark) == (UNKNOWN, None)
    assert origin("Restored from version 3") == (RESTORE, None)
    assert origin("dash rollback to 1a2b3c4 (A)" + mark) == (RESTORE, None)
    assert origin("fixed the legend") == (OTHER, None)


def test_a_dashboard_whose_history_cannot_prove_it_absent_at_ref_is_never_pruned(repo, grafana):
    from .grafana_emulator import User

    repo.board("alpha")
    a = repo.commit("A")
    assert repo.dash("publish", "--env", "test").exit_code == 0
    org = grafana.grafana.org(1)
    status, _ = grafana.grafana.save_dashboard(org, User("ci"), {  # ours, but published with --message
        "dashboard": {"uid": "hotfix", "title": "Hotfix", "tags": ["dash-managed", f"dash-project:{PROJECT}"]},
        "message": "hotfix [dash sha256:0123456789abcdef]"})
    assert status == 200
    result = repo.dash("rollback", "--env", "test", "--to", a, "--prune")
    assert result.exit_code == 0, result.output
    assert grafana.dashboard("hotfix") is not None
    assert "hotfix: left as it is" in result.output and "published with --message" in result.output


class _Commits:
    """Commits in a line, oldest first, as git would answer for them; others unknown to the repository."""

    def __init__(self, *line: str) -> None:
        self.line = line

    def at_or_before(self, sha: str, target: str) -> bool | None:
        return None if sha not in self.line else self.line.index(sha) <= self.line.index(target)

    def full(self, sha: str) -> str | None:
        return sha if sha in self.line else None


def _history(*versions: tuple[int, str, str], complete: bool = True, uid: str = "d", created: str = ""):
    from publisher.model import LiveDashboard
    from publisher.rollback.history import History, Version

    live = LiveDashboard(uid, "D", versions[0][0], "", "General", "", "", {})
    return History(live, tuple(Version(n, created, kind, sha) for n, kind, sha in versions), complete)


@pytest.mark.parametrize("versions, target, complete, expected", [
    ([(3, PUBLISH, "c"), (2, PUBLISH, "b"), (1, PUBLISH, "a")], "b", True, ("restore", 2)),
    ([(3, PUBLISH, "c"), (1, PUBLISH, "a")], "b", True, ("restore", 1)),  # not republished at b: a's version
    ([(2, DIRTY, "a"), (1, PUBLISH, "a")], "a", True, ("restore", 1)),  # uncommitted content is never chosen
    ([(1, PUBLISH, "c")], "b", True, ("after", None)),
    ([(9, PUBLISH, "c")], "b", False, ("unproven", None)),  # older versions pruned by Grafana
    ([(2, PUBLISH, "c"), (1, UNKNOWN, None)], "b", True, ("unproven", None)),
    ([(1, PUBLISH, "f00d")], "b", True, ("unproven", None)),  # a commit this repository lacks
])
def test_the_version_from_ref_is_the_newest_from_ref_or_an_ancestor(versions, target, complete, expected):
    from publisher.rollback.choose import choose

    choice = choose(_history(*versions, complete=complete), target, _Commits("a", "b", "c"))
    assert (choice.status, choice.version.number if choice.version else None) == expected


def test_publishes_saved_in_the_same_second_are_ordered_by_the_versions_of_a_dashboard_both_wrote():
    from publisher.rollback.choose import publish_order

    second = "2026-11-26T16:05:12Z"  # the legacy list's resolution
    histories = [_history((2, PUBLISH, "b"), (1, PUBLISH, "a"), uid="alpha", created=second),
                 _history((1, PUBLISH, "a"), uid="beta", created=second)]
    assert publish_order(histories, _Commits("a", "b")) == ["b", "a"]
    assert publish_order(list(reversed(histories)), _Commits("a", "b")) == ["b", "a"]


def test_a_provisioning_directory_has_no_history_to_roll_back(repo):
    (repo.path / "dash.yaml").write_text(f"project: {PROJECT}\ndashboards: boards\nenvironments:\n  local:\n"
                                         "    directory: provisioning\n")
    result = repo.dash("rollback", "--env", "local", "--to", "previous")
    assert result.exit_code == 1
    assert "env local writes a provisioning directory, which keeps no version history" in result.output
