"""`mockloop` with no command opens the window: a real process, painted on Qt's offscreen platform."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mockloop.engine.tools.bench import measure_startup


def test_the_app_launches_paints_its_window_and_quits_cleanly(tmp_path):
    report = tmp_path / "startup.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MOCKLOOP_STARTUP_REPORT": str(report),
           "MOCKLOOP_STARTUP_QUIT": "1", "MOCKLOOP_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "mockloop"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    seconds = json.loads(report.read_text(encoding="utf-8"))["visible_seconds"]
    assert seconds > 0  # measured from the process's own start; the figure itself is the benchmark's


def test_the_benchmark_reports_the_launch_time():
    doc = measure_startup(trials=1)
    assert doc["trials"] == 1 and doc["window_visible_s"] > 0
