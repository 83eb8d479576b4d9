"""The `mockloop` command: no arguments opens the window; sub-commands run headless."""

from __future__ import annotations

import argparse
import json
import sys

from mockloop import __version__
from mockloop.engine.core.errors import MockloopError


def _emit(args: argparse.Namespace, document: dict, text: str) -> None:
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")


def _cmd_doctor(args: argparse.Namespace) -> int:
    from mockloop.engine.tools.doctor import run_doctor

    report = run_doctor(verify_hashes=not args.quick)
    lines = [f"mockloop {report['version']} on Python {report['python']} ({report['platform']})", ""]
    for m in report["models"]:
        if m["ok"]:
            size_mb = m["size_bytes"] / 1e6
            lines.append(f"  OK   {m['role'].upper():3}  {m['name']} [{m['source']}, {size_mb:.0f} MB, loaded in {m['load_seconds']} s]")
            lines.append(f"            {m['path']}")
            lines.append(f"            {m['smoke']}")
        else:
            lines.append(f"  FAIL {m['role'].upper():3}  {m['error']['problem']}")
            lines.append(f"            fix: {m['error']['fix']}")
    audio = report["audio"]
    lines.append("")
    if audio["inputs"] or audio["outputs"]:
        lines.append(f"  audio: {len(audio['inputs'])} input(s), {len(audio['outputs'])} output(s); "
                     f"default in: {audio['default_input'] or '-'}, default out: {audio['default_output'] or '-'}")
    if audio["reason"]:
        lines.append(f"  audio: {audio['reason']}")
    display = report["display"]
    lines.append("  display: available" if display["available"] else f"  display: {display['reason']}")
    off = report["offline"]
    lines.append("  offline: yes (models loaded and ran with the network blocked; hub libraries set offline)" if off["ok"]
                 else f"  offline: NO ({off['network_attempts'] or off['env']})")
    lines.append("")
    lines.append("All required parts work." if report["ok"] else "Problems:\n  - " + "\n  - ".join(report["problems"]))
    _emit(args, report, "\n".join(lines))
    return 0 if report["ok"] else 1


def _question_dict(bank, q) -> dict:
    return {
        "id": q.id,
        "bank": bank.company.id,
        "round": q.round,
        "role": q.role.value,
        "kind": q.kind.value,
        "difficulty": q.difficulty.value,
        "text": q.text,
        "tags": list(q.tags),
        "axes": bank.axes_for(q),
        "rubric_points": len(q.rubric),
        "probes": len(q.probes),
    }


def _cmd_questions(args: argparse.Namespace) -> int:
    from mockloop.engine.bank import load_banks

    banks = load_banks()
    rows = banks.filter(role=args.role, kind=args.kind, difficulty=args.difficulty, tag=args.tag, bank=args.bank, axis=args.axis)
    document = {
        "count": len(rows),
        "questions": [_question_dict(b, q) for b, q in rows],
        "banks": [{"id": b.company.id, "name": b.company.name, "file": str(banks.sources[b.company.id]), "questions": len(b.questions)} for b in banks.banks],
        "errors": [e.as_dict() for e in banks.errors],
    }
    lines = []
    for b, q in rows:
        lines.append(f"{q.id:34} {q.difficulty.value:6} {q.kind.value:13} {q.role.value:25} {q.text}")
    lines.append(f"\n{len(rows)} question(s).")
    for e in banks.errors:
        lines.append(f"warning: {e.user_message()}")
    _emit(args, document, "\n".join(lines))
    for e in banks.errors if not args.json else []:
        print(f"bank error: {e.user_message()}", file=sys.stderr)
    return 0 if banks.banks else 1


