"""The CI examples in docs/ci run commands that exist: every `dash ...` in them is parsed by the real CLI.

A renamed flag or a removed choice breaks these tests instead of somebody's pipeline. The diff
steps are also run with a stand-in `dash` that exits 0, 1 or 2, to show that only 1 fails them.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from publisher.cli import main

ROOT = Path(__file__).resolve().parent.parent
CI = ROOT / "docs" / "ci"
GITHUB = CI / "github-actions.yml"
GITLAB = CI / "gitlab-ci.yml"

# GitLab keywords that sit at the top level beside the jobs.
GITLAB_GLOBALS = {"stages", "default", "variables", "include", "workflow", "image", "services", "cache",
                  "before_script", "after_script"}
SHELL_KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "time", "exec", "command", "{"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
PUNCTUATION = set("();<>|&")


# --- a small shell reader: enough of sh to find the commands in a CI script ---------------------

def _substitutions(line: str) -> tuple[str, list[str]]:
    """Take each `$(...)` out of a line (its text is parsed as a script of its own)."""
    inner: list[str] = []
    out: list[str] = []
    i = 0
    while i < len(line):
        if line.startswith("$(", i):
            depth, j = 1, i + 2
            while j < len(line) and depth:
                depth += {"(": 1, ")": -1}.get(line[j], 0)
                j += 1
            if depth:
                raise ValueError(f"unclosed $( in {line!r}")
            inner.append(line[i + 2:j - 1])
            out.append("SUBST")
            i = j
        else:
            out.append(line[i])
            i += 1
    return "".join(out), inner


def simple_commands(script: str) -> list[list[str]]:
    """The simple commands of a script, as argument lists: split at newlines, `;`, `&&`, `||`, `|`,
    `&` and parentheses; line continuations joined; redirections and their targets, comments,
    leading `VAR=value` assignments and keywords (`if`, `then`...) dropped; `$(...)` read too."""
    commands: list[list[str]] = []
    for line in script.replace("\\\n", " ").splitlines():
        line, inner = _substitutions(line)
        for text in inner:
            commands += simple_commands(text)
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        current: list[str] = []
        skip = False
        for index, token in enumerate(tokens):
            if skip:  # a redirection's target
                skip = False
                continue
            if token and set(token) <= PUNCTUATION:
                if "<" in token or ">" in token:
                    skip = True
                    if current and current[-1].isdigit() and index and tokens[index - 1] == current[-1]:
                        current.pop()  # `2>`: the digit is the descriptor, not an argument
                    continue
                commands.append(current)
                current = []
                continue
            current.append(token)
        commands.append(current)
    found = []
    for words in commands:
        while words and (words[0] in SHELL_KEYWORDS or ASSIGNMENT.match(words[0])):
            words = words[1:]
        if words:
            found.append(words)
    return found


def dash_commands(script: str) -> list[list[str]]:
    """The arguments of each `dash` (or `python -m publisher`) command of a script."""
    found = []
    for words in simple_commands(script):
        if words[0] == "dash":
            found.append(words[1:])
        elif re.fullmatch(r"python3?(\.\d+)?", words[0]) and words[1:3] == ["-m", "publisher"]:
            found.append(words[3:])
    return found


# --- the check: click parses the arguments exactly as `dash` would, without running anything -----

def check_dash(args: list[str]) -> str | None:
    """The subcommand the arguments call (None for `dash --version`); click.UsageError if click refuses
    them: an unknown command or flag, a bad choice, an option without its value."""
    eager = {opt for param in main.params if param.is_eager for opt in param.opts}
    if args and args[0] in eager:  # --version, --help: they print and end the run; nothing to run them for
        return None
    ctx = main.make_context("dash", list(args), resilient_parsing=False)
    with ctx:
        # click >= 8.2 keeps the subcommand and its arguments in _protected_args (protected_args warns)
        protected = ctx._protected_args if hasattr(ctx, "_protected_args") else ctx.protected_args
        rest = [*protected, *ctx.args]
        if not rest:
            raise click.UsageError("no subcommand", ctx=ctx)
        name, cmd, sub_args = main.resolve_command(ctx, rest)
        assert name is not None and cmd is not None
        try:
            with cmd.make_context(name, sub_args, parent=ctx, resilient_parsing=False):
                pass
        except click.exceptions.Exit:
            pass
        return name


@pytest.fixture(autouse=True)
def _no_dash_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # DASH_ENV would satisfy a missing --env: the files must say it themselves.
    for name in ("DASH_ENV", "DASH_CONFIG", "DASH_DASHBOARDS", "DASH_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)


# --- reading the two files ----------------------------------------------------------------------

def load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), f"{path}: the top level is not a mapping"
    return doc


def github_on(doc: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True; GitHub reads it as "on".
    triggers = doc.get("on", doc.get(True))
    assert isinstance(triggers, dict), "`on:` must be a mapping of events"
    return triggers


def github_scripts(doc: dict[str, Any]) -> dict[str, list[str]]:
    return {name: [step["run"] for step in job["steps"] if "run" in step] for name, job in doc["jobs"].items()}


def gitlab_jobs(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: job for name, job in doc.items()
            if name not in GITLAB_GLOBALS and not str(name).startswith(".") and isinstance(job, dict)}


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def gitlab_scripts(doc: dict[str, Any]) -> dict[str, list[str]]:
    before = _lines(doc.get("default", {}).get("before_script", doc.get("before_script")))
    return {name: [*(_lines(job.get("before_script")) or before), *_lines(job.get("script")),
                   *_lines(job.get("after_script"))]
            for name, job in gitlab_jobs(doc).items()}


def all_dash(scripts: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    return {job: [args for script in texts for args in dash_commands(script)] for job, texts in scripts.items()}


# --- the shell reader and the checker themselves ------------------------------------------------

def test_reader_finds_commands_behind_shell_syntax() -> None:
    script = ("set +e; RC=1 dash diff --env prod --output markdown > diff.md 2>&1 && echo ok | tee x\n"
              'out="$(dash lint --strict)" # a comment: dash build\n'
              "dash publish \\\n  --env prod || exit 1\n"
              "if [ $rc -eq 2 ]; then python -m publisher envs; fi\n")
    assert dash_commands(script) == [
        ["diff", "--env", "prod", "--output", "markdown"],
        ["lint", "--strict"],
        ["publish", "--env", "prod"],
        ["envs"],
    ]


@pytest.mark.parametrize("command", [
    "dash diff --env prod --no-such-flag",
    "dash diff --env prod --output yaml",
    "dash diff --output markdown --env",  # --env takes a name
    "dash difff --env prod",
    "dash --no-such-global lint",
    "dash lint --output markdown",  # lint has text and json only
])
def test_checker_rejects_what_dash_would_refuse(command: str) -> None:
    [args] = dash_commands(command)
    with pytest.raises(click.UsageError):
        check_dash(args)


def test_checker_accepts_what_dash_takes() -> None:
    assert check_dash(["--no-cache", "diff", "--env", "prod", "--output", "markdown", "--prune", "-v"]) == "diff"
    assert check_dash(["publish", "--env=prod", "-m", "release"]) == "publish"
    assert check_dash(["--version"]) is None


# --- the examples -------------------------------------------------------------------------------

@pytest.mark.parametrize("path, scripts", [(GITHUB, github_scripts), (GITLAB, gitlab_scripts)],
                         ids=["github", "gitlab"])
def test_every_dash_command_in_the_examples_exists(path: Path, scripts: Any) -> None:
    found = all_dash(scripts(load(path)))
    called = set()
    for job, commands in found.items():
        for args in commands:
            try:
                called.add(check_dash(args))
            except click.UsageError as exc:
                pytest.fail(f"{path.name}: job {job}: `dash {shlex.join(args)}`: {exc.format_message()}")
    assert {"lint", "diff", "publish"} <= called, f"{path.name}: found only {sorted(map(str, called))}"
    # The diff and the publish are of the same environment, with the output the comment needs.
    assert ["diff", "--env", "prod", "--output", "markdown"] in [a for c in found.values() for a in c]
    publishes = {job for job, commands in found.items() for args in commands if args[:1] == ["publish"]}
    assert len(publishes) == 1, f"{path.name}: `dash publish` in jobs {sorted(publishes)}"


def test_github_workflow_structure() -> None:
    doc = load(GITHUB)
    triggers = github_on(doc)
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"]["branches"] == ["main"]
    assert doc["jobs"], "no jobs"
    for name, job in doc["jobs"].items():
        assert "runs-on" in job and isinstance(job.get("steps"), list) and job["steps"], f"job {name}"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"job {name}: a step is `uses` or `run`: {step}"
            if "uses" in step:  # pinned to a major version, never a moving branch
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]
            if "run" in step:  # secrets and expressions reach scripts through env: (no injection)
                assert "${{" not in step["run"], f"job {name}: an expression inside run: {step['run']!r}"
        uses = {step["uses"] for step in job["steps"] if "uses" in step}
        assert {"actions/checkout@v4", "actions/setup-python@v5"} <= uses, f"job {name}"
        setup = next(step for step in job["steps"] if step.get("uses") == "actions/setup-python@v5")
        assert setup["with"]["python-version"] == "3.11"  # a string: unquoted, YAML reads 3.10 as 3.1


def test_github_diff_comments_and_publish_runs_only_on_main() -> None:
    jobs = load(GITHUB)["jobs"]
    diff_job, publish_job = jobs["diff"], jobs["publish"]
    assert diff_job["if"] == "github.event_name == 'pull_request'"
    assert diff_job["permissions"]["pull-requests"] == "write"
    comment = next(step["run"] for step in diff_job["steps"] if "gh pr comment" in step.get("run", ""))
    assert "--edit-last" in comment and "|| gh pr comment" in comment
    assert "GH_TOKEN" in next(step for step in diff_job["steps"] if step.get("run") == comment)["env"]
    # Publish: pushes to main only, one at a time, never cancelled half way.
    assert "github.event_name == 'push'" in publish_job["if"] and "github.ref == 'refs/heads/main'" in publish_job["if"]
    assert publish_job["concurrency"]["group"] and publish_job["concurrency"]["cancel-in-progress"] is False
    for job in (diff_job, publish_job):
        dash_steps = [s for s in job["steps"] if re.search(r"dash (diff|publish)", s.get("run", ""))]
        assert dash_steps and all(s["env"]["GRAFANA_TOKEN"] == "${{ secrets.GRAFANA_TOKEN }}" for s in dash_steps)


def test_gitlab_pipeline_structure() -> None:
    doc = load(GITLAB)
    jobs = gitlab_jobs(doc)
    assert set(jobs) == {"lint", "diff", "publish"}
    for name, job in jobs.items():
        assert job["stage"] in doc["stages"] and job["script"], f"job {name}"
    for name in ("lint", "diff"):
        assert [rule["if"] for rule in jobs[name]["rules"]] == ['$CI_PIPELINE_SOURCE == "merge_request_event"']
    assert jobs["diff"]["artifacts"]["paths"] == ["diff.md"] and jobs["diff"]["artifacts"]["when"] == "always"
    # Publish: the default branch only, one at a time.
    [rule] = jobs["publish"]["rules"]
    assert "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" in rule["if"] and "merge_request_event" not in rule["if"]
    assert jobs["publish"]["resource_group"]
    # Tokens come from CI/CD settings, never from the file.
    assert not any("TOKEN" in key for key in (doc.get("variables") or {}))
    assert not any("TOKEN" in key for job in jobs.values() for key in (job.get("variables") or {}))


def test_examples_hold_no_secret() -> None:
    # Grafana service-account tokens, old API keys and GitLab tokens start with these.
    for path in (GITHUB, GITLAB, CI / "README.md"):
        text = path.read_text(encoding="utf-8")
        for prefix in ("glsa_", "eyJrIjoi", "glpat-", "ghp_", "github_pat_"):
            assert prefix not in text, f"{path.name}: {prefix}"


def test_ci_sets_every_env_reference_of_prod() -> None:
    # Each {env: NAME} of dash.yaml's prod environment must be set in the GitHub diff and publish steps.
    def refs(value: Any) -> set[str]:
        if isinstance(value, dict):
            own = {value["env"]} if set(value) == {"env"} else set()
            return own.union(*(refs(v) for v in value.values()))
        return set().union(*(refs(v) for v in value)) if isinstance(value, list) else set()

    needed = refs(yaml.safe_load((ROOT / "dash.yaml").read_text(encoding="utf-8"))["environments"]["prod"])
    for job in load(GITHUB)["jobs"].values():
        for step in job["steps"]:
            if re.search(r"dash (diff|publish)", step.get("run", "")):
                assert needed <= set(step["env"]), f"unset: {sorted(needed - set(step['env']))}"


# --- the exit statuses: the diff step passes on 0 and 2 and fails on anything else ---------------

def _fake_dash(tmp_path: Path) -> dict[str, str]:
    """A `dash` first on PATH that prints a diff and exits with $FAKE_DASH_RC."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dash"
    fake.write_text('#!/bin/sh\necho "$@" >> "$FAKE_DASH_LOG"\n[ -n "$FAKE_DASH_SILENT" ] || echo "### dash diff"\n'
                    'exit "$FAKE_DASH_RC"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAFANA", "MR_NOTE", "GITHUB"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", FAKE_DASH_LOG=str(tmp_path / "log"))
    return env


def _run(script: str, tmp_path: Path, env: dict[str, str], rc: int,
         silent: bool = False) -> subprocess.CompletedProcess[str]:
    file = tmp_path / "step.sh"
    file.write_text(script)
    # GitHub's `shell: bash` is `bash --noprofile --norc -eo pipefail`; GitLab's runner sets -eo pipefail too.
    env = {**env, "FAKE_DASH_RC": str(rc), "FAKE_DASH_SILENT": "1" if silent else ""}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(file)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=30)


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


