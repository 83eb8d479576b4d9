"""What a sandbox run showed, from the harness's progress lines and how its process ended: one RunResult."""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass
from typing import Any, Sequence

from mockloop.engine.coding.case_check import call_text, short_repr
from mockloop.engine.coding.results import CaseResult, RunResult, RunStatus

NOT_RUN = "not run"


@dataclass(frozen=True)
class Ending:
    """How the process ended, as the app saw it."""

    timed_out: bool  # the app stopped it at the wall-clock limit
    returncode: int | None  # the harness's (negative: a signal)
    stdout: str
    stderr: str
    truncated: bool
    seconds: float
    timeout_s: float
    cpu_s: int
    memory_mb: int


def read_events(text: str) -> list[dict[str, Any]]:
    """The progress file's JSON lines; a line cut short by a kill is skipped."""
    events = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and isinstance(event.get("event"), str):
            events.append(event)
    return events


def _seconds(x: float) -> str:
    return f"{x:.2f} s" if x < 10 else f"{x:.0f} s"


def _limit(x: float) -> str:
    return f"{x:g} s"


def _quoted(name: str) -> str:
    return f"\u201c{name}\u201d"


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class _Cases:
    """The cases' results so far, with placeholders for those the run never reached."""

    def __init__(self, cases: Sequence[Any], events: list[dict]) -> None:
        self.specs = list(cases)
        self.results: dict[int, CaseResult] = {}
        self.started: int | None = None
        for event in events:
            if event["event"] == "start":
                self.started = int(event.get("index", 0))
            elif event["event"] == "case":
                index = int(event.get("index", 0))
                self.results[index] = CaseResult.from_dict(event)
                if self.started == index:
                    self.started = None

    def running(self) -> int | None:
        """The index of the test that started and never reported (the one a kill or timeout interrupted)."""
        return self.started

    def where(self, index: int | None) -> str:
        if index is None or not 0 <= index < len(self.specs):
            return "before any test ran"
        return f"in test {index + 1} ({_quoted(self.specs[index].name)})"

    def listed(self, stopped: int | None = None, why: str = "") -> list[CaseResult]:
        out = []
        for i, case in enumerate(self.specs):
            if i in self.results:
                out.append(self.results[i])
                continue
            expected = f"a result where {case.check}" if case.check else short_repr(case.expected)
            out.append(CaseResult(name=case.name, passed=False, input=call_text(list(case.args)), expected=expected,
                                  got="", error=why if i == stopped and why else NOT_RUN))
        return out


def judge(events: list[dict], function: str, cases: Sequence[Any], end: Ending) -> RunResult:
    """The status, the sentence and each case, from what the harness wrote and how it ended."""
    progress = _Cases(cases, events)
    kinds = {e["event"]: e for e in events}

    def result(status: RunStatus, summary: str, listed: list[CaseResult] | None = None) -> RunResult:
        return RunResult(status=status, summary=summary, cases=progress.listed() if listed is None else listed,
                         stdout=end.stdout, stderr=end.stderr, seconds=end.seconds, truncated=end.truncated)

    if "harness_error" in kinds:
        return result(RunStatus.UNAVAILABLE,
                      f"The test runner failed ({kinds['harness_error'].get('message', '')}), so no result is known.")
    if "syntax" in kinds:
        event = kinds["syntax"]
        message = str(event.get("message") or "invalid syntax")
        if event.get("line"):
            return result(RunStatus.SYNTAX, f"Line {event['line']}: {message}, so no test ran.")
        return result(RunStatus.SYNTAX, f"Your code does not compile ({message}), so no test ran.")
    if "memory" in kinds:
        index = kinds["memory"].get("index")
        listed = progress.listed(index, f"out of memory (the limit is {end.memory_mb} MB)")
        return result(RunStatus.MEMORY, f"Your code ran out of memory (the limit is {end.memory_mb} MB) "
                                        f"{progress.where(index)}.", listed)
    if "exited" in kinds:
        return _exited(result, progress, kinds["exited"].get("index"), str(kinds["exited"].get("call", "sys.exit()")))
    if "error" in kinds:
        return result(RunStatus.FAILED, f"Your code raised {kinds['error'].get('message', 'an exception')} "
                                        "before any test ran.")
    if "no_function" in kinds:
        defined = [f"{name}()" for name in kinds["no_function"].get("defined", [])]
        also = f" (it defines {', '.join(defined)})" if defined else ""
        return result(RunStatus.NO_FUNCTION, f"Your code does not define {function}(){also}, so no test ran.")
    if end.timed_out and "done" not in kinds:
        return _timeout(result, progress, f"after {_limit(end.timeout_s)}")
    child = kinds.get("child")
    code = child.get("code") if child else end.returncode
    if code is not None and code < 0:
        number = -int(code)
        if number == signal.SIGXCPU:
            return _timeout(result, progress, f"after {end.cpu_s} s of CPU time")
        return _crashed(result, progress, number)
    if child is None:
        detail = (end.stderr.strip().splitlines() or [""])[-1][:200]
        return result(RunStatus.UNAVAILABLE, "The test runner stopped before it could run your code"
                                             f" (exit code {end.returncode}{': ' + detail if detail else ''}).")
    if "done" not in kinds:
        return _exited(result, progress, progress.running(), f"os._exit({code})")
    listed = progress.listed()
    passed = sum(1 for c in listed if c.passed)
    if passed == len(listed):
        lead = "The test passed" if passed == 1 else f"All {passed} tests passed"
        if not listed:
            lead = "Your code ran; this question has no tests"
        return result(RunStatus.PASSED, f"{lead} ({_seconds(end.seconds)}).", listed)
    first = next(c for c in listed if not c.passed)
    return result(RunStatus.FAILED, f"{passed} of {len(listed)} tests passed. First failure, "
                                    f"{_quoted(first.name)}: {_failure(function, first)}", listed)


def _failure(function: str, case: CaseResult) -> str:
    call = f"{function}({case.input})"
    if case.error:
        return f"{call} raised {case.error}."
    return f"{call} returned {case.got}; expected {case.expected}."


def _timeout(result, progress: _Cases, after: str) -> RunResult:
    index = progress.running()
    listed = progress.listed(index, f"stopped {after}")
    if index is None:
        return result(RunStatus.TIMEOUT, f"Your code was stopped {after} before any test ran: an endless loop "
                                         "outside the function, or too slow to start.", listed)
    return result(RunStatus.TIMEOUT, f"Your code was stopped {after} {progress.where(index)}: an endless loop, "
                                     "or too slow for this input.", listed)


def _exited(result, progress: _Cases, index: int | None, call: str) -> RunResult:
    listed = progress.listed(index, f"the code ended the process ({call})")
    later = index is not None and index + 1 < len(progress.specs)
    tail = ", so the other tests did not run." if later else "."
    return result(RunStatus.EXITED, f"Your code ended the test process ({call}) {progress.where(index)}{tail}", listed)


def _crashed(result, progress: _Cases, number: int) -> RunResult:
    index = progress.running()
    name = signal_name(number)
    listed = progress.listed(index, f"the process died ({name})")
    during = f"during test {index + 1}" if index is not None else "before any test ran"
    if number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT):
        return result(RunStatus.CRASHED, f"The test process crashed (signal {number}, {name}) {during}: a fault "
                                         "in native code (ctypes, a C extension) or a stack overflow.", listed)
    return result(RunStatus.CRASHED, f"The test process was killed (signal {number}, {name}) {during}; "
                                     "does your code kill processes?", listed)
