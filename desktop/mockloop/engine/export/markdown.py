"""A session as Markdown: facts, radar table, questions with highlighted evidence, scores, metrics, feedback."""

from __future__ import annotations

import re

from mockloop import __version__
from mockloop.engine.export import fields
from mockloop.engine.export.asking import AskingReport
from mockloop.engine.export.code_report import CodeReport, failure_rows, fence, run_line, seconds
from mockloop.engine.export.report import FollowUpReport, QuestionReport, SessionReport
from mockloop.engine.export.spans import Segment

# Characters that carry meaning in Markdown (and raw HTML, which renderers pass through).
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&!])")
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])")


def md(text: object) -> str:
    """User text made inert: one line, every Markdown/HTML special character backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)))


def line_start(escaped: str) -> str:
    """Escaped text that begins a line, where "- ", "+ " or "1. " would start a list."""
    return _LINE_START.sub(lambda m: m[1] + m[2][:-1] + "\\" + m[2][-1], escaped.lstrip())


def _table(headers: list[str], rows: list[tuple]) -> list[str]:
    lines = ["| " + " | ".join(md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return lines + [""]


def render_markdown(report: SessionReport) -> str:
    s = report.session
    out = [f"# Mock interview: {md(report.bank_name)}", ""]
    out += _table(["", ""], [(k, v) for k, v in fields.session_rows(report)])
    if s.notes:
        out += [f"**Notes:** {md(s.notes)}", ""]
    out += ["## Radar", ""]
    radar = report.radar
    if radar is None:
        out += ["No radar: this session's question bank is not installed and no answer was scored.", ""]
    else:
        out += ["Your score per topic in this session over how hard the bank's questions on that topic are.", ""]
        out += _table(["Topic", "Your score", "Answers", "Difficulty (1–3)", "Questions in bank"],
                      [(a.name, "—" if a.performance is None else f"{a.performance:.0f}", a.answers,
                        "—" if a.difficulty is None else f"{a.difficulty:.1f}", a.questions) for a in radar.axes])
    out += ["## Questions", "", "In the transcripts, **bold** marks what covered a rubric point and *italics* "
            "what touched one.", ""]
    if not report.questions:
        out += ["No question was asked in this session.", ""]
    for number, question in enumerate(report.questions, 1):
        out += _question(number, question)
    out += [f"_Exported by mockloop {md(__version__)} on {md(fields.when(report.generated_at))}._", ""]
    return "\n".join(out)


def _segments(segments: tuple[Segment, ...]) -> str:
    parts = []
    for seg in segments:
        text = md(seg.text) if seg.text.strip() else " "
        if seg.status is None or not seg.text.strip():
            parts.append(text)
            continue
        lead, core, trail = re.match(r"^(\s*)(.*?)(\s*)$", seg.text, re.S).groups()
        mark = "**" if seg.status == "covered" else "*"
        parts.append((" " if lead else "") + mark + md(core) + mark + (" " if trail else ""))
    return "".join(parts).strip()


def _question(number: int, q: QuestionReport) -> list[str]:
    t = q.turn
    out = [f"### Q{number}. {md(q.question_text)}", "", f"_{md(' · '.join(fields.question_facts(q)))}_", "",
           f"**{md(fields.score_line(q))}**", ""]
    out += ["#### Your answer" + (" (with your follow-up answers)" if q.combined else ""), ""]
    answer = _segments(q.answer)
    out += [f"> {line_start(answer)}" if answer else "_No words were transcribed._", ""]
    if t.candidate_audio is not None:
        out += [f"Recording: `{t.candidate_audio.name.replace('`', '')}`", ""]
    nudges = fields.nudge_lines(q)
    if nudges:
        out += ["**Nudges from the interviewer**", ""] + [f"- {line_start(md(n))}" for n in nudges] + [""]
    if q.asking is not None:
        out += _asking(q.asking)
    if q.code is not None:
        out += _code(q.code, "####")
    for f in q.followups:
        out += _followup(f)
    dims = fields.dimension_rows(t.scores)
    if dims:
        out += ["#### Scores", ""] + _table(["Dimension", "Score"], dims)
    rubric = fields.rubric_rows(t.rubric)
    if rubric:
        out += ["#### Rubric", ""]
        out += _table(["Point", "Dimension", "Status", "Evidence"],
                      [(p, d, s, " / ".join(quotes) or "—") for p, d, s, quotes in rubric])
    metrics = fields.metric_rows(t.metrics)
    if metrics:
        out += ["#### Metrics", ""] + _table(["Metric", "Value"], metrics)
    for title, lines in fields.feedback_sections(t.feedback):
        out += [f"#### {md(title)}", ""] + [f"- {line_start(md(line))}" for line in lines] + [""]
    return out


def _asking(a: AskingReport) -> list[str]:
    """The candidate's questions to the interviewer with the replies, then the key facts never asked for."""
    out = ["#### Your questions to the interviewer", ""]
    if a.summary:
        out += [md(a.summary), ""]
    for x in a.exchanges:
        facts = f" ({md(x.facts)})" if x.facts else ""
        asked = f": “{md(x.asked)}”" if x.asked else ""
        reply = f"_{md(x.answer)}_" if x.intent == "repeat" else f"**Interviewer:** {md(x.reply)}"
        out.append(f"- {x.lead}{facts}{asked}  \n  {reply}")  # two spaces: a line break inside the item
    if not a.exchanges:
        out.append("_You asked the interviewer nothing during this answer._")
    out.append("")
    if a.unasked:
        out += ["**Key facts you never asked for**", ""] + [f"- {line_start(md(line))}" for line in a.unasked] + [""]
    if a.credit:
        out += [md(a.credit), ""]
    return out


def _followup(f: FollowUpReport) -> list[str]:
    kind = "Follow-up" if f.asked else "Follow-up the interviewer would ask next"
    out = [f"**{kind}:** {md(f.text)}", ""]
    answer = _segments(f.answer)
    if answer:
        out += [f"> {line_start(answer)}", ""]
    elif f.asked:
        out += ["_Skipped._" if f.status == "skipped" else "_No answer was transcribed._", ""]
    if f.code is not None:
        out += _code(f.code, "#####")
    return out


def _code(code: CodeReport, level: str) -> list[str]:
    """The code in a fence no backtick inside can close, then the last run's tests; everything in blocks is verbatim."""
    out = [f"{level} Your code", ""]
    if code.from_last_run:
        out += ["_No final code was kept with this answer: this is the code of its last run._", ""]
    out += [*fence(code.final, "python"), ""] if code.final.strip() else ["_No code was written._", ""]
    out += [f"{level} Tests", ""]
    run = code.last_run
    out += [(f"**Last run** {md(run_line(code))}" if run else md(run_line(code))), ""]
    if run is None:
        return out
    if run.cases:
        out += [f"- {'✓' if c.passed else '✗'} {md(c.name) or 'unnamed test'}"
                + (f" ({md(seconds(c.seconds))})" if c.seconds is not None else "") for c in run.cases] + [""]
    failure = run.first_failure
    if failure is not None:
        width = max(len(name) for name, _ in failure_rows(failure)) + 2
        block = "\n".join(f"{name + ':':<{width}}{value}" for name, value in failure_rows(failure))
        out += [f"First failure: {md(failure.name) or 'unnamed test'}", "", *fence(block, "text"), ""]
    for title, text in (("Output", run.stdout), ("Errors", run.stderr)):
        if text.strip():
            out += [f"{title}:", "", *fence(text, "text"), ""]
    if run.truncated:
        out += ["_The output was cut short._", ""]
    return out
