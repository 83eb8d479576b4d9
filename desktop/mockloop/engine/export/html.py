"""A session as one self-contained HTML file: radar as inline SVG, evidence highlighted, all user text escaped."""

from __future__ import annotations

from html import escape

from mockloop import __version__
from mockloop.engine.export import fields
from mockloop.engine.export.asking import AskingReport
from mockloop.engine.export.code_report import CodeReport, failure_rows, run_line, seconds
from mockloop.engine.export.report import FollowUpReport, QuestionReport, SessionReport
from mockloop.engine.export.spans import Segment
from mockloop.engine.export.svg import HEIGHT, WIDTH, radar_svg

RADAR_IMAGE = "mockloop-radar.png"  # the name the Qt flavour uses for the radar image resource
HIGHLIGHT = {"covered": "#c6efce", "partial": "#ffeb9c"}
# Nothing in the file may load or run anything: no scripts, no network, only inline styles and data.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.facts { color: #555; }
.transcript { background: #fafafa; border-left: 3px solid #bbb; padding: .5em .8em; white-space: pre-wrap; }
mark.covered { background: #c6efce; } mark.partial { background: #ffeb9c; }
.followup { margin-left: 1.5em; }
.exchanges .reply { color: #1f5f99; }
.legend mark { padding: 0 .3em; }
.question { page-break-inside: avoid; }
"""
# Added only when a turn has code, so the export of a session without code stays as it was.
_CODE_STYLE = """pre.code, pre.output { background: #f6f8fa; border: 1px solid #ddd; padding: .5em .8em; white-space: pre-wrap; }
.passed { color: #1a7f37; } .failed { color: #cf222e; }
"""


def e(text: object) -> str:
    return escape(str(text), quote=True)


def render_html(report: SessionReport, *, qt: bool = False) -> str:
    """The whole document. `qt=True` is the flavour Qt's rich-text engine can lay out (for the PDF):
    highlights as coloured spans instead of <mark>, and the radar as the image `RADAR_IMAGE`,
    which the caller provides (Qt cannot draw inline SVG)."""
    s = report.session
    coded = any(q.code is not None or any(f.code is not None for f in q.followups) for q in report.questions)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{e(_CSP)}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f'<meta name="generator" content="mockloop {e(__version__)}">',
           f"<title>{e(f'Mock interview {fields.when(s.started_at)}: {report.bank_name}')}</title>",
           f"<style>{_STYLE}{_CODE_STYLE if coded else ''}</style></head><body>",
           f"<h1>{e(f'Mock interview: {report.bank_name}')}</h1>",
           _table(["", ""], fields.session_rows(report), header=False)]
    if s.notes:
        out.append(f"<p><b>Notes:</b> {e(s.notes)}</p>")
    out.append(_radar(report, qt))
    out.append("<h2>Questions</h2>")
    if not report.questions:
        out.append("<p>No question was asked in this session.</p>")
    out.append(f'<p class="legend">In the transcripts, {_highlight("covered", "green", qt)} marks what covered a '
               f'rubric point and {_highlight("partial", "yellow", qt)} what touched one.</p>')
    for number, question in enumerate(report.questions, 1):
        out.append(_question(number, question, qt))
    out.append(f'<p class="facts">Exported by mockloop {e(__version__)} on {e(fields.when(report.generated_at))}. '
               "Everything in this file was produced on your computer.</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _highlight(status: str, text: str, qt: bool, points: tuple[str, ...] = ()) -> str:
    """Escaped text marked as evidence; Qt's rich text has no <mark>, so it gets a coloured span."""
    if qt:
        return f'<span style="background-color: {HIGHLIGHT[status]}">{e(text)}</span>'
    title = f' title="{e(f"{status}: " + "; ".join(points))}"' if points else ""
    return f'<mark class="{e(status)}"{title}>{e(text)}</mark>'


def _table(headers: list[str], rows: list[tuple], *, header: bool = True) -> str:
    head = "<tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr>" if header else ""
    body = []
    for row in rows:
        cells = [f"<th>{e(row[0])}</th>" if not header else f"<td>{e(row[0])}</td>"]
        cells += [f"<td>{c if isinstance(c, _Raw) else e(c)}</td>" for c in row[1:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table border="1" cellspacing="0" cellpadding="4">{head}{"".join(body)}</table>'


class _Raw(str):
    """Markup built here from escaped parts, put into a table cell as is."""


def _radar(report: SessionReport, qt: bool) -> str:
    radar = report.radar
    out = ["<h2>Radar</h2>"]
    if radar is None:
        out.append("<p>No radar: this session's question bank is not installed and no answer was scored.</p>")
        return "\n".join(out)
    if qt:
        width = 560  # of the ~680 px a printed A4 line holds
        out.append(f'<p><img src="{RADAR_IMAGE}" width="{width}" height="{round(width * HEIGHT / WIDTH)}" alt="radar"></p>')
    else:
        out.append(f'<figure>{radar_svg(radar, title=f"This session on the {radar.bank_name} radar")}</figure>')
    out.append("<p>Your score per topic in this session (blue) over how hard the bank's questions on that topic are "
               "(orange; easy 0, hard 100).</p>")
    rows = [(a.name, "—" if a.performance is None else f"{a.performance:.0f}", a.answers,
             "—" if a.difficulty is None else f"{a.difficulty:.1f}", a.questions) for a in radar.axes]
    out.append(_table(["Topic", "Your score", "Answers", "Difficulty (1–3)", "Questions in bank"], rows))
    return "\n".join(out)


def _segments(segments: tuple[Segment, ...], qt: bool) -> str:
    return "".join(e(seg.text) if seg.status is None else _highlight(seg.status, seg.text, qt, seg.points)
                   for seg in segments)


def _question(number: int, q: QuestionReport, qt: bool) -> str:
    t = q.turn
    out = [f'<div class="question" id="turn-{t.id}">', f"<h3>{e(f'Q{number}. {q.question_text}')}</h3>",
           f'<p class="facts">{e(" · ".join(fields.question_facts(q)))}</p>',
           f"<p><b>{e(fields.score_line(q))}</b></p>"]
    out.append("<h4>Your answer" + (" (with your follow-up answers)" if q.combined else "") + "</h4>")
    answer = _segments(q.answer, qt)
    out.append(f'<p class="transcript">{answer}</p>' if answer.strip() else "<p><i>No words were transcribed.</i></p>")
    if t.candidate_audio is not None:
        out.append(f'<p class="facts">Recording: {e(t.candidate_audio.name)}</p>')
    nudges = fields.nudge_lines(q)
    if nudges:
        out.append("<p><b>Nudges from the interviewer</b></p><ul>" + "".join(f"<li>{e(n)}</li>" for n in nudges) + "</ul>")
    if q.asking is not None:
        out.append(_asking(q.asking))
    if q.code is not None:
        out.append(_code(q.code, "h4"))
    for f in q.followups:
        out.append(_followup(f, qt))
    dims = fields.dimension_rows(t.scores)
    if dims:
        out += ["<h4>Scores</h4>", _table(["Dimension", "Score"], dims)]
    rubric = fields.rubric_rows(t.rubric)
    if rubric:
        rows = [(point, dim, status, _Raw("<br>".join(e(quote) for quote in quotes) or "—"))
                for point, dim, status, quotes in rubric]
        out += ["<h4>Rubric</h4>", _table(["Point", "Dimension", "Status", "Evidence"], rows)]
    metrics = fields.metric_rows(t.metrics)
    if metrics:
        out += ["<h4>Metrics</h4>", _table(["Metric", "Value"], metrics)]
    for title, lines in fields.feedback_sections(t.feedback):
        out.append(f"<h4>{e(title)}</h4><ul>" + "".join(f"<li>{e(line)}</li>" for line in lines) + "</ul>")
    out.append("</div>")
    return "\n".join(out)


def _asking(a: AskingReport) -> str:
    """The candidate's questions to the interviewer with the replies, then the key facts never asked for."""
    out = ["<h4>Your questions to the interviewer</h4>"]
    if a.summary:
        out.append(f"<p>{e(a.summary)}</p>")
    items = []
    for x in a.exchanges:
        facts = f" ({e(x.facts)})" if x.facts else ""
        asked = f": “{e(x.asked)}”" if x.asked else ""
        reply = f"<i>{e(x.answer)}</i>" if x.intent == "repeat" else f"<b>Interviewer:</b> {e(x.reply)}"
        items.append(f'<li><b>{e(x.lead)}</b>{facts}{asked}<br><span class="reply">{reply}</span></li>')
    out.append(f'<ul class="exchanges">{"".join(items)}</ul>' if items
               else "<p><i>You asked the interviewer nothing during this answer.</i></p>")
    if a.unasked:
        out.append("<p><b>Key facts you never asked for</b></p><ul>" + "".join(f"<li>{e(line)}</li>" for line in a.unasked) + "</ul>")
    if a.credit:
        out.append(f"<p>{e(a.credit)}</p>")
    return "\n".join(out)


def _followup(f: FollowUpReport, qt: bool) -> str:
    kind = "Follow-up" if f.asked else "Follow-up the interviewer would ask next"
    out = ['<div class="followup">', f"<p><b>{e(kind)}:</b> {e(f.text)}</p>"]
    answer = _segments(f.answer, qt)
    if answer.strip():
        out.append(f'<p class="transcript">{answer}</p>')
    elif f.asked:
        out.append(f"<p><i>{e('Skipped.' if f.status == 'skipped' else 'No answer was transcribed.')}</i></p>")
    if f.code is not None:
        out.append(_code(f.code, "h5"))
    out.append("</div>")
    return "\n".join(out)


def _code(code: CodeReport, level: str) -> str:
    """The code and the last run's tests; the code and its output are the candidate's, so escaped like any text."""
    out = [f"<{level}>Your code</{level}>"]
    if code.from_last_run:
        out.append("<p><i>No final code was kept with this answer: this is the code of its last run.</i></p>")
    out.append(f'<pre class="code"><code class="language-python">{e(code.final)}</code></pre>' if code.final.strip()
               else "<p><i>No code was written.</i></p>")
    out.append(f"<{level}>Tests</{level}>")
    run = code.last_run
    if run is None:
        out.append(f"<p>{e(run_line(code))}</p>")
        return "\n".join(out)
    out.append(f"<p><b>Last run</b> {e(run_line(code))}</p>")
    if run.cases:
        rows = [(c.name or "unnamed test", _Raw('<span class="passed">✓ passed</span>' if c.passed
                                                 else '<span class="failed">✗ failed</span>'), seconds(c.seconds))
                for c in run.cases]
        out.append(_table(["Test", "Result", "Time"], rows))
    failure = run.first_failure
    if failure is not None:
        out.append(f"<p><b>First failure:</b> {e(failure.name or 'unnamed test')}</p>")
        out.append(_table(["", ""], [(name, _Raw(f"<code>{e(value)}</code>")) for name, value in failure_rows(failure)],
                          header=False))
    for title, text in (("Output", run.stdout), ("Errors", run.stderr)):
        if text.strip():
            out.append(f'<p><b>{title}</b></p><pre class="output">{e(text)}</pre>')
    if run.truncated:
        out.append("<p><i>The output was cut short.</i></p>")
    return "\n".join(out)