@needs_bash
@pytest.mark.parametrize("rc, passes, changes", [(0, True, "false"), (2, True, "true"), (1, False, None),
                                                 (130, False, None)])
def test_github_diff_step_treats_2_as_success(tmp_path: Path, rc: int, passes: bool, changes: str | None) -> None:
    [step] = [s for s in load(GITHUB)["jobs"]["diff"]["steps"] if "dash diff" in s.get("run", "")]
    assert step["shell"] == "bash"
    env = _fake_dash(tmp_path)
    env["GITHUB_OUTPUT"] = str(tmp_path / "output")
    proc = _run(step["run"], tmp_path, env, rc)
    assert (proc.returncode == 0) is passes, proc.stdout + proc.stderr
    if passes:
        assert (tmp_path / "output").read_text() == f"changes={changes}\n"
        assert (tmp_path / "diff.md").read_text() == "### dash diff\n"
    else:
        assert proc.returncode == rc
    assert (tmp_path / "log").read_text() == "diff --env prod --output markdown\n"


@needs_bash
@pytest.mark.parametrize("rc, passes", [(0, True), (2, True), (1, False), (130, False)])
def test_gitlab_diff_job_treats_2_as_success(tmp_path: Path, rc: int, passes: bool) -> None:
    script = "\n".join(_lines(gitlab_jobs(load(GITLAB))["diff"]["script"]))
    proc = _run(script, tmp_path, _fake_dash(tmp_path), rc)  # no MR_NOTE_TOKEN: the note is skipped
    assert (proc.returncode == 0) is passes, proc.stdout + proc.stderr
    if not passes:
        assert proc.returncode == rc
    assert (tmp_path / "diff.md").read_text() == "### dash diff\n"


