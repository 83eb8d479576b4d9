"""Run a candidate's code against a question's hidden tests in a separate, limited, offline process.

`run_tests` starts `harness.py` with this interpreter in a fresh temporary folder and its own session,
waits up to the wall-clock limit, then kills the whole process group, reads the harness's progress lines
and the captured output, and removes the folder. It blocks, keeps no global state (any thread may call it)
and never raises for anything the candidate's code does: every outcome is a `RunResult` with one sentence.

Interpreter flags: `-I` would imply `-E`, which ignores PYTHONHASHSEED, so string hashing (and the order of
a set of strings) would change from one Run to the next. The environment is built here from nothing, so
`-E` protects nothing: the flags are `-I` minus `-E` (`-s`, and `-P` where it exists), `-B`, and `-S`
(no site module: no .pth files, the app's own editable install among them; the harness adds the
site-packages folders this process uses, so numpy imports). See `measure_run_seconds` for the time.
"""

from __future__ import annotations

import json
import math
import os
import select
import signal
import site
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from mockloop.engine.coding.results import RunResult, RunStatus
from mockloop.engine.coding.verdict import Ending, judge, read_events

HARNESS = Path(__file__).with_name("harness.py")
FLAGS = ("-s", "-B", "-S") + (("-P",) if sys.version_info >= (3, 11) else ())
TRUNCATED = "\n… (output cut: only the first {n} characters are shown)"


@dataclass(frozen=True)
class Case:
    """One hidden test, as the bank states it."""

    name: str
    args: list  # positional arguments (JSON-able: lists, dicts, numbers, strings, None, bools)
    expected: Any = None  # the value to compare with, unless `check` is given
    check: str | None = None  # a Python expression over `result` and `args` that must be true
    tolerance: float | None = None  # numbers (also nested in lists/tuples) compared within this absolute tolerance
    unordered: bool = False  # compare the returned sequence with `expected` as a multiset (top level)

    @classmethod
    def of(cls, obj: Any) -> Case:
        """From a Case, a Mapping, or any object with these attributes (the bank's pydantic model)."""
        if isinstance(obj, Case):
            return obj
        if isinstance(obj, Mapping):
            get = obj.get
        else:
            def get(key, default=None):
                return getattr(obj, key, default)
        args = get("args", [])
        if isinstance(args, tuple):
            args = list(args)
        if not isinstance(args, list):
            raise ValueError(f"Test {get('name', '')!r}: args must be a list of positional arguments, "
                             f"not {type(args).__name__}.")
        tolerance = get("tolerance")
        return cls(name=str(get("name", "") or ""), args=args, expected=get("expected"), check=get("check") or None,
                   tolerance=None if tolerance is None else float(tolerance), unordered=bool(get("unordered", False)))


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 5.0  # wall clock for the whole run
    cpu_s: int = 5  # RLIMIT_CPU
    memory_mb: int = 1024  # RLIMIT_AS
    output_chars: int = 4000  # stdout/stderr each truncated to this


def run_tests(code: str, function: str, cases: Sequence[Case | Mapping | object],
              limits: Limits | None = None) -> RunResult:
    """Run `code` in a sandboxed process and call `function` on each case; blocking, thread-safe.

    Whatever the code does, the answer is a RunResult. A case the bank got wrong (args not a list,
    values that JSON cannot hold) raises ValueError before anything runs.
    """
    began = time.perf_counter()
    limits = limits or Limits()
    tests = _named([Case.of(c) for c in cases])
    spec_cases = [_case_spec(c) for c in tests]
    try:
        with tempfile.TemporaryDirectory(prefix="mockloop-run-", ignore_cleanup_errors=True) as tmp:
            folder = Path(tmp)
            spec = {"code": code, "function": function, "cases": spec_cases, "paths": _site_paths(),
                    "progress": str(folder / "progress.jsonl"),
                    "limits": {"cpu_s": limits.cpu_s, "memory_mb": limits.memory_mb,
                               "output_chars": limits.output_chars}}
            (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
            timed_out, returncode = _run_harness(folder, limits.timeout_s)
            stdout, cut_out = _read_output(folder / "stdout.txt", limits.output_chars)
            stderr, cut_err = _read_output(folder / "stderr.txt", limits.output_chars)
            events = read_events(_read_text(folder / "progress.jsonl"))
    except OSError as exc:
        return RunResult(RunStatus.UNAVAILABLE, f"The test runner could not start ({exc.strerror or exc}), "
                                                "so your code did not run.", seconds=time.perf_counter() - began)
    end = Ending(timed_out=timed_out, returncode=returncode, stdout=stdout, stderr=stderr,
                 truncated=cut_out or cut_err, seconds=time.perf_counter() - began, timeout_s=limits.timeout_s,
                 cpu_s=max(1, int(math.ceil(limits.cpu_s))), memory_mb=limits.memory_mb)
    return judge(events, function, tests, end)


def _named(cases: list[Case]) -> list[Case]:
    return [c if c.name else Case(f"test {i + 1}", c.args, c.expected, c.check, c.tolerance, c.unordered)
            for i, c in enumerate(cases)]


def _case_spec(case: Case) -> dict:
    spec = {"name": case.name, "args": case.args, "expected": case.expected, "check": case.check,
            "tolerance": case.tolerance, "unordered": case.unordered}
    try:
        json.dumps(spec)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Test {case.name!r} cannot be sent to the test process: its args and expected "
                         f"value must be JSON-able ({exc}).") from None
    return spec


