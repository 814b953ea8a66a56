"""`python -m publisher` is the same as `dash`."""

from .cli import main

main(prog_name="dash")
