"""The coding sandbox against the real subprocess: passing, failing and hostile code each end in one clear result."""

from __future__ import annotations

import os
import select
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from mockloop.engine.coding.results import RunStatus
from mockloop.engine.coding.sandbox import Case, Limits, measure_run_seconds, run_tests

ROC_AUC = '''
def roc_auc(scores, labels):
    pos = [s for s, l in zip(scores, labels) if l == 1]
    neg = [s for s, l in zip(scores, labels) if l == 0]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))
'''
# Ties counted as losses: wrong on all-equal scores.
ROC_AUC_NO_TIES = ROC_AUC.replace(" + 0.5 * (p == n)", "")

CASES = [
    Case("separable", [[0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]], 0.75),
    Case("perfect", [[0.1, 0.9], [0, 1]], 1.0),
    Case("all-equal scores", [[0.5, 0.5], [0, 1]], 0.5),
]
# Short limits for the hostile programs, so a stuck run costs little.
SHORT = Limits(timeout_s=1.5, cpu_s=1, memory_mb=256)


def one_case(name: str = "only", args: list | None = None, expected=None, **kw) -> list[Case]:
    return [Case(name, [] if args is None else args, expected, **kw)]


def test_a_passing_solution_passes_every_test():
    result = run_tests(ROC_AUC, "roc_auc", CASES)
    assert result.status is RunStatus.PASSED, result.summary
    assert (result.passed, result.total) == (3, 3)
    assert result.summary.startswith("All 3 tests passed (") and result.summary.endswith(" s).")
    assert all(c.passed and c.error == "" and c.seconds >= 0 for c in result.cases)
    assert result.cases[0].input == "[0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]"
    assert result.seconds > 0


def test_a_failing_solution_names_the_first_failure_its_input_expected_and_got():
    result = run_tests(ROC_AUC_NO_TIES, "roc_auc", CASES)
    assert result.status is RunStatus.FAILED
    assert (result.passed, result.total) == (2, 3)
    first = result.first_failure
    assert (first.name, first.input, first.expected, first.got) == ("all-equal scores", "[0.5, 0.5], [0, 1]",
                                                                    "0.5", "0.0")
    assert result.summary == ("2 of 3 tests passed. First failure, \u201call-equal scores\u201d: "
                              "roc_auc([0.5, 0.5], [0, 1]) returned 0.0; expected 0.5.")


def test_an_exception_in_the_function_fails_that_case_with_its_type_message_and_line():
    code = "def mean(xs):\n    total = sum(xs)\n    return total / len(xs)\n"
    result = run_tests(code, "mean", [Case("some", [[1, 2, 3]], 2.0), Case("empty input", [[]], 0.0)])
    assert result.status is RunStatus.FAILED
    assert result.cases[0].passed
    failed = result.cases[1]
    assert failed.error == "ZeroDivisionError: division by zero (line 3)"
    assert failed.got == ""
    assert result.summary.endswith("mean([]) raised ZeroDivisionError: division by zero (line 3).")


def test_tolerance_applies_to_nested_numbers_and_numpy_results_compare_as_lists():
    code = "import numpy as np\ndef norm(v):\n    a = np.asarray(v, dtype=float)\n    return a / np.linalg.norm(a)\n"
    within = one_case("unit", [[3, 4]], [0.6, 0.8000001], tolerance=1e-6)
    assert run_tests(code, "norm", within).status is RunStatus.PASSED
    exact = one_case("unit", [[3, 4]], [0.6, 0.8000001])
    result = run_tests(code, "norm", exact)
    assert result.status is RunStatus.FAILED
    assert result.cases[0].got.startswith("array([0.6, 0.8])")
    pairs = "def pairs(n):\n    return [(i, i / 3) for i in range(n)]\n"
    assert run_tests(pairs, "pairs", one_case("thirds", [2], [[0, 0.0], [1, 0.3333]], tolerance=1e-3)).passed == 1


def test_results_compare_as_json_would_hold_them():
    code = ("def f(kind):\n    if kind == 'dict':\n        return {1: (2, 3)}\n    if kind == 'gen':\n"
            "        return (x * x for x in range(3))\n    return True\n")
    cases = [Case("int keys, tuple values", ["dict"], {"1": [2, 3]}), Case("a generator", ["gen"], [0, 1, 4]),
             Case("a bool is not a string", ["bool"], "True")]
    result = run_tests(code, "f", cases)
    assert [c.passed for c in result.cases] == [True, True, False]


