"""The import contracts in pyproject.toml ([tool.importlinter]) hold: engine never imports the UI,
packages import only downwards, no cycles. Each contract is its own test, failing with
import-linter's account of the imports that break it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONTRACTS = {
    "engine-ui-free": "forbidden",
    "engine-layers": "layers",
    "tui-layers": "layers",
    "no-cycles": "acyclic_siblings",
}


def lint(root: Path, contract: str) -> subprocess.CompletedProcess:
    """`lint-imports` on root/pyproject.toml for one contract, with root's packages first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    code = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache", "--no-logo", "--contract", contract, "pyproject.toml"],
        capture_output=True, text=True, cwd=root, env=env)


def test_pyproject_declares_every_contract():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert set(config["root_packages"]) == {"engine", "tui"}
    assert {c["id"]: c["type"] for c in config["contracts"]} == CONTRACTS


@pytest.mark.parametrize("contract", sorted(CONTRACTS))
def test_contract_is_kept(contract):
    out = lint(REPO, contract)
    if out.returncode != 0:
        pytest.fail(f"import contract {contract!r} is broken:\n{out.stdout}\n{out.stderr}", pytrace=False)
    assert "KEPT" in out.stdout and "BROKEN" not in out.stdout


def test_a_broken_contract_fails(tmp_path):
    """The runner above reports a violation: a UI import and a cycle in a throwaway package."""
    pkg = tmp_path / "core"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("import textual\nfrom core import b\n")
    (pkg / "b.py").write_text("from core import a\n")
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""\
        [tool.importlinter]
        root_packages = ["core"]
        include_external_packages = true

        [[tool.importlinter.contracts]]
        id = "ui-free"
        name = "core never imports textual"
        type = "forbidden"
        source_modules = ["core"]
        forbidden_modules = ["textual"]

        [[tool.importlinter.contracts]]
        id = "no-cycles"
        name = "no cycles"
        type = "acyclic_siblings"
        ancestors = ["core"]
        """))
    forbidden = lint(tmp_path, "ui-free")
    assert forbidden.returncode == 1 and "core.a -> textual" in forbidden.stdout, forbidden.stdout
    cycle = lint(tmp_path, "no-cycles")
    assert cycle.returncode == 1 and "No cycles are allowed in core." in cycle.stdout, cycle.stdout
