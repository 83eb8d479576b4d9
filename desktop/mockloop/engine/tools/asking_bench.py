"""Benchmark of the two-way interview: from the end of a candidate's clarifying question to the first audio of
the interviewer's answer, through the live listener (paced like a microphone) and the real voice.

The figure has three parts, reported apart: hearing it (the candidate's pause before the question is read as
one, plus the captions' lag), choosing the answer (the text model against the scenario), and the voice's
first audio (from the cache the interview fills while the question is read, or synthesized on the spot).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from mockloop.engine.audio.base import STT_RATE


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def measure_asking(engines, trials: int = 2) -> dict:
    """Reply latency for the speech set's spoken clarifying questions (Trending Topics), cached and uncached."""
    import soundfile as sf

    from mockloop.engine.audio.capture import WavFileIn
    from mockloop.engine.audio.output import WavFileOut
    from mockloop.engine.bank import load_banks
    from mockloop.engine.core.settings import EndOfTurn
    from mockloop.engine.interview.asking import AskWatch
    from mockloop.engine.interview.listener import TurnListener
    from mockloop.engine.interview.replies import likely_replies, reply_to
    from mockloop.engine.speech.endpointer import EndpointerConfig
    from mockloop.engine.speech.speaker import Speaker
    from mockloop.engine.tools.speech_set import load_set

    bank, question = load_banks().find("ds-trending-topics")
    persona = bank.persona("standard")
    clips = load_set(tags=("asking",))
    asked = [clips[name] for name in ("piper_ask_volume", "piper_ask_freshness")]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        out = WavFileOut(Path(folder) / "interviewer.wav", realtime=True)
        for cached in (False, True):
            if cached:  # as the interview does while the question is read out
                engines.cache.prefetch(likely_replies(question, persona), 1.0).wait()
            for trial in range(trials):
                for clip in asked:
                    speaker = Speaker(engines.voice, out, cache=engines.cache if cached else None)
                    path = Path(folder) / f"ask-{trial}-{clip.name}.wav"
                    quiet = np.zeros(int(0.5 * STT_RATE), np.float32)
                    sf.write(str(path), np.concatenate([quiet, clip.audio, np.zeros(3 * STT_RATE, np.float32)]), STT_RATE)
                    found: dict = {}

                    def on_addressed(addressed, now, speaker=speaker, found=found):
                        t0 = time.perf_counter()
                        reply = reply_to(addressed, question, persona, engines.text)
                        if reply is None:
                            return None
                        found["choose_s"] = time.perf_counter() - t0
                        found["hear_s"] = now - addressed[-1].end
                        speaker.say(reply.text)
                        return reply.intent

                    config = EndpointerConfig(mode=EndOfTurn.HANDS_FREE, silence_seconds=2.5, no_speech_seconds=None)
                    listener = TurnListener(WavFileIn(path, realtime=True), engines.decoder, None, config=config,
                                            speaking=speaker.speaking, question=question.text,
                                            asking=AskWatch(engines.text), on_addressed=on_addressed)
                    listener.run()
                    report = speaker.wait(timeout=60)
                    speaker.close()
                    if "hear_s" not in found or report is None or report.first_audio_seconds is None:
                        rows.append({"clip": clip.name, "cached": cached, "answered": False})
                        continue
                    total = found["hear_s"] + found["choose_s"] + report.first_audio_seconds
                    rows.append({"clip": clip.name, "cached": cached, "answered": True, "hear_s": round(found["hear_s"], 3),
                                 "choose_s": round(found["choose_s"], 3),
                                 "first_audio_s": round(report.first_audio_seconds, 3), "reply_start_s": round(total, 3)})
        out.close()
    answered = [r for r in rows if r["answered"]]

    def pick(key: str, cached: bool) -> float | None:
        return _median([r[key] for r in answered if r["cached"] is cached])

    return {
        "trials": rows,
        "answered": f"{len(answered)} of {len(rows)}",
        "reply_start_cached_s": pick("reply_start_s", True),
        "reply_start_uncached_s": pick("reply_start_s", False),
        "hear_s": _median([r["hear_s"] for r in answered]),
        "choose_s": _median([r["choose_s"] for r in answered]),
        "first_audio_cached_s": pick("first_audio_s", True),
        "first_audio_uncached_s": pick("first_audio_s", False),
        "note": "question's last word ends -> first audio of the answer: hearing (pause + caption lag) + choosing the "
                "fact + the voice's first audio; the interview readies likely answers while the question is read",
    }


if __name__ == "__main__":
    import json

    from mockloop.engine.core.settings import Settings
    from mockloop.engine.models.engines import Engines

    engines = Engines(Settings())
    engines.warm()
    print(json.dumps(measure_asking(engines), indent=1))
    engines.close()