def _site_paths() -> list[str]:
    """The site-packages folders of this interpreter, for the harness to add (-S skips site.py)."""
    paths = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    return [p for p in dict.fromkeys(paths) if os.path.isdir(p)]


def _environment(folder: Path) -> dict[str, str]:
    # Built from nothing: no PYTHONPATH or other setting leaks from the app.
    return {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(folder), "TMPDIR": str(folder),
            "LANG": "C.UTF-8", "PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8:backslashreplace",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}


def _run_harness(folder: Path, timeout_s: float) -> tuple[bool, int | None]:
    """Start the harness, wait for it up to `timeout_s`, kill its group; (timed out, return code)."""
    argv = [sys.executable, *FLAGS, str(HARNESS), str(folder / "spec.json")]
    # Output goes to files, not pipes: a flood cannot fill a pipe and block the process, nor need a reader thread.
    with open(folder / "stdout.txt", "wb") as out, open(folder / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(argv, cwd=folder, env=_environment(folder), stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, start_new_session=True, close_fds=True)
    try:
        finished = _wait_unreaped(proc.pid, timeout_s)
    finally:
        # The harness is not reaped yet, so its pid (the group's id) cannot belong to anyone else.
        _kill_group(proc.pid)
        proc.wait()
    return not finished, proc.returncode


def _wait_unreaped(pid: int, timeout_s: float) -> bool:
    """Wait until the process ends, leaving it a zombie; False when `timeout_s` passed first."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        return _poll_unreaped(pid, timeout_s)
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(max(0, int(timeout_s * 1000))))
    finally:
        os.close(fd)


def _poll_unreaped(pid: int, timeout_s: float) -> bool:
    # Where pidfd is missing (macOS, old kernels): ask without reaping, with a growing pause.
    deadline, pause = time.monotonic() + timeout_s, 0.001
    while True:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        except ChildProcessError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # already gone


def _read_text(path: Path, max_bytes: int = 16 * 2**20) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(max_bytes).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def _read_output(path: Path, limit: int) -> tuple[str, bool]:
    """The first `limit` characters of a captured stream, and whether there was more."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit * 4 + 4)  # enough bytes for `limit` UTF-8 characters and one more
            more_bytes = bool(handle.read(1))
    except FileNotFoundError:
        return "", False
    text = data.decode("utf-8", errors="replace")
    if len(text) > limit or more_bytes:
        return text[:limit] + TRUNCATED.format(n=limit), True
    return text, False


_BENCH_CODE = '''
def roc_auc(scores, labels):
    pairs = sorted(zip(scores, labels))
    pos = sum(labels)
    neg = len(labels) - pos
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        rank_sum += (i + j + 1) / 2 * sum(l for _, l in pairs[i:j])
        i = j
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)
'''
_BENCH_CASES = [Case("separable", [[0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]], 0.75),
                Case("perfect", [[0.1, 0.9], [0, 1]], 1.0),
                Case("all-equal scores", [[0.5, 0.5], [0, 1]], 0.5, tolerance=1e-9)]


def measure_run_seconds(repeats: int = 5) -> dict:
    """Run to result for a small passing solution (interpreter start included): median and min seconds,
    for plain Python and for code that imports numpy."""
    figures: dict[str, Any] = {"repeats": repeats, "flags": " ".join(FLAGS)}
    numpy_code = "import numpy as np\n" + _BENCH_CODE
    for label, code in (("", _BENCH_CODE), ("numpy_", numpy_code)):
        times = []
        for _ in range(max(1, repeats)):
            result = run_tests(code, "roc_auc", _BENCH_CASES)
            if result.status is not RunStatus.PASSED:
                figures[f"{label}error"] = result.summary
                break
            times.append(result.seconds)
        if times:
            figures[f"{label}median_s"] = round(statistics.median(times), 4)
            figures[f"{label}min_s"] = round(min(times), 4)
    return figures
