"""`dash build`: files, determinism, atomic writes and the summary."""

from __future__ import annotations

import json
import os

import pytest

from publisher import output

from .conftest import FIXTURES, GUIDE_ALERTS, guide_repository, run_cli


def _tree(root):
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_build_writes_one_sorted_indented_file_per_dashboard(dash, tmp_path):
    (tmp_path / "dash.yaml").write_text(GUIDE_ALERTS)
    result = dash("build", "--out", "out")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.json") if not p.is_relative_to(out / "grafana"))
    assert files == [".dash-build.json", "Business/business-metrics.json", "Logs/saved-log-queries.json",
                     "Platform/api-performance.json", "Platform/grafana-com-1860.json", "Platform/slo-api.json",
                     "Platform/system.json"]
    raw = (tmp_path / "out/Platform/system.json").read_text()
    data = json.loads(raw)
    assert raw == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert "built 6 dashboards and 24 other files into out/" in result.output


def test_building_twice_in_separate_processes_is_byte_identical(tmp_path):
    # Different hash seeds: set and dict ordering must not leak into the files.
    guide_repository(tmp_path)
    (tmp_path / "dash.yaml").write_text(GUIDE_ALERTS)
    first = run_cli("build", "--out", "a", cwd=tmp_path, env={"PYTHONHASHSEED": "1"})
    second = run_cli("build", "--out", "b", cwd=tmp_path, env={"PYTHONHASHSEED": "4242"})
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_an_unchanged_rebuild_rewrites_nothing(dash, tmp_path):
    dash("build", "--out", "out")
    path = tmp_path / "out/Platform/system.json"
    before = path.stat().st_mtime_ns
    result = dash("build", "--out", "out", "--output", "json")
    summary = json.loads(result.output)
    assert [d["changed"] for d in summary["dashboards"]] == [False] * 6
    assert not any(f["changed"] for f in summary["files"])
    assert path.stat().st_mtime_ns == before


def test_json_summary_is_machine_readable(dash):
    result = dash("build", "--out", "out", "--output", "json")
    summary = json.loads(result.output)
    assert summary["ok"] is True and summary["errors"] == []
    assert {d["uid"]: d["panels"] for d in summary["dashboards"]} == {
        "business-metrics": 8, "api-performance": 12, "system": 11, "saved-log-queries": 6, "grafana-com-1860": 125,
        "slo-api": 8,
    }


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "d.json"
    target.write_bytes(b'{"old": true}\n')

    def interrupted(src, dst):
        raise KeyboardInterrupt  # as if the build were killed between write and rename

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.write_atomic(target, b'{"new": true}\n' * 1000)
    assert target.read_bytes() == b'{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]  # no temporary file left behind


def test_a_dashboard_removed_from_the_code_loses_its_file(dash, tmp_path):
    user = tmp_path / "mine"
    user.mkdir()
    module = (FIXTURES / "broken/good.py").read_text()
    (user / "one.py").write_text(module)
    (user / "two.py").write_text(module.replace("still-good", "second").replace("Still good", "Second"))
    assert dash("--dashboards", "mine", "build").exit_code == 0
    assert (tmp_path / "out/General/second.json").exists()
    (user / "two.py").unlink()
    result = dash("--dashboards", "mine", "build")
    assert result.exit_code == 0
    assert not (tmp_path / "out/General/second.json").exists()
    assert (tmp_path / "out/General/still-good.json").exists()
    assert "removed" in result.output


def test_duplicate_uids_fail_the_build_naming_both_places(dash):
    result = dash("--dashboards", str(FIXTURES / "lint/dash001_duplicate_uid.py"), "build")
    assert result.exit_code == 1
    assert "already used by" in result.output and "dash001_duplicate_uid.py:5" in result.output
