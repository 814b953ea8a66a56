"""`python -m publisher` is the same as `dash`."""

import importlib.util
import os
import sys

# `-m` puts the working directory first on sys.path, where a user's alerts.py or dashboards/ would shadow
# dash's own packages of those names. dash imports user files by path, so the directory is dropped, unless
# dash itself runs from this directory without being installed.
if sys.path and sys.path[0] in ("", os.getcwd()):
    cwd = sys.path.pop(0)
    if importlib.util.find_spec("provisioning") is None:
        sys.path.insert(0, cwd)

from .cli import main  # noqa: E402 - after the sys.path fix above

main(prog_name="dash")