def test_unordered_compares_as_a_multiset():
    code = "def top(xs, k):\n    return sorted(set(xs), key=lambda x: (-xs.count(x), x))[:k][::-1]\n"
    cases = [Case("any order", [["b", "a", "a", "b", "c"], 2], ["a", "b"], unordered=True),
             Case("order matters here", [["b", "a", "a", "b", "c"], 2], ["a", "b"])]
    result = run_tests(code, "top", cases)
    assert [c.passed for c in result.cases] == [True, False]
    dup = "def f():\n    return [1, 1, 2]\n"
    assert run_tests(dup, "f", one_case("counts matter", [], [1, 2, 2], unordered=True)).status is RunStatus.FAILED
    assert run_tests(dup, "f", one_case("floats", [], [2.0000001, 1, 1], unordered=True, tolerance=1e-6)).passed == 1


def test_a_check_expression_sees_result_and_the_original_args():
    code = "import random\ndef sample(xs, k):\n    random.shuffle(xs)\n    return xs[:k]\n"
    check = "len(result) == args[1] and set(result) <= set(args[0]) and args[0] == [1, 2, 3, 4, 5]"
    result = run_tests(code, "sample", one_case("any k of them", [[1, 2, 3, 4, 5], 3], check=check))
    assert result.status is RunStatus.PASSED, result.summary
    wrong = run_tests(code, "sample", one_case("k of them", [[1, 2, 3], 2], check="len(result) == 3"))
    assert wrong.status is RunStatus.FAILED
    assert wrong.cases[0].expected == "a result where len(result) == 3"
    assert "; expected a result where len(result) == 3." in wrong.summary


def test_an_infinite_loop_times_out_and_names_the_test():
    code = "def f(n):\n    if n > 1:\n        while True:\n            pass\n    return n\n"
    cases = [Case("small", [1], 1), Case("huge k", [10**9], 0), Case("after", [1], 1)]
    result = run_tests(code, "f", cases, SHORT)
    assert result.status is RunStatus.TIMEOUT
    assert "in test 2 (\u201chuge k\u201d): an endless loop, or too slow for this input." in result.summary
    assert result.summary.startswith("Your code was stopped after ")
    assert [c.passed for c in result.cases] == [True, False, False]
    assert result.cases[1].error.startswith("stopped after") and result.cases[2].error == "not run"


def test_an_infinite_loop_at_the_top_level_times_out_before_any_test():
    result = run_tests("while True:\n    pass\n", "f", CASES, SHORT)
    assert result.status is RunStatus.TIMEOUT
    assert "before any test ran" in result.summary


GROWING_LIST = "xs = []\n    while True:\n        xs.append(' ' * 10**6)"


@pytest.mark.parametrize("body", ["return bytearray(10**11)", GROWING_LIST])
def test_running_out_of_memory_is_reported_with_the_limit(body):
    code = f"def grow(n):\n    {body}\n"
    result = run_tests(code, "grow", one_case("huge", [2]), SHORT)
    assert result.status is RunStatus.MEMORY, result.summary
    assert result.summary == "Your code ran out of memory (the limit is 256 MB) in test 1 (\u201chuge\u201d)."


def test_memory_error_at_the_top_level_is_reported_before_any_test():
    result = run_tests("blob = bytearray(10**11)\ndef f():\n    return 1\n", "f", CASES, SHORT)
    assert result.status is RunStatus.MEMORY
    assert result.summary == "Your code ran out of memory (the limit is 256 MB) before any test ran."


def test_a_syntax_error_reports_its_line_and_message():
    code = "def f(x):\n    y = x +\n    return y\n"
    result = run_tests(code, "f", CASES)
    assert result.status is RunStatus.SYNTAX
    assert result.summary == "Line 2: invalid syntax, so no test ran."
    assert result.total == 3 and result.passed == 0
    unclosed = run_tests("def f(x):\n    return (x\n", "f", CASES)
    assert unclosed.summary == "Line 2: '(' was never closed, so no test ran."


@pytest.mark.parametrize("call, shown", [("sys.exit(0)", "sys.exit(0)"), ("sys.exit()", "sys.exit()"),
                                         ("exit(2)", "sys.exit(2)"), ("os._exit(3)", "os._exit(3)")])
