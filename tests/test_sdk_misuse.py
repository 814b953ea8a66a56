"""A corpus of SDK misuses (tests/fixtures/sdk_misuse): each module makes one mistake on the line marked
`# misuse`, and says in its `# expect:` comment what dash must answer. `dash build` must report each at
that line, with what was expected, without a traceback; the good module is still built."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import FIXTURES, run_cli

MISUSE = FIXTURES / "sdk_misuse"
BAD = sorted(p for p in MISUSE.glob("*.py") if p.name != "good.py")


def _marked(path):
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.rstrip().endswith("# misuse"))
    expect = next(text.split("# expect:", 1)[1].strip() for text in lines if text.startswith("# expect:"))
    return line, expect


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("misuse")
    proc = run_cli("--dashboards", str(MISUSE), "build", "--out", "out", cwd=tmp)
    return proc, tmp / "out"


def test_the_corpus_has_at_least_fifteen_misuses():
    assert len(BAD) >= 15


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_each_misuse_is_reported_at_its_line_with_what_was_expected(built, path):
    proc, _ = built
    output = proc.stdout + proc.stderr
    line, expect = _marked(path)
    reported = [text for text in output.splitlines() if re.search(rf"/{re.escape(path.name)}:\d+: ", text)]
    assert len(reported) == 1, output
    # DashboardError from the SDK's checks; TypeError from Python for a keyword no helper takes (with dash's hint)
    assert re.search(rf"/{re.escape(path.name)}:{line}: (DashboardError|TypeError): ", reported[0]), reported[0]
    assert expect in reported[0], reported[0]


def test_no_traceback_no_internal_error_and_the_good_module_is_built(built):
    proc, out = built
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert "Traceback" not in output and "internal error" not in output
    assert json.loads((out / "General" / "misuse-good.json").read_text())["uid"] == "misuse-good"


def test_a_call_in_a_helper_module_is_reported_at_the_helpers_line(tmp_path):
    (tmp_path / "boards").mkdir()
    (tmp_path / "boards" / "_panels.py").write_text(
        "from publisher.sdk import stat\n\n\ndef cpu():\n    return stat('CPU', 'up', unit=5)\n")
    (tmp_path / "boards" / "uses.py").write_text(
        "from _panels import cpu\nfrom publisher.sdk import Dashboard\n\nd = Dashboard('U', uid='u')\n"
        "d.row('R', cpu())\n")
    proc = run_cli("--dashboards", "boards", "build", "--out", "out", cwd=tmp_path)
    assert "boards/_panels.py:5: DashboardError: panel 'CPU' (stat): unit must be a string" in proc.stderr, proc.stderr
