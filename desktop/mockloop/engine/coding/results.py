"""The outcome of running a candidate's code against hidden tests, as plain data that survives JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Mapping


class RunStatus(str, Enum):
    PASSED = "passed"  # every test passed
    FAILED = "failed"  # the code ran; at least one test failed (a wrong value, or an exception in the function)
    SYNTAX = "syntax"  # the code does not compile
    NO_FUNCTION = "no-function"  # it compiles, but the function the question asks for is not defined
    TIMEOUT = "timeout"  # the wall-clock or CPU limit was reached (an infinite loop, say)
    MEMORY = "memory"  # the memory limit was reached
    EXITED = "exited"  # the code ended the process itself (sys.exit, os._exit)
    CRASHED = "crashed"  # the process died from a signal (os.kill, a segfault)
    UNAVAILABLE = "unavailable"  # the runner itself could not start (no interpreter, no temp space)


@dataclass(frozen=True)
class CaseResult:
    """One hidden test: its name, the call's input, what was expected and what came back."""

    name: str
    passed: bool
    input: str  # the arguments, as the candidate would write them (repr, truncated)
    expected: str  # repr of the expected value, or the check's description
    got: str  # repr of what the function returned ("" when it raised)
    error: str = ""  # "ZeroDivisionError: division by zero" when the function raised
    seconds: float = 0.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseResult:
        return cls(name=str(data.get("name", "")), passed=bool(data.get("passed")), input=str(data.get("input", "")),
                   expected=str(data.get("expected", "")), got=str(data.get("got", "")),
                   error=str(data.get("error", "")), seconds=float(data.get("seconds", 0.0) or 0.0))


@dataclass(frozen=True)
class RunResult:
    """What one Run showed: a status, one sentence a candidate understands, and each test."""

    status: RunStatus
    summary: str  # e.g. "5 of 7 tests passed." or "Your code ran past the 5 s limit (an endless loop?) in test 3."
    cases: list[CaseResult] = field(default_factory=list)
    stdout: str = ""  # truncated
    stderr: str = ""  # truncated
    seconds: float = 0.0  # wall-clock from Run to result, interpreter start included
    truncated: bool = False  # stdout or stderr was cut

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cases if c.passed)

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def first_failure(self) -> CaseResult | None:
        return next((c for c in self.cases if not c.passed), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["passed"], data["total"] = self.passed, self.total
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        try:
            status = RunStatus(data.get("status", RunStatus.UNAVAILABLE.value))
        except ValueError:
            status = RunStatus.UNAVAILABLE
        return cls(status=status, summary=str(data.get("summary", "")),
                   cases=[CaseResult.from_dict(c) for c in data.get("cases", []) if isinstance(c, Mapping)],
                   stdout=str(data.get("stdout", "")), stderr=str(data.get("stderr", "")),
                   seconds=float(data.get("seconds", 0.0) or 0.0), truncated=bool(data.get("truncated", False)))


@dataclass(frozen=True)
class CodeRun:
    """One press of Run: when (seconds into the turn's recording), the code as it was, and the result."""

    offset_s: float
    code: str
    result: RunResult

    def to_dict(self) -> dict[str, Any]:
        return {"offset_s": round(self.offset_s, 3), "code": self.code, "result": self.result.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CodeRun:
        return cls(float(data.get("offset_s", 0.0) or 0.0), str(data.get("code", "")),
                   RunResult.from_dict(data.get("result", {}) or {}))