def test_code_that_ends_the_process_is_reported_as_exited(call, shown):
    code = f"import os, sys\ndef f(*args):\n    {call}\n"
    result = run_tests(code, "f", CASES)
    assert result.status is RunStatus.EXITED, result.summary
    assert result.summary == (f"Your code ended the test process ({shown}) in test 1 (\u201cseparable\u201d), "
                              "so the other tests did not run.")
    assert [c.error for c in result.cases][1:] == ["not run", "not run"]


def test_sys_exit_at_the_top_level_is_reported_before_any_test():
    result = run_tests("import sys\nsys.exit(0)\n", "f", CASES)
    assert result.status is RunStatus.EXITED
    assert result.summary == "Your code ended the test process (sys.exit(0)) before any test ran."


def test_killing_the_parent_kills_the_harness_not_this_process():
    code = "import os\ndef f(*args):\n    os.kill(os.getppid(), 9)\n    return 0.75\n"
    result = run_tests(code, "f", CASES)
    assert result.status is RunStatus.CRASHED, result.summary
    assert result.summary == ("The test process was killed (signal 9, SIGKILL) during test 1; "
                              "does your code kill processes?")
    assert os.getpid() > 0  # still here: the kill hit the harness
    assert run_tests(ROC_AUC, "roc_auc", CASES).status is RunStatus.PASSED


def test_killing_itself_is_a_crash_too():
    code = "import os, signal\ndef f(*args):\n    os.kill(os.getpid(), signal.SIGSEGV)\n"
    result = run_tests(code, "f", CASES)
    assert result.status is RunStatus.CRASHED
    assert result.summary.startswith("The test process crashed (signal 11, SIGSEGV) during test 1")


def test_a_print_flood_is_truncated_with_a_marker():
    code = "import sys, os\ndef f(x):\n    for i in range(200000):\n        print('line', i)\n    return x\n"
    result = run_tests(code, "f", one_case("loud", [1], 1), Limits(output_chars=1000))
    assert result.status is RunStatus.PASSED, result.summary
    assert result.truncated
    assert result.stdout.startswith("line 0\nline 1\n")
    assert result.stdout.endswith("… (output cut: only the first 1000 characters are shown)")
    assert len(result.stdout) < 1100


def test_output_written_past_python_is_truncated_too():
    code = "import os\ndef f(x):\n    os.write(2, b'e' * 100000)\n    return x\n"
    result = run_tests(code, "f", one_case("raw", [1], 1), Limits(output_chars=500))
    assert result.status is RunStatus.PASSED
    assert result.truncated and result.stderr.startswith("e" * 500) and "output cut" in result.stderr


def test_stdout_and_stderr_are_captured():
    code = ("import sys\nprint('hello')\ndef f(x):\n    print('x is', x)\n    print('warn', file=sys.stderr)\n"
            "    return x\n")
    result = run_tests(code, "f", one_case("one", [7], 7))
    assert result.stdout == "hello\nx is 7\n"
    assert result.stderr == "warn\n"
    assert not result.truncated


def test_the_network_is_blocked_with_a_sentence():
    code = '''
import socket
def connect(host):
    try:
        socket.create_connection((host, 80), timeout=1)
    except OSError as exc:
        return "create: " + str(exc)
def raw(host):
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except OSError as exc:
        return "socket: " + str(exc)
def lookup(host):
    try:
        socket.getaddrinfo(host, 80)
    except OSError as exc:
        return "dns: " + str(exc)
'''
    for function, prefix in (("connect", "create"), ("raw", "socket"), ("lookup", "dns")):
        expected = f"{prefix}: The code pad is offline: no network."
        result = run_tests(code, function, one_case("offline", ["127.0.0.1"], expected))
        assert result.status is RunStatus.PASSED, result.summary


def test_a_file_written_by_the_code_stays_in_the_temp_dir_which_is_removed():
    code = ("import os\ndef f(x):\n    with open('notes.txt', 'w') as fh:\n        fh.write('x')\n"
            "    return [os.getcwd(), os.path.abspath('notes.txt'), os.environ['HOME'], sorted(os.listdir('.'))]\n")
    result = run_tests(code, "f", one_case("write", [1], check="True"), Limits(output_chars=1000))
    assert result.status is RunStatus.PASSED
    cwd, written, home, listing = eval(result.cases[0].got)
    assert Path(written).parent == Path(cwd) and home == cwd
    assert Path(cwd).name.startswith("mockloop-run-")
    assert "notes.txt" in listing and "spec.json" not in listing  # the hidden tests are not left to read
    assert not Path(cwd).exists()


