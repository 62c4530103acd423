"""The export tests: a package, so that their conftest does not take the name ``conftest`` from
tests/tui's when both folders are collected in one run (tests/tui imports names from its conftest)."""