@needs_bash
@pytest.mark.parametrize("has_comment", [True, False])
@pytest.mark.parametrize("size", [100, 70_000])
def test_github_comment_step_edits_or_creates(tmp_path: Path, has_comment: bool, size: int) -> None:
    [step] = [s for s in load(GITHUB)["jobs"]["diff"]["steps"] if "gh pr comment" in s.get("run", "")]
    env = _fake_dash(tmp_path)
    # A stand-in gh: --edit-last fails when the pull request has no comment of ours yet, as gh's does.
    gh = tmp_path / "bin" / "gh"
    gh.write_text('#!/bin/sh\necho "$@" >> "$FAKE_DASH_LOG"\n'
                  'case "$*" in *--edit-last*) [ -n "$HAS_COMMENT" ] || exit 1 ;; esac\n')
    gh.chmod(gh.stat().st_mode | stat.S_IXUSR)
    env.update(PR="7", HAS_COMMENT="1" if has_comment else "")
    (tmp_path / "diff.md").write_text("x" * size)
    proc = _run(step["run"], tmp_path, env, 0)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    calls = (tmp_path / "log").read_text().splitlines()
    edit, create = "pr comment 7 --edit-last --body-file comment.md", "pr comment 7 --body-file comment.md"
    assert calls == ([edit] if has_comment else [edit, create])
    body = (tmp_path / "comment.md").read_text()
    assert len(body) < 65_536 and (("truncated" in body) is (size > 60_000))


@needs_bash
@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_diff_step_fails_on_a_usage_error(tmp_path: Path, ci: str) -> None:
    # click exits 2 on a usage error too, with nothing on stdout: that 2 is not "changes".
    if ci == "github":
        [script] = [s["run"] for s in load(GITHUB)["jobs"]["diff"]["steps"] if "dash diff" in s.get("run", "")]
    else:
        script = "\n".join(_lines(gitlab_jobs(load(GITLAB))["diff"]["script"]))
    env = _fake_dash(tmp_path)
    env["GITHUB_OUTPUT"] = str(tmp_path / "output")
    proc = _run(script, tmp_path, env, 2, silent=True)
    assert proc.returncode == 2 and "usage error" in proc.stdout, proc.stdout + proc.stderr
    assert not (tmp_path / "output").exists()
