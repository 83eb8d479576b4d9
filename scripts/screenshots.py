"""Render every view of the desktop app to docs/screenshots/*.png (run it through scripts/screenshots.sh).

A private data folder is filled with real practice sessions first: the graded answers of
tests/data/graded and a spoken answer from tests/data/speech go through `simulate`, the same
engines as the app. Then the real window is opened (under Xvfb when run by the .sh) and
each view is grabbed after its data has loaded; an interview is captured mid-answer.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SPOKEN_QUESTION = "mle-spam-class-imbalance"
UNSEEDED = {"feedback-clarifying", "interview-exchange"}  # shots that need no stored sessions

# (question, grade): spread over the radar's axes, strong and weak, so the radar has a shape.
TYPED = [
    ("ds-spam-bot-detection", "strong"), ("ds-trending-topics", "adequate"), ("ds-for-you-timeline", "strong"),
    ("mle-position-bias", "weak"), ("mle-ranking-latency-reduction", "adequate"), ("mle-llm-evaluation", "weak"),
    ("mle-faiss-vs-hnsw", "strong"), ("bh-conflict-teammate", "strong"), ("ds-premium-churn", "adequate"),
]


def _answers(folder: Path, files: list[tuple[str, str | Path]]) -> Path:
    folder.mkdir(parents=True)
    for name, content in files:
        if isinstance(content, Path):
            shutil.copy(content, folder / name)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


def seed(work: Path) -> None:
    """Fill the data folder (MOCKLOOP_DATA_DIR) with sessions answered by the real engines."""
    from mockloop.engine.tools.headless import simulate
    from mockloop.engine.store import SessionStore

    graded = yaml.safe_load((DATA / "graded" / "twitter-x.yaml").read_text(encoding="utf-8"))
    text = {(g["question_id"], g["grade"]): g["text"] for g in graded}
    for i, (question, grade) in enumerate(TYPED):
        folder = _answers(work / f"typed-{i}", [("01.txt", text[(question, grade)]), ("02.txt", "[end]")])
        simulate(folder, question_id=question)
        print(f"  session {i + 1}: {question} ({grade}, typed)", flush=True)
    spoken = _answers(work / "spoken", [("01.flac", DATA / "speech" / "piper_medium.flac"),
                                        ("02.flac", DATA / "speech" / "piper_short.flac"), ("03.txt", "[end]")])
    simulate(spoken, question_id=SPOKEN_QUESTION)
    print(f"  session {len(TYPED) + 1}: {SPOKEN_QUESTION} (spoken)", flush=True)
    # One session cut short, as when the app is closed mid-answer: Review flags it.
    with SessionStore.open() as store:
        sid = store.create_session("practice", "twitter-x", "bar-raiser")
        rid = store.add_round(sid, "technical-loop", persona_id="bar-raiser")
        turn = store.begin_turn(rid, "mle-cold-start-new-users", interviewer_text="How would you handle cold start?")
        store.finish_turn(turn.turn_id, status="interrupted",
                          transcript="So for a brand new user I'd start from onboarding signals, like the topics they pick")
        store.finish_session(sid, interrupted=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--keep-data", action="store_true", help="leave the seeded data folder in place")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these shots (file names without .png)")
    args = parser.parse_args(argv)
    only = set(args.only) if args.only else None
    work = Path(tempfile.mkdtemp(prefix="mockloop-shots-"))
    os.environ["MOCKLOOP_DATA_DIR"] = str(work / "data")
    os.environ.setdefault("MOCKLOOP_CONFIG_DIR", str(work / "config"))
    started = time.perf_counter()
    if only is None or only - UNSEEDED:
        print("Seeding practice sessions…", flush=True)
        seed(work)
    from screenshot_views import capture_all  # beside this script

    args.output.mkdir(parents=True, exist_ok=True)
    written = capture_all(args.output, work, only)
    for path in written:
        print(f"  wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    print(f"{len(written)} screenshots in {time.perf_counter() - started:.0f} s")
    if not args.keep_data:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
