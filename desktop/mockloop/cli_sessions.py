"""The `mockloop sessions`, `radar` and `plan` commands: review, export and plan from the practice history."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from mockloop.engine.core.errors import MockloopError
from mockloop.engine.store import Session, SessionStore, SessionSummary, TurnKind, files

FORMATS = ("md", "html", "pdf", "archive")


class ConfirmationNeeded(MockloopError):
    """A destructive action asked for without --yes where nobody can be asked."""


class BankChoiceError(MockloopError):
    """No bank to draw the radar or plan from."""


def _emit(args: argparse.Namespace, document: dict, text: str) -> None:
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")


def _open(args: argparse.Namespace) -> tuple[SessionStore, list[str]]:
    """The store, after marking sessions left behind by killed processes as interrupted."""
    from mockloop.engine.audio.recorder import recover

    store = SessionStore.open()
    try:
        recovered = [r.session_id for r in store.recover_interrupted(read_audio=recover)]
    except BaseException:
        store.close()
        raise
    if store.notice is not None and not getattr(args, "json", False):
        print(f"mockloop: {store.notice.message}", file=sys.stderr)
    return store, recovered


def _notice(store: SessionStore) -> str | None:
    return store.notice.message if store.notice is not None else None


def _time(moment) -> str | None:
    return None if moment is None else moment.isoformat(timespec="milliseconds")


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


# -- documents -------------------------------------------------------------------------------------

def summary_dict(s: SessionSummary) -> dict:
    return {"id": s.id, "started_at": _time(s.started_at), "ended_at": _time(s.ended_at), "mode": s.mode.value,
            "bank_id": s.bank_id, "persona_id": s.persona_id, "status": s.status.value, "interrupted": s.interrupted,
            "interruptions": s.interruptions, "turn_count": s.turn_count, "scored_count": s.scored_count,
            "overall_average": _round(s.overall_average)}


def _summary_of(session: Session) -> SessionSummary:
    questions = [t for t in session.turns if t.kind is TurnKind.QUESTION]
    scored = [t.overall for t in questions if t.overall is not None]
    return SessionSummary(session.id, session.started_at, session.ended_at, session.mode, session.bank_id,
                          session.persona_id, session.status, sum(scored) / len(scored) if scored else None,
                          len(questions), len(scored), session.interruptions)


def turn_dict(t) -> dict:
    return {
        "id": t.id, "index": t.index, "question_id": t.question_id, "attempt": t.attempt, "kind": t.kind.value,
        "parent_turn_id": t.parent_turn_id, "status": t.status.value, "interviewer_text": t.interviewer_text,
        "interviewer_audio": str(t.interviewer_audio) if t.interviewer_audio else None,
        "candidate_audio": str(t.candidate_audio) if t.candidate_audio else None,
        "audio_exists": bool(t.candidate_audio and t.candidate_audio.is_file()),
        "audio_seconds": t.audio_seconds, "transcript": t.transcript,
        "words": [{"text": w.text, "start": w.start, "end": w.end, "probability": w.probability} for w in t.words],
        "metrics": t.metrics, "rubric": t.rubric, "scores": t.scores, "overall": t.overall, "feedback": t.feedback,
        "followups": t.followups,
        "nudges": [{"text": n.text, "at": _time(n.at), "offset_s": n.offset_s} for n in t.nudges],
        "exchanges": t.exchanges,
        "started_at": _time(t.started_at), "ended_at": _time(t.ended_at),
    }


def session_dict(s: Session) -> dict:
    summary = summary_dict(_summary_of(s))
    return {
        **summary, "interrupted_at": _time(s.interrupted_at), "app_version": s.app_version, "models": s.models,
        "notes": s.notes,
        "rounds": [{"id": r.id, "index": r.index, "stage_id": r.stage_id, "persona_id": r.persona_id,
                    "started_at": _time(r.started_at), "ended_at": _time(r.ended_at), "time_budget_s": r.time_budget_s,
                    "turns": [turn_dict(t) for t in r.turns]} for r in s.rounds],
    }


def _summary_line(s: SessionSummary) -> str:
    score = "-" if s.overall_average is None else f"{s.overall_average:.0f}"
    flag = "  INTERRUPTED (finalize or resume it)" if s.interrupted else ""
    return (f"{s.id}  {s.started_at:%Y-%m-%d %H:%M}  {s.mode.value:8} {s.bank_id:12} {s.turn_count:>2} question(s)  "
            f"score {score:>3}  {s.status.value}{flag}")


# -- sessions ------------------------------------------------------------------------------------------

def _cmd_list(args: argparse.Namespace) -> int:
    store, recovered = _open(args)
    with store:
        rows = store.list_sessions(limit=args.limit)
        total = store.count_sessions()
        doc = {"count": len(rows), "total": total, "recovered": recovered, "notice": _notice(store),
               "sessions": [summary_dict(s) for s in rows]}
    lines = [_summary_line(s) for s in rows] or ["No practice sessions yet."]
    if total > len(rows):
        lines.append(f"... {total - len(rows)} older session(s); see --limit.")
    if recovered:
        lines.append(f"{len(recovered)} session(s) cut off by a crash are now marked interrupted: {', '.join(recovered)}.")
    _emit(args, doc, "\n".join(lines))
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    store, _ = _open(args)
    with store:
        session = store.get_session(args.id)
        doc = {**session_dict(session), "notice": _notice(store)}
    lines = [_summary_line(_summary_of(session)), ""]
    for rnd in session.rounds:
        lines.append(f"Round {rnd.index}: {rnd.stage_id}")
        for t in rnd.turns:
            score = "" if t.overall is None else f"  score {t.overall:.0f}"
            label = "  follow-up" if t.kind is TurnKind.FOLLOWUP else f"  Q {t.question_id} (attempt {t.attempt})"
            lines.append(f"{label}  [{t.status.value}]{score}: {t.interviewer_text}")
            if t.transcript:
                lines.append(f"      \"{t.transcript[:200]}{'…' if len(t.transcript) > 200 else ''}\"")
            if t.candidate_audio:
                seconds = f" ({t.audio_seconds:.1f} s)" if t.audio_seconds else ""
                lines.append(f"      audio: {t.candidate_audio}{seconds}")
    _emit(args, doc, "\n".join(lines))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from mockloop.engine.export.output import output_path

    store, _ = _open(args)
    with store:
        store.get_session(args.id)  # a clear error for an unknown id before anything else
        path = output_path(args.id, args.format, args.output)
        if args.format == "archive":
            from mockloop.engine.export import export_archive

            export_archive(store, args.id, path, overwrite=args.force)
        else:
            from mockloop.engine.bank import load_banks
            from mockloop.engine.export import build_report, render_html, render_markdown, write_private

            report = build_report(store, args.id, load_banks())
            if args.format == "pdf":
                from mockloop.ui.review.pdf_export import write_pdf

                write_pdf(report, path, overwrite=args.force)
            else:
                text = render_markdown(report) if args.format == "md" else render_html(report)
                write_private(path, text.encode("utf-8"), overwrite=args.force)
        doc = {"session_id": args.id, "format": args.format, "path": str(path), "bytes": path.stat().st_size,
               "notice": _notice(store)}
    _emit(args, doc, f"Exported session {args.id} to {path}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from mockloop.engine.export import import_archive

    store, _ = _open(args)
    with store:
        result = import_archive(store, Path(args.file))
        doc = {**result.to_dict(), "notice": _notice(store)}
    text = f"Imported session {result.session_id} ({result.turns} turn(s), {result.audio_files} recording(s))."
    if result.renamed:
        text += f" Its id {result.original_id} was already taken here, so it got a new one."
    _emit(args, doc, text)
    return 0


def _cmd_delete(args: argparse.Namespace) -> int:
    store, _ = _open(args)
    with store:
        session = store.get_session(args.id)
        folder = files.session_dir(store.root, args.id)
        recordings = sum(1 for p in folder.iterdir() if p.is_file()) if folder.is_dir() else 0
        if not args.yes:
            question = (f"Delete session {args.id} ({len(session.turns)} turn(s), {recordings} recording(s))? "
                        "This cannot be undone. [y/N] ")
            if args.json or not sys.stdin.isatty():
                raise ConfirmationNeeded(f"Deleting session {args.id} needs a confirmation.",
                                         "Add --yes to delete it with its recordings.")
            if input(question).strip().lower() not in ("y", "yes"):
                print("Nothing was deleted.")
                return 1
        store.delete_session(args.id)
        doc = {"deleted": args.id, "turns": len(session.turns), "recordings": recordings, "notice": _notice(store)}
    _emit(args, doc, f"Deleted session {args.id} and {recordings} recording(s).")
    return 0


def _cmd_finalize(args: argparse.Namespace) -> int:
    from mockloop.engine.audio.recorder import recover

    store, _ = _open(args)
    with store:
        before = store.get_session(args.id).status.value
        session = store.finalize(args.id, read_audio=recover)
        doc = {**summary_dict(_summary_of(session)), "previous_status": before, "notice": _notice(store)}
    text = (f"Session {args.id} was already finished." if before == "finished"
            else f"Session {args.id} is finished, kept as it was recorded.")
    _emit(args, doc, text)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from mockloop.engine.bank import load_banks
    from mockloop.engine.export.compare import compare_document, compare_text

    store, _ = _open(args)
    with store:
        doc = {**compare_document(store, args.question, load_banks()), "notice": _notice(store)}
    _emit(args, doc, compare_text(doc))
    return 0


# -- radar and plan -----------------------------------------------------------------------------------

def _bank_for(store: SessionStore, banks, bank_id: str | None, session_id: str | None):
    """(bank or None, bank id): the session's bank, the one asked for, the last practised, or the first loaded."""
    if session_id is not None:
        bank_id = store.get_session(session_id).bank_id
    elif bank_id is None:
        recent = [s.bank_id for s in store.list_sessions(limit=20) if s.bank_id in banks.sources]
        bank_id = recent[0] if recent else (banks.banks[0].company.id if banks.banks else None)
    if bank_id is None:
        raise BankChoiceError("No question bank is installed.", "Run `mockloop questions` to see what went wrong with the banks.")
    try:
        return banks.bank(bank_id), bank_id
    except KeyError:
        if session_id is None:
            known = ", ".join(banks.sources) or "none"
            raise BankChoiceError(f"There is no question bank '{bank_id}'.", f"Choose one of: {known}.") from None
        return None, bank_id


