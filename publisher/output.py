"""Every byte dash writes goes through here: the JSON and YAML encodings, content hashes, atomic writes.

One encoding of each format, so that a file, a manifest, a diff and a hash of
the same data always agree; and one way to write a file, so that a reader or
an interrupted run never sees half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

TEMP_SUFFIX = ".tmp"
STALE_TEMP_SECONDS = 60  # a temp file older than this belongs to a run that was killed


def counted(n: int, word: str, plural: str | None = None) -> str:
    """'1 dashboard', '2 dashboards': every count dash prints goes through here."""
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def json_bytes(obj: Any) -> bytes:
    """The one JSON encoding of files: sorted keys, 2-space indent, UTF-8, final newline.

    orjson, because the json module falls back to its pure-Python encoder
    whenever `indent` is set, and encoding was most of a build's time.
    """
    import orjson

    return orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def canonical(obj: Any) -> str:
    """A compact, sorted encoding for hashing and comparing (not for files)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(obj: Any) -> str:
    """A short, stable hash of data, recorded where dash marks what it published."""
    return hashlib.sha256(canonical(obj).encode()).hexdigest()[:16]


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def yaml_text(data: Any, header: str | None = None) -> str:
    """Deterministic YAML that reads like a hand-written file.

    Keys keep the order the data gives them, multi-line strings are literal
    blocks, short lists of plain values sit on one line, nothing is wrapped,
    and the same data always gives the same text.
    """
    import yaml

    text = yaml.dump(data, Dumper=_dumper(), sort_keys=False, default_flow_style=False, width=1 << 16,
                     allow_unicode=True)
    return (f"# {header}\n" if header else "") + text


_DUMPER: Any = None


def _dumper() -> Any:
    """Built on first use, so that importing this module does not import PyYAML."""
    global _DUMPER
    if _DUMPER is None:
        import yaml

        class Dumper(yaml.SafeDumper):
            def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
                return super().increase_indent(flow, False)  # list items under their key, as people write them

        def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
            style = "|" if "\n" in value else None
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

        def sequence(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
            short = all(isinstance(v, (str, int, float)) and "\n" not in str(v) for v in value)
            flow = bool(value) and short and len(", ".join(map(str, value))) <= 60
            return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)

        Dumper.add_representer(str, text)
        Dumper.add_representer(list, sequence)
        _DUMPER = Dumper
    return _DUMPER


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` through a temporary file and a rename.

    Returns False, writing nothing, when the file already holds exactly `data`,
    so that an unchanged build keeps its files' timestamps. We do not fsync:
    that only matters on power loss, and a build can always be run again.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True


def remove_stale_temp_files(root: Path, now: float | None = None) -> list[Path]:
    """Temp files of `write_atomic` left by a killed run (older than a minute), removed."""
    now = time.time() if now is None else now
    removed = []
    if not root.is_dir():
        return removed
    for path in root.rglob(f".*{TEMP_SUFFIX}"):
        try:
            if path.is_file() and now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