def test_the_environment_is_small_and_hashing_is_stable(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/somewhere/of/the/app")
    code = ("import os, sys\ndef f(name):\n    if name == 'hash':\n        return hash('abc')\n"
            "    if name == 'env':\n        return sorted(os.environ)\n"
            "    return ['mockloop' in sys.modules, [p for p in sys.path if 'mockloop' in p or 'desktop' in p]]\n")
    cases = [Case(n, [n], check="True") for n in ("hash", "env", "app")]
    first, second = run_tests(code, "f", cases), run_tests(code, "f", cases)
    assert first.cases[0].got == second.cases[0].got  # PYTHONHASHSEED=0 holds: sets of strings keep their order
    names = eval(first.cases[1].got)
    assert {"PATH", "HOME", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "PYTHONHASHSEED"} <= set(names)
    assert "PYTHONPATH" not in names and "MOCKLOOP_DATA_DIR" not in names
    assert first.cases[2].got == "[False, []]"


def test_a_missing_function_is_reported_with_what_the_code_defines():
    result = run_tests("def rocauc(s, l):\n    return 0.5\n", "roc_auc", CASES)
    assert result.status is RunStatus.NO_FUNCTION
    assert result.summary == "Your code does not define roc_auc() (it defines rocauc()), so no test ran."
    empty = run_tests("x = 1\n", "roc_auc", CASES)
    assert empty.summary == "Your code does not define roc_auc(), so no test ran."


def test_an_exception_at_the_top_level_fails_before_any_test():
    result = run_tests("import numpyy\ndef f():\n    pass\n", "f", CASES)
    assert result.status is RunStatus.FAILED
    assert result.summary == ("Your code raised ModuleNotFoundError: No module named 'numpyy' (line 1) "
                              "before any test ran.")


def test_cases_come_from_mappings_and_objects_and_unnamed_ones_are_numbered():
    cases = [{"name": "from a dict", "args": [1, 2], "expected": 3},
             SimpleNamespace(name="", args=(2, 2), expected=4, check=None, tolerance=None, unordered=False)]
    result = run_tests("def add(a, b):\n    return a + b\n", "add", cases)
    assert result.status is RunStatus.PASSED
    assert [c.name for c in result.cases] == ["from a dict", "test 2"]
    with pytest.raises(ValueError, match="args must be a list"):
        Case.of({"name": "bad", "args": 3})


def test_the_app_stays_responsive_while_a_hostile_run_goes_on(tmp_path):
    """A run spinning the CPU in one thread: another thread keeps ticking and a second run passes meanwhile."""
    release = tmp_path / "release"
    spin = f"import os\ndef f(x):\n    while not os.path.exists({str(release)!r}):\n        pass\n    return x\n"
    order: list[str] = []
    done = threading.Event()
    ticks = 0

    def hostile():
        result = run_tests(spin, "f", one_case("spin", [1], 1), Limits(timeout_s=300, cpu_s=300))
        order.append(f"hostile {result.status.value}")
        done.set()

    def ticker():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            done.wait(0.01)

    threads = [threading.Thread(target=hostile), threading.Thread(target=ticker)]
    for t in threads:
        t.start()
    passing = run_tests(ROC_AUC, "roc_auc", CASES)
    order.append(f"passing {passing.status.value}")
    ticks_meanwhile = ticks
    release.touch()
    for t in threads:
        t.join()
    assert order == ["passing passed", "hostile passed"]
    assert ticks_meanwhile > 0


def test_processes_the_code_starts_are_killed_with_the_run():
    code = "import subprocess\ndef f():\n    return subprocess.Popen(['sleep', '600']).pid\n"
    result = run_tests(code, "f", one_case("spawn", [], check="True"))
    assert result.status is RunStatus.PASSED, result.summary
    pid = int(result.cases[0].got)
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return  # already gone and reaped
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        assert poller.poll()  # blocks until `sleep` has died: the group was killed, or pytest-timeout ends this
    finally:
        os.close(fd)


def test_no_interpreter_is_unavailable_with_a_sentence(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    result = run_tests(ROC_AUC, "roc_auc", CASES)
    assert result.status is RunStatus.UNAVAILABLE
    assert result.summary == "The test runner could not start (No such file or directory), so your code did not run."


def test_measure_run_seconds_reports_median_and_min():
    figures = measure_run_seconds(repeats=2)
    assert figures["repeats"] == 2
    assert 0 < figures["min_s"] <= figures["median_s"]
    assert 0 < figures["numpy_min_s"] <= figures["numpy_median_s"]