def _cmd_answer(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mockloop.engine.tools.headless import answer

    doc = answer(args.question, audio=Path(args.audio) if args.audio else None, text=Path(args.text) if args.text else None,
                 code=Path(args.code) if args.code else None, persona_id=args.persona, save=not args.no_save)
    lines = [doc["question"]["text"], "", f"Transcript: {doc['transcript'] or '(no speech detected)'}", ""]
    if doc.get("code") is not None:
        tests = doc["code"]["tests"]
        lines += [f"Tests: {tests['summary'] if tests else 'no code was given, so no test ran.'}", ""]
    if doc["scored"]:
        lines.append(f"Score: {doc['score']['overall']:.0f}/100  " + "  ".join(f"{k}: {v:.0f}" for k, v in doc["score"]["dimensions"].items()))
        for point in doc["rubric"]:
            mark = {"covered": "+", "partial": "~", "missing": "-"}.get(point["status"], "?")
            quote = f'  "{point["evidence"][0]["text"]}"' if point["evidence"] else ""
            lines.append(f"  {mark} {point['point']}{quote}")
    else:
        lines.append("Not scored: " + ", ".join(doc["flags"]))
    for line in doc["feedback"].get("coaching", []):
        lines.append(f"  * {line}")
    if doc["followup"]:
        lines += ["", f"Follow-up ({doc['followup']['source']}): {doc['followup']['text']}"]
    if doc.get("session_id"):
        lines += ["", f"Saved as session {doc['session_id']}."]
    _emit(args, doc, "\n".join(lines))
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mockloop.engine.tools.headless import simulate

    def progress(event) -> None:
        if args.json:
            return
        if event.kind in ("question", "followup", "nudge", "phase"):
            data = event.to_dict()
            print(f"[{event.kind}] {data.get('text') or data.get('prompt')}", flush=True)
        elif event.kind == "scored":
            print(f"[scored] {event.answer.question_id}: {event.answer.overall}", flush=True)

    doc = simulate(Path(args.answers), mode=args.mode, question_id=args.question, persona_id=args.persona, role=args.role,
                   realtime=args.realtime, seed=args.seed, emit=progress)
    text = f"Session {doc['session_id']} ({doc['ended']}): {len(doc['questions'])} question(s), answers used: {', '.join(doc['answers_used'])}"
    _emit(args, doc, text)
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from mockloop.engine.tools.bench import run_bench

    doc = run_bench(quick=args.quick)
    s, m = doc["summary"], doc["machine"]
    lines = [
        f"mockloop bench on {m['cpu']} ({m['cores']} cores), {doc['seconds']} s",
        f"  caption lag (median)               {s['caption_lag_s']} s",
        f"  turn end -> final transcript       {s['final_latency_stream_s']} s streaming vs {s['final_latency_batch_s']} s batch (ratio {s['latency_ratio_stream_to_batch']})",
        f"  WER                                {s['wer_stream']} streaming vs {s['wer_batch']} batch",
        f"  STT real-time factor (streaming)   {s['rtf_stream']}",
        f"  TTS first audio                    {s['tts_first_audio_uncached_s']} s new text, {s['tts_first_audio_cached_s']} s cached",
        f"  scored and follow-up ready         {s['followup_ready_s']} s after the final transcript (scoring {s['scoring_s']} s, "
        f"{s['scoring_phrases_only_s']} s by phrases only)",
        f"  text model load                    {s['text_model_load_s']} s",
        f"  voice to voice ({doc['turn']['answer_seconds']} s answer)      {s['voice_to_voice_s']} s",
        f"  peak RSS                           {s['peak_rss_mb']} MB streaming, {s['process_peak_rss_mb']} MB the whole run",
        f"  launch -> window painted           {s['window_visible_s']} s ({doc['startup']['platform']})",
        f"  code pad Run -> test result        {s['code_run_to_result_s']} s ({s['code_run_to_result_numpy_s']} s importing numpy)",
    ]
    _emit(args, doc, "\n".join(lines))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockloop", description="Offline voice mock interviews. With no command, opens the desktop app.")
    parser.add_argument("--version", action="version", version=f"mockloop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    doctor = sub.add_parser("doctor", help="check models, audio devices, display and offline status")
    doctor.add_argument("--json", action="store_true", help="print one JSON document")
    doctor.add_argument("--quick", action="store_true", help="skip hashing the bundled model files")
    doctor.set_defaults(func=_cmd_doctor)

    questions = sub.add_parser("questions", help="list and filter the question banks")
    questions.add_argument("--role", help='"Data Scientist", "Machine Learning Engineer" (or ds, mle)')
    questions.add_argument("--kind", help='"System Design", "Technical" or "Behavioral"')
    questions.add_argument("--difficulty", choices=["easy", "medium", "hard"], type=str.lower)
    questions.add_argument("--tag", help="a tag, e.g. Ranking (case-insensitive)")
    questions.add_argument("--axis", help="a radar axis id, e.g. graph-ml")
    questions.add_argument("--bank", help="a bank id, e.g. twitter-x")
    questions.add_argument("--json", action="store_true", help="print one JSON document")
    questions.set_defaults(func=_cmd_questions)

    ans = sub.add_parser("answer", help="transcribe, score and plan the follow-up for one recorded or typed answer")
    ans.add_argument("--question", required=True, help="question id (see `mockloop questions`)")
    source = ans.add_mutually_exclusive_group()
    source.add_argument("--audio", help="a WAV/FLAC/Ogg recording of the answer")
    source.add_argument("--text", help="a UTF-8 text file with a typed answer")
    ans.add_argument("--code", help="a coding question: the candidate's Python file, run against the hidden tests")
    ans.add_argument("--persona", help="interviewer persona id (default: the one in settings)")
    ans.add_argument("--no-save", action="store_true", help="do not store the answer as a session")
    ans.add_argument("--json", action="store_true", help="print one JSON document")
    ans.set_defaults(func=_cmd_answer)

    sim = sub.add_parser("simulate", help="a whole interview without a display, answers read from a folder")
    sim.add_argument("--answers", required=True, help="folder of answers in name order (.wav/.flac spoken, .txt typed; a .py beside an answer is its code)")
    sim.add_argument("--mode", choices=["practice", "loop"], default="practice")
    sim.add_argument("--question", help="practice this question id")
    sim.add_argument("--persona", help="interviewer persona id")
    sim.add_argument("--role", choices=["ds", "mle"], help="loop mode: the role to interview for")
    sim.add_argument("--realtime", action="store_true", help="feed audio answers at real speed (as a microphone would)")
    sim.add_argument("--seed", type=int, default=0, help="loop mode: question choice seed")
    sim.add_argument("--json", action="store_true", help="print one JSON document")
    sim.set_defaults(func=_cmd_simulate)

    bench = sub.add_parser("bench", help="measure the speed of every stage of a turn on the project's speech set")
    bench.add_argument("--quick", action="store_true", help="fewer trials and a 1-minute long answer instead of 2")
    bench.add_argument("--json", action="store_true", help="print one JSON document")
    bench.set_defaults(func=_cmd_bench)

    from mockloop.cli_sessions import register

    register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from mockloop.engine.models.offline import enforce_offline_env

    enforce_offline_env()
    if not (sys.argv[1:] if argv is None else argv):
        from mockloop.ui.app import run  # no sub-command: the window, without building every sub-command's parser

        return run()
    args = build_parser().parse_args(argv)
    if args.command is None:
        from mockloop.ui.app import run

        return run()
    try:
        return args.func(args)
    except MockloopError as exc:
        if getattr(args, "json", False):
            _emit(args, {"error": {"type": type(exc).__name__, "problem": exc.problem, "fix": exc.fix}}, "")
        else:
            print(f"mockloop: {exc.user_message()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
