"""Benchmarks of dash: startup, build, lint, publish and memory, each against a baseline measured in
the same run. Not tests: `python -m bench` prints a table and writes a JSON file."""
