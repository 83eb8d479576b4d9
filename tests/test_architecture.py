"""Layering: the engine never imports Qt, and the wings import only downwards (import-linter, pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENGINE = REPO / "desktop" / "mockloop" / "engine"
UI = REPO / "desktop" / "mockloop" / "ui"
MAX_LINES = 400


def lint(root: Path) -> subprocess.CompletedProcess:
    tool = Path(sys.executable).with_name("lint-imports")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root / "desktop")}
    return subprocess.run([str(tool), "--config", str(root / "pyproject.toml"), "--no-cache"], capture_output=True,
                          text=True, cwd=root, timeout=300, env=env)


def test_import_contracts_hold():
    out = lint(REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 kept, 0 broken" in out.stdout


def test_an_upward_import_between_wings_breaks_the_contract(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "desktop", copy / "desktop", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy)
    vad = copy / "desktop" / "mockloop" / "engine" / "speech" / "vad.py"
    vad.write_text(vad.read_text(encoding="utf-8") + "\nfrom mockloop.engine.interview import runner  # noqa\n", encoding="utf-8")
    out = lint(copy)
    assert out.returncode != 0
    assert "Engine wings import only downwards BROKEN" in out.stdout
    assert "mockloop.engine.speech.vad -> mockloop.engine.interview.runner" in out.stdout


def test_the_engine_is_all_wings():
    """No module sits at the top of engine/ beside its __init__, and every wing says what it holds."""
    assert sorted(p.name for p in ENGINE.glob("*.py")) == ["__init__.py"]
    for root in (ENGINE, UI):
        for wing in (p for p in root.iterdir() if p.is_dir() and p.name != "__pycache__"):
            init = wing / "__init__.py"
            assert init.is_file(), wing
            assert init.read_text(encoding="utf-8").strip().startswith('"""'), init
def test_no_module_is_over_the_size_limit():
    long = {str(p.relative_to(REPO)): n for p in (REPO / "desktop" / "mockloop").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_module_starts_with_a_docstring():
    import ast

    missing = []
    for path in (REPO / "desktop" / "mockloop").rglob("*.py"):
        if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None:
            missing.append(str(path.relative_to(REPO)))
    assert missing == []
