"""A wheel built with `pip wheel .` carries the question banks and runs from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_contains_banks_and_runs_elsewhere(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-w", str(dist), "-q"],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr
    [wheel] = dist.glob("mockloop-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "mockloop/banks/twitter-x.yaml" in names
    assert "mockloop/model_manifest.yaml" in names
    assert "mockloop/engine/models/registry.py" in names
    assert not any(n.startswith("tests/") for n in names)

    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True, timeout=600)
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target))
    where = subprocess.run([sys.executable, "-c", "import mockloop; print(mockloop.__file__)"], capture_output=True, text=True, env=env, cwd=elsewhere)
    assert where.stdout.strip().startswith(str(target))
    out = subprocess.run([sys.executable, "-m", "mockloop", "questions", "--json"], capture_output=True, text=True, env=env, cwd=elsewhere, timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["count"] >= 28 and doc["banks"][0]["file"].startswith(str(target))
    # The registry finds the manifest inside the installed package too.
    check = subprocess.run(
        [sys.executable, "-c", "from mockloop.engine.models import registry; print(registry.resolve('llm').source)"],
        capture_output=True, text=True, env=env, cwd=elsewhere, timeout=120,
    )
    assert check.stdout.strip() == "bundled", check.stderr
