"""The module cache: an unchanged module is not run again, and a cached load is exactly a fresh one."""

from __future__ import annotations

import pytest

from publisher.project import load_project

from .conftest import ROOT, run_cli

MODULE = """\
from publisher.sdk import Dashboard, Datasource, stat
{extra}
PROM = Datasource("Prometheus", "prometheus", "prometheus")
board = Dashboard({title}, uid="{uid}", folder="Team", datasource=PROM)
board.row("Row", stat("Up", "up", unit="short"))
"""


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DASH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _module(boards, uid, title='"Board"', extra=""):
    boards.mkdir(exist_ok=True)
    (boards / f"{uid}.py").write_text(MODULE.format(uid=uid, title=title, extra=extra))


def _load(boards, use_cache=None):
    project = load_project(boards, None, use_cache)
    return project, [(r.uid, r.source, r.encoded, r.datasources, r.panel_sources) for r in project.rendered]


def test_an_unchanged_project_is_read_from_the_cache_and_is_the_same(tmp_path, cache_dir):
    boards = tmp_path / "boards"
    for uid in ("one", "two", "three"):
        _module(boards, uid)
    fresh, fresh_out = _load(boards, use_cache=False)
    assert (fresh.cache_hits, fresh.cache_misses) == (0, 3) and not cache_dir.exists(), "--no-cache writes nothing"
    first, first_out = _load(boards)
    assert (first.cache_hits, first.cache_misses) == (0, 3)
    again, again_out = _load(boards)
    assert (again.cache_hits, again.cache_misses) == (3, 0)
    assert again_out == first_out == fresh_out
    assert again.datasources == fresh.datasources and again.errors == fresh.errors == []


def test_only_the_changed_module_runs_again(tmp_path, cache_dir):
    boards = tmp_path / "boards"
    for uid in ("one", "two"):
        _module(boards, uid)
    _load(boards)
    _module(boards, "two", title='"Renamed"')
    project, _ = _load(boards)
    assert (project.cache_hits, project.cache_misses) == (1, 1)
    assert [r.title for r in project.rendered] == ["Board", "Renamed"]
    assert len(list(next(cache_dir.glob("modules/*")).iterdir())) == 2, "the old entry of `two` was removed"


def test_a_changed_helper_data_file_or_variable_is_seen(tmp_path, cache_dir, monkeypatch):
    boards = tmp_path / "boards"
    (tmp_path / "boards").mkdir()
    (boards / "_shared.py").write_text("TITLE = 'From helper'\n")
    (tmp_path / "title.txt").write_text("From file")
    _module(boards, "helped", title="TITLE", extra="from _shared import TITLE")
    _module(boards, "filed", title="open(%r).read()" % str(tmp_path / "title.txt"))
    _module(boards, "env", title="os.environ.get('BOARD_TITLE', 'unset')", extra="import os")
    monkeypatch.setenv("BOARD_TITLE", "s3cr3t-title-value")

    def titles():
        project, _ = _load(boards)
        return project.cache_misses, sorted(r.title for r in project.rendered)

    assert titles() == (3, ["From file", "From helper", "s3cr3t-title-value"])
    assert titles()[0] == 0
    (boards / "_shared.py").write_text("TITLE = 'Helper changed'\n")
    assert titles() == (1, ["From file", "Helper changed", "s3cr3t-title-value"])
    (tmp_path / "title.txt").write_text("File changed")
    assert titles() == (1, ["File changed", "Helper changed", "s3cr3t-title-value"])
    monkeypatch.setenv("BOARD_TITLE", "another")
    assert titles() == (1, ["File changed", "Helper changed", "another"])
    monkeypatch.delenv("BOARD_TITLE")
    assert titles() == (1, ["File changed", "Helper changed", "unset"])
    stored = b"".join(p.read_bytes() for p in cache_dir.rglob("*") if p.is_file())
    assert b"s3cr3t-title-value" not in stored, "a variable's value is stored as a hash only"


def test_a_helper_imported_by_a_later_module_counts_for_it_too(tmp_path, cache_dir):
    """`late` imports _shared after `early` ran it: the helper is still one of `late`'s inputs."""
    boards = tmp_path / "boards"
    boards.mkdir()
    (boards / "_shared.py").write_text("TITLE = 'v1'\n")
    _module(boards, "early", title="TITLE", extra="from _shared import TITLE")
    _module(boards, "late", title="TITLE", extra="from _shared import TITLE")
    _load(boards)
    (boards / "_shared.py").write_text("TITLE = 'v2'\n")
    project, _ = _load(boards)
    assert project.cache_misses == 2 and {r.title for r in project.rendered} == {"v2"}


def test_failures_are_not_cached_and_warnings_are_replayed(tmp_path, cache_dir):
    boards = tmp_path / "boards"
    _module(boards, "noisy", extra="print('hello from the module')")
    (boards / "broken.py").write_text("raise RuntimeError('no')\n")
    first, _ = _load(boards)
    again, _ = _load(boards)
    assert (again.cache_hits, again.cache_misses) == (1, 1), "the broken module runs each time"
    assert [str(e) for e in again.errors] == [str(e) for e in first.errors] != []
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]
    assert "hello from the module" in str(again.warnings[0])


def test_a_corrupt_entry_is_a_miss(tmp_path, cache_dir):
    boards = tmp_path / "boards"
    _module(boards, "one")
    _, out = _load(boards)
    for entry in cache_dir.rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:40])
    project, again = _load(boards)
    assert project.cache_misses == 1 and again == out


def test_build_is_byte_identical_with_and_without_the_cache(tmp_path):
    """The guide's repository, built by fresh processes: cold cache, warm cache, --no-cache."""
    env = {"DASH_CACHE_DIR": str(tmp_path / "cache")}
    outs = []
    for at, extra in enumerate([[], [], ["--no-cache"]]):
        out = tmp_path / f"out{at}"
        result = run_cli(*extra, "--dashboards", str(ROOT / "dashboards"), "build", "--out", str(out), cwd=tmp_path,
                         env=env)
        assert result.returncode == 0, result.stderr
        outs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1] == outs[2] and len(outs[0]) > 5


def test_a_path_relative_to_the_working_directory_is_read_where_dash_runs(tmp_path, cache_dir, monkeypatch):
    boards = tmp_path / "boards"
    _module(boards, "rel", title="open('title.txt').read()")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "title.txt").write_text(f"From {name}")
    titles = []
    for name in ("a", "b", "a"):
        monkeypatch.chdir(tmp_path / name)
        titles.append(_load(boards)[0].rendered[0].title)
    assert titles == ["From a", "From b", "From a"]
