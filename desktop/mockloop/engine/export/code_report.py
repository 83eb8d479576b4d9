"""The code section of an exported coding turn: the final code, the last run's tests, and a fence for Markdown.

Stored results are read leniently (an archive from elsewhere may hold anything): a value of
the wrong type shows as blank rather than stopping the export.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from mockloop.engine.store import Turn


@dataclass(frozen=True)
class CaseLine:
    """One hidden test of a run, as the report shows it."""

    name: str
    passed: bool
    input: str
    expected: str
    got: str
    error: str
    seconds: float | None


@dataclass(frozen=True)
class RunReport:
    """One press of Run: its place among the runs, when, and what it showed."""

    index: int
    offset_s: float | None  # seconds into the answer
    status: str
    summary: str
    cases: tuple[CaseLine, ...]
    stdout: str
    stderr: str
    seconds: float | None  # from Run to result
    truncated: bool

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cases if c.passed)

    @property
    def first_failure(self) -> CaseLine | None:
        return next((c for c in self.cases if not c.passed), None)


@dataclass(frozen=True)
class CodeReport:
    final: str  # the code at the end of the turn
    from_last_run: bool  # no final code was kept (the turn was cut off): `final` is the last run's code
    runs: int
    last_run: RunReport | None


def code_report(turn: Turn) -> CodeReport | None:
    """The code section of a turn, None when the turn has no code and no run (every spoken answer)."""
    code = turn.code if isinstance(turn.code, dict) else {}
    runs = [r for r in turn.code_runs if isinstance(r, dict)]
    if not code and not runs:
        return None
    last = runs[-1] if runs else None
    final = code.get("final")
    from_last_run = not isinstance(final, str) and last is not None
    if not isinstance(final, str):
        final = _text(last.get("code")) if last is not None else ""
    return CodeReport(_lines(final), from_last_run, len(runs), _run(last, len(runs)) if last is not None else None)


def _run(run: dict, index: int) -> RunReport:
    result = run.get("result") if isinstance(run.get("result"), dict) else {}
    cases = tuple(
        CaseLine(_text(c.get("name")), c.get("passed") is True, _text(c.get("input")), _text(c.get("expected")),
                 _text(c.get("got")), _text(c.get("error")), _number(c.get("seconds")))
        for c in result.get("cases") or [] if isinstance(c, dict)
    )
    idx = run.get("idx")
    summary = _text(result.get("summary")).strip()
    if not summary:
        summary = f"{sum(c.passed for c in cases)} of {len(cases)} tests passed." if cases else "No result was kept."
    return RunReport(
        index=idx if isinstance(idx, int) and not isinstance(idx, bool) else index,
        offset_s=_number(run.get("offset_s")), status=_text(result.get("status")), summary=summary, cases=cases,
        stdout=_lines(_text(result.get("stdout"))), stderr=_lines(_text(result.get("stderr"))),
        seconds=_number(result.get("seconds")), truncated=result.get("truncated") is True,
    )


def run_line(code: CodeReport) -> str:
    """"Last run (run 3 of 3, 95 s into the answer, result in 0.31 s): 5 of 7 tests passed." without its label."""
    run = code.last_run
    if run is None:
        return "The code was never run."
    facts = [f"run {run.index} of {code.runs}"]
    if run.offset_s:  # 0 when there was no recording to time it by (a headless answer)
        facts.append(f"{run.offset_s:.0f} s into the answer")
    if run.seconds is not None:
        facts.append(f"result in {seconds(run.seconds)}")
    return f"({', '.join(facts)}): {run.summary}"


def failure_rows(case: CaseLine) -> list[tuple[str, str]]:
    rows = [("Input", case.input), ("Expected", case.expected), ("Got", case.got)]
    if case.error:
        rows.append(("Error", case.error))
    return rows


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.0005:
        return "<1 ms"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def fence(text: str, info: str = "") -> list[str]:
    """`text` as a fenced Markdown code block, its fence longer than any backtick run inside, so nothing closes it early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return [marks + info, *text.split("\n"), marks]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None or isinstance(value, (dict, list)) else str(value)


def _lines(text: str) -> str:
    """One newline convention, no trailing blank lines; NUL (which no format shows) dropped."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").rstrip("\n")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)
