"""The shape of the code: packages that each do one job, with no cycles and no reach upwards.

Every import is read from the source (function bodies included), so an import
hidden in a function cannot bring a cycle back.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from .conftest import ROOT

PACKAGES = ("publisher", "alerts", "provisioning")
APPLICATION = ("publisher.app", "publisher.cli", "publisher.engine", "publisher.handlers", "publisher.targets",
               "publisher.grafana", "publisher.config", "publisher.project", "publisher.build", "publisher.importer")
LIMIT_LINES = 400
LIMIT_FUNCTION = 60


def _product_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it, as absolute dotted names."""
    tree = ast.parse(path.read_text())
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    return {_module(p): _imports(p) for p in _product_files()}


def test_libraries_never_import_the_application():
    for module, imports in _graph().items():
        if module.split(".")[0] in ("alerts", "provisioning"):
            assert not [i for i in imports if i.split(".")[0] == "publisher"], module


def test_no_cycle_between_top_level_packages():
    edges: dict[str, set[str]] = defaultdict(set)
    for module, imports in _graph().items():
        top = module.split(".")[0]
        edges[top] |= {i.split(".")[0] for i in imports if i.split(".")[0] in PACKAGES and i.split(".")[0] != top}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})) for nxt in edges[start])

    assert [p for p in PACKAGES if reaches(p, p, set())] == []


def test_the_sdk_and_the_shared_rules_stay_below_the_application():
    for module, imports in _graph().items():
        if module.startswith(("publisher.sdk", "publisher.querylang", "publisher.dashboard_json", "publisher.output",
                              "publisher.loader")):
            upward = [i for i in imports if i.startswith(APPLICATION)]
            assert upward == [], (module, upward)


def test_the_products_code_never_imports_content():
    # The guide's dashboards are a directory the project names; its alerting is a file dash.yaml names.
    for module, imports in _graph().items():
        assert not [i for i in imports if i == "alerts.guide" or i.startswith(("dashboards", "_shared"))], module


def test_no_product_file_over_400_lines_and_no_function_over_60():
    long_files = [str(p.relative_to(ROOT)) for p in _product_files() if len(p.read_text().splitlines()) > LIMIT_LINES]
    assert long_files == []
    long_functions = []
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > LIMIT_FUNCTION:
                    long_functions.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long_functions == []


# The road a dashboard takes, lowest first: a module may import only from its own rank or below.
RANKS = [
    ("publisher.output", "publisher.dashboard_json", "publisher.secrets", "publisher.querylang", "publisher.loader",
     "publisher.interrupts", "publisher.cache", "publisher.oserror", "publisher.trace", "publisher.rendered",
     "publisher.module_cache", "publisher.dashboard_inputs",
     "publisher.model"),
    # The load migrations are rules of Grafana's model, used by the build (grafana.com files) as by import.
    ("publisher.sdk", "publisher.importer.migrate", "publisher.importer.angular", "publisher.importer.angular_stat"),
    ("publisher.config_values", "publisher.config_environment", "publisher.config", "publisher.grafana_com",
     "publisher.project"),
    ("publisher.render",),
    ("publisher.lint",),
    ("publisher.desired",),
    ("publisher.grafana",),
    ("publisher.handlers",),
    ("publisher.targets",),
    ("publisher.engine", "publisher.selection"),
    ("publisher.build", "publisher.gitinfo", "publisher.importer"),  # importer: below the CLI, above the project
    ("publisher.app", "publisher.rollback"),
    ("publisher.report", "publisher.report_markdown", "publisher.preview"),  # shows what the app returns
    ("publisher.watch", "publisher.watch_waker"),  # dash dev's loop and its ear: rounds of the app, shown by the CLI
    ("publisher.cli_common",),
    ("publisher.cli", "publisher.cli_publish", "publisher.cli_import", "publisher.cli_preview",
     "publisher.cli_rollback", "publisher.cli_init", "publisher.cli_watch", "publisher.scaffold", "publisher.__main__",
     "publisher"),
]


def _rank(module: str) -> int | None:
    best = None
    for rank, prefixes in enumerate(RANKS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (rank, len(prefix))
    return best[0] if best else None


def test_the_pipeline_never_walks_back():
    upward = []
    for module, imports in _graph().items():
        own = _rank(module)
        if own is None:
            continue
        for name in imports:
            rank = _rank(name) if name.startswith("publisher.") else None
            if rank is not None and rank > own:
                upward.append(f"{module} -> {name}")
    assert upward == []
