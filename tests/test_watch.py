"""`dash dev`: the loop driven by hand (no clock, no watcher), one round through the app, and the real command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from publisher.app import App
from publisher.watch import FileChanges, Session, Watched, changed, rounds, snapshot

from .conftest import run_cli


class _Done(Exception):
    """Ends a hand-driven FileChanges: the fake waker has no more events."""


class _Waker:
    """Each wait() runs the next edit (an "event"); arm() records the directories."""

    def __init__(self, *edits):
        self.edits = list(edits)
        self.armed: list[list[Path]] = []

    def arm(self, dirs):
        self.armed.append(dirs)

    def wait(self):
        if not self.edits:
            raise _Done
        self.edits.pop(0)()


def _collect(changes: FileChanges, limit: int = 10) -> list[list[str]]:
    out = []
    try:
        for found in changes:
            out.append(found)
            if len(out) == limit:
                break
    except _Done:
        pass
    return out


def test_rounds_build_once_then_once_per_change_set_until_stopped():
    seen = []

    def build(paths):
        seen.append(paths)
        return len(seen)

    assert list(rounds(iter([["a.py"], ["b.py", "c.py"]]), build)) == [1, 2, 3]
    assert seen == [[], ["a.py"], ["b.py", "c.py"]]
    seen.clear()
    assert list(rounds(iter([["a.py"], ["b.py"]]), build, stop=lambda n: n == 2)) == [1, 2]
    assert seen == [[], ["a.py"]]


def test_file_changes_yield_what_changed_and_ignore_events_that_changed_nothing(tmp_path):
    tree = tmp_path / "dashboards"
    (tree / "_helpers").mkdir(parents=True)
    a, b, config = tree / "a.py", tree / "b.py", tmp_path / "dash.yaml"
    a.write_text("one")
    config.write_text("dashboards: dashboards\n")
    watched = Watched(tree, frozenset({config}))
    waker = _Waker(
        lambda: a.write_text("two"),
        lambda: (tree / ".a.py.swp").write_text("editor"),  # an event, but no source changed: no round
        lambda: (tree / "__pycache__").mkdir(),
        lambda: b.write_text("new"),
        lambda: (config.write_text("x"), (tree / "_helpers" / "h.py").write_text("h")),
        lambda: os.replace(_written(tmp_path / "tmp", "three"), a),  # an editor's atomic save
        lambda: b.unlink(),
    )
    changes = FileChanges(lambda: watched, waker, quiet=0, sleep=lambda s: None)
    changes.prime()
    assert _collect(changes) == [[str(a)], [str(b)], sorted([str(config), str(tree / "_helpers" / "h.py")]),
                                 [str(a)], [str(b)]]
    assert waker.armed[0] == sorted([tmp_path, tree, tree / "_helpers"])


def _written(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_save_while_a_round_runs_is_the_next_round_without_waiting(tmp_path):
    (tmp_path / "a.py").write_text("one")
    watched = Watched(tmp_path)
    changes = FileChanges(lambda: watched, _Waker(), quiet=0, sleep=lambda s: None)
    changes.prime()
    (tmp_path / "a.py").write_text("saved during the first round")
    iterator = iter(changes)
    assert next(iterator) == [str(tmp_path / "a.py")]  # the waker was not asked: it has no event to give


def test_a_burst_of_writes_is_one_change_once_the_files_are_quiet(tmp_path):
    target = tmp_path / "a.py"
    target.write_text("0")
    writes = iter(["1", "12", "123"])
    sleeps = []

    def sleep(seconds):  # the editor keeps writing during the first three quiet periods
        sleeps.append(seconds)
        text = next(writes, None)
        if text is not None:
            target.write_text(text)

    changes = FileChanges(lambda: Watched(tmp_path), _Waker(lambda: target.write_text("first")), quiet=0.2,
                          sleep=sleep)
    changes.prime()
    assert _collect(changes) == [[str(target)]]
    assert sleeps == [0.2] * 4 and target.read_text() == "123"


def test_dash_yaml_naming_another_directory_is_not_every_file_added(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "a.py").write_text("a")
    (tmp_path / "two" / "b.py").write_text("b")
    before, after = snapshot(Watched(tmp_path / "one")), snapshot(Watched(tmp_path / "two"))
    assert changed(before, after) == []


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project made by `dash init`, as the working directory."""
    proc = run_cli("init", str(tmp_path / "p"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    monkeypatch.chdir(tmp_path / "p")
    monkeypatch.delenv("DASH_CONFIG", raising=False)
    monkeypatch.delenv("DASH_DASHBOARDS", raising=False)
    return tmp_path / "p"


def _session(env: str | None = None) -> Session:
    return Session(lambda: App(), Path("out"), env, clock=lambda: "12:00:00")


def test_a_round_publishes_a_good_build_to_a_directory_environment_and_not_a_broken_one(project):
    session = _session("local")
    first = session.build_once([])
    assert first.ok, first
    assert first.header == ("[12:00:00] started: built 1 dashboard (1 changed), 0 errors, 0 warnings; "
                            "published to local")
    assert first.lines[-1].text.startswith("Published to local: 3 created, 0 updated, 0 deleted")
    provisioned = project / "grafana/provisioning/dashboards/json/Services/service-overview.json"
    assert provisioned.is_file()

    module = project / "dashboards/service.py"
    good = module.read_text()
    module.write_text(good + "\nbroken = (\n")
    broken = session.build_once([str(module)])
    assert not broken.ok
    assert broken.header.startswith("[12:00:00] dashboards/service.py changed: ")
    assert broken.header.endswith(" errors, 0 warnings; not published to local (fix the errors first)")
    assert any("dashboards/service.py:" in line.text and "SyntaxError" in line.text for line in broken.lines)
    assert provisioned.is_file()  # a broken round writes nothing to the environment

    module.write_text(good.replace("Service overview", "Service overview (edited)"))
    fixed = session.build_once([str(module)])
    assert fixed.ok and fixed.header.endswith("; published to local"), fixed
    assert "Published to local: 0 created, 1 updated" in fixed.lines[-1].text
    assert "Service overview (edited)" in provisioned.read_text()


def test_a_round_publishes_to_a_server_through_the_engine_so_drift_is_refused(project, monkeypatch):
    from .conftest import TOKEN
    from .grafana_emulator import Emulator

    grafana = Emulator(mode="13.x").start()
    try:
        monkeypatch.setenv("DASH_TEST_TOKEN", TOKEN)
        (project / "dash.yaml").write_text(
            "project: p\ndashboards: dashboards\nenvironments:\n  dev:\n"
            f"    url: {grafana.url}\n    token: {{env: DASH_TEST_TOKEN}}\n    retries: 0\n"
            '    datasources:\n      prometheus: {url: "http://prometheus:9090"}\n')
        session = _session("dev")
        first = session.build_once([])
        assert first.ok and first.header.endswith("; published to dev"), first
        assert first.lines[-1].text.startswith("Published to dev: 3 created")  # folder, datasource, dashboard
        grafana.edit_dashboard("service-overview", lambda d: d.update(title="Alice's title"), user="alice")
        module = project / "dashboards/service.py"
        module.write_text(module.read_text().replace("Request rate", "Requests"))
        second = session.build_once([str(module)])
        assert not second.ok and second.header.endswith(
            "; not all published to dev (1 refused, 0 failed, 0 skipped)"), second
        assert any("refused: changed in Grafana since dash published it" in line.text for line in second.lines)
        assert grafana.dashboard("service-overview")["title"] == "Alice's title"  # nothing overwritten
    finally:
        grafana.stop()


def test_a_round_watches_the_project_files_a_module_read(project):
    data = project / "limits.json"
    data.write_text('{"latency": 0.5}')
    module = project / "dashboards/service.py"
    module.write_text(module.read_text() + "\nimport json, pathlib\nLIMITS = json.loads(pathlib.Path('limits.json')"
                      ".read_text())\n")
    session = _session()
    assert session.build_once([]).ok
    watched = session.watched()
    assert data.resolve() in watched.files and (project / "dash.yaml").resolve() in watched.files
    assert watched.tree == (project / "dashboards").resolve()


def test_an_unknown_environment_or_a_broken_dash_yaml_is_a_round_error_not_the_end(project):
    assert _session("nope").build_once([]).header.startswith("[12:00:00] started: not built: ")
    (project / "dash.yaml").write_text("dashboards: [\n")
    result = _session().build_once([])
    assert not result.ok and "not built" in result.header


# --- the real command, as a process ----------------------------------------------------------------

class _Dev:
    """`dash dev ARGS` running in `cwd`; its output (stdout and stderr) is read as it comes."""

    def __init__(self, cwd: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("DASH_CONFIG", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "publisher", "dev", *args], cwd=cwd, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, after: int = 0, timeout: float = 20) -> int:
        """The index of the first line from `after` on that contains `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index in range(after, len(self.lines)):
                if text in self.lines[index]:
                    return index
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r} after line {after} in:\n" + "\n".join(self.lines))

    def interrupt(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=20)
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def test_dash_dev_rebuilds_on_save_and_stops_cleanly_on_ctrl_c(project):
    dev = _Dev(project)
    try:
        at = dev.wait_for("watching ")
        assert "started: built 1 dashboard (1 changed), 0 errors, 0 warnings" in "\n".join(dev.lines[:at])
        module = project / "dashboards/service.py"
        module.write_text(module.read_text().replace('folder="Services"', 'folder="Platform"'))
        at = dev.wait_for("dashboards/service.py changed: built 1 dashboard (1 changed), 0 errors", at)
        assert (project / "out/Platform/service-overview.json").is_file()
        assert dev.interrupt() == 0
    finally:
        dev.kill()
    assert dev.lines[-1] == "dash dev: stopped by SIGINT"
    assert not any("Traceback" in line for line in dev.lines)


def test_dash_dev_survives_a_broken_module_and_publishes_the_fixed_one(project):
    provisioned = project / "grafana/provisioning/dashboards/json/Services/service-overview.json"
    dev = _Dev(project, "--env", "local")
    try:
        at = dev.wait_for("watching ")
        assert provisioned.is_file()
        module = project / "dashboards/service.py"
        good = module.read_text()
        module.write_text(good.replace("service.row(", "service.row((", 1))
        at = dev.wait_for("not published to local (fix the errors first)", at)
        assert dev.wait_for("dashboards/service.py:", at) > at  # the error, with its file and line
        module.write_text(good.replace("Service overview", "Service overview, fixed"))
        at = dev.wait_for("changed: built 1 dashboard (1 changed), 0 errors, 0 warnings; published to local", at)
        dev.wait_for("Published to local: 0 created, 1 updated", at)
        assert "Service overview, fixed" in provisioned.read_text()
        assert dev.interrupt() == 0
    finally:
        dev.kill()


def test_a_directory_removed_while_it_is_listed_is_no_crash(tmp_path, monkeypatch):
    """A checkout or an rm -r between listing the tree and reading a directory: its files are simply gone."""
    import publisher.watch as watch

    (tmp_path / "a.py").write_text("x = 1\n")
    gone = tmp_path / "_helpers"
    monkeypatch.setattr(watch, "tree_dirs", lambda watched: [tmp_path, gone])
    shot = snapshot(Watched(tmp_path))
    assert list(shot.below) == [str(tmp_path / "a.py")]
