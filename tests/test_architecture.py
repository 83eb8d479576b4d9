"""Layering: the engine never imports Qt (import-linter contract from pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--config", str(REPO / "pyproject.toml")], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 kept, 0 broken" in out.stdout


def test_every_module_starts_with_a_docstring():
    import ast

    missing = []
    for path in (REPO / "desktop" / "mockloop").rglob("*.py"):
        if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None:
            missing.append(str(path.relative_to(REPO)))
    assert missing == []