def _cmd_radar(args: argparse.Namespace) -> int:
    from mockloop.engine.bank import load_banks
    from mockloop.engine.progress.radar import backfill_axis_scores, build_radar

    store, _ = _open(args)
    with store:
        bank, bank_id = _bank_for(store, load_banks(), args.bank, args.session)
        if bank is not None:
            backfill_axis_scores(store, bank)
        radar = build_radar(store, bank, bank_id=bank_id, session_id=args.session)
        doc = {**radar.to_dict(), "notice": _notice(store)}
    scope = f"session {args.session}" if args.session else "all sessions"
    lines = [f"Radar for {radar.bank_name} ({scope}; recency half-life {radar.half_life_days:g} days)", "",
             f"{'axis':34} {'you':>5} {'answers':>8} {'difficulty':>11}"]
    for a in radar.axes:
        you = "-" if a.performance is None else f"{a.performance:.0f}"
        hard = "-" if a.difficulty is None else f"{a.difficulty:.1f}/3"
        lines.append(f"{a.name:34} {you:>5} {a.answers:>8} {hard:>11}")
    _emit(args, doc, "\n".join(lines))
    return 0


def _cmd_plan(args: argparse.Namespace) -> int:
    from mockloop.engine.bank import load_banks
    from mockloop.engine.progress.practice_plan import INTERVIEW_DATE_KEY, parse_interview_date, plan_for, stored_interview_date
    from mockloop.engine.progress.radar import backfill_axis_scores

    today = date.today()
    store, _ = _open(args)
    with store:
        if args.clear_date:
            store.set_preference(INTERVIEW_DATE_KEY, None)
        elif args.interview_date:
            store.set_preference(INTERVIEW_DATE_KEY, parse_interview_date(args.interview_date, today).isoformat())
        interview = stored_interview_date(store)
        bank, _ = _bank_for(store, load_banks(), args.bank, None)
        backfill_axis_scores(store, bank)
        plan = plan_for(store, bank, today=today, interview_date=interview, per_day=args.per_day)
        doc = {**plan.to_dict(), "notice": _notice(store)}
    head = f"Practice plan for {bank.company.name}"
    if plan.interview_date:
        head += f": interview on {plan.interview_date.isoformat()} ({plan.days_left} day(s) left)"
    lines = [head + f", {plan.per_day} question(s) a day", *plan.notes, ""]
    for day in plan.days:
        lines.append(f"{day.date.isoformat()} ({day.date:%a})")
        for item in day.items:
            lines.append(f"  - {item.question_id} [{item.axis_name}]: {'; '.join(item.reasons)}")
    _emit(args, doc, "\n".join(lines))
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(sub) -> None:
    """Add `sessions`, `radar` and `plan` to the `mockloop` sub-command parsers."""
    def json_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print one JSON document")

    sessions = sub.add_parser("sessions", help="review, export, import and delete practice sessions")
    actions = sessions.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str, func, *arguments: tuple[tuple, dict]) -> None:
        """One `sessions` action: its arguments, --json, and the function that runs it."""
        p = actions.add_parser(name, help=help_text)
        for args, kwargs in arguments:
            p.add_argument(*args, **kwargs)
        json_flag(p)
        p.set_defaults(func=func)

    session_id = (("id",), {"help": "session id (see `mockloop sessions list`)"})
    action("list", "list sessions, newest first (interrupted ones flagged)", _cmd_list,
           (("--limit",), {"type": _positive, "default": 50, "help": "how many to list (default 50)"}))
    action("show", "everything stored for one session", _cmd_show, session_id)
    action("export", "export a session as Markdown, HTML, PDF or a .zip archive", _cmd_export, session_id,
           (("--format",), {"choices": FORMATS, "default": "html", "help": "default: html"}),
           (("--output",), {"help": "file or folder to write (default: the current folder)"}),
           (("--force",), {"action": "store_true", "help": "replace the output file if it exists"}))
    action("import", "import a session archive (.zip) made by `sessions export --format archive`", _cmd_import,
           (("file",), {"help": "the .zip archive"}))
    action("delete", "delete a session and its recordings", _cmd_delete, session_id,
           (("--yes",), {"action": "store_true", "help": "do not ask for confirmation"}))
    action("finalize", "keep an interrupted session as it is, marked finished", _cmd_finalize, session_id)
    action("compare", "every answer to one question, side by side", _cmd_compare,
           (("question",), {"help": "question id (see `mockloop questions`)"}))

    radar = sub.add_parser("radar", help="performance per topic over the bank's difficulty")
    radar.add_argument("--session", help="one session instead of all sessions")
    radar.add_argument("--bank", help="bank id (default: the bank last practised)")
    json_flag(radar)
    radar.set_defaults(func=_cmd_radar)

    plan = sub.add_parser("plan", help="which questions to practise on which day before the interview")
    dates = plan.add_mutually_exclusive_group()
    dates.add_argument("--interview-date", metavar="YYYY-MM-DD", help="set (and remember) the interview date")
    dates.add_argument("--clear-date", action="store_true", help="forget the interview date")
    plan.add_argument("--per-day", type=_positive, default=2, help="questions a day (default 2)")
    plan.add_argument("--bank", help="bank id (default: the bank last practised)")
    json_flag(plan)
    plan.set_defaults(func=_cmd_plan)
