"""What `dash init` writes: each relative path and its text, in the order it is printed."""

from __future__ import annotations

from pathlib import Path


def scaffold_files(directory: Path) -> dict[str, str]:
    """Every file of a new repository in `directory`, keyed by its POSIX path relative to it."""
    from ..config import _project  # the same slug dash.yaml's default project gets
    from .templates import ALERTS, DASH_YAML, DASHBOARD, GITIGNORE
    from .workflow import GITHUB_WORKFLOW

    return {
        "dash.yaml": DASH_YAML.format(project=_project(None, None, directory)),
        "dashboards/service.py": DASHBOARD,
        "alerts/service.py": ALERTS,
        ".gitignore": GITIGNORE,
        ".github/workflows/dash.yml": GITHUB_WORKFLOW,
    }


def in_the_way(directory: Path, files: dict[str, str]) -> list[str]:
    """The target paths that already exist (as a file, a directory or a link): init writes none then."""
    return [name for name in files if (directory / name).exists() or (directory / name).is_symlink()]


def write_all(directory: Path, files: dict[str, str]) -> None:
    """Write each file; exclusive creation, so a file that appeared since the check is never overwritten."""
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
