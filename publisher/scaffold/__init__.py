"""The files `dash init` writes, as string constants (no package data to declare; `templates.py`)."""
