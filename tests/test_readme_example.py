"""The README's first dashboard example is what a new user copies: on its own, in a repository of its own, it
lints clean (it imports nothing of this repository's, and its link to another dashboard is marked external)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT, run_cli


def test_the_readme_example_lints_clean_on_its_own(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Writing a dashboard"):]
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert "_shared" not in example
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "api.py").write_text(example)
    result = run_cli("lint", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "linted 1 dashboard: 0 errors, 0 warnings"
