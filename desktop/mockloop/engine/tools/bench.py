"""`mockloop bench`: the speed of every stage of a turn, measured in one run on the project's speech set.

Benchmarks report; tests assert. Each figure is a median over repeated trials on this
machine, and ratios are taken between figures of the same run.
"""

from __future__ import annotations

import platform
import statistics
import tempfile
import time
from pathlib import Path

from mockloop.engine.core.settings import Settings


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    import psutil

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def measure_tts(engines, trials: int = 8) -> dict:
    """Time from say() to the first audio handed to the output, for new text and for cached text."""
    from mockloop.engine.audio.output import WavFileOut
    from mockloop.engine.speech.speaker import Speaker

    sentences = [f"Question {i}: how would you measure the impact of change number {i} on retention?" for i in range(trials)]
    with tempfile.TemporaryDirectory() as tmp:
        out = WavFileOut(Path(tmp) / "bench.wav")
        speaker = Speaker(engines.voice, out, cache=engines.cache)
        uncached, cached = [], []
        try:
            speaker.say("Warming up the voice.")
            speaker.wait()
            for text in sentences:
                speaker.say(text + " (new)")
                uncached.append(speaker.wait().first_audio_seconds)
            for text in sentences:
                engines.cache.get_or_synthesize(text, 1.0)
            for text in sentences:
                speaker.say(text)
                report = speaker.wait()
                assert report.from_cache
                cached.append(report.first_audio_seconds)
            t0 = time.perf_counter()
            audio = engines.voice.synthesize(" ".join(sentences))
            synth_seconds = time.perf_counter() - t0
        finally:
            speaker.close()
            out.close()
    return {
        "first_audio_uncached_s": _median(uncached),
        "first_audio_cached_s": _median(cached),
        "uncached_to_cached_ratio": round(_median(uncached) / max(_median(cached), 1e-6), 1),
        "rtf": round(synth_seconds / (len(audio) / engines.voice.sample_rate), 4),
        "trials": trials,
    }


ANSWER = ("Um, so the first thing is that accuracy is useless here, because a model that never flags anything is "
          "right ninety nine point nine percent of the time. I'd look at what share of the tweets we flag really are "
          "spam and how much of the spam we catch, and pick the threshold from the cost of a false alarm. For training "
          "I would keep every spam example and maybe one in a hundred of the normal tweets, and then, uh, correct the "
          "scores back to the real rate afterwards, otherwise the probabilities are way too high. I'd also make "
          "mistakes on spam cost more in the loss, something like focal loss or class weights, and I'd be careful "
          "with making synthetic examples, that works badly on text. And to get more positives, user reports and "
          "human review of the uncertain cases, so the labels keep up with spammers who change their tricks.")


def measure_followup(engines, trials: int = 5) -> dict:
    """Final transcript -> scored answer and follow-up ready, with and without the text model, in one run.

    The bundled LLM is kept out of the follow-up (docs/performance.md), so the follow-up is the
    deterministic plan; the large-model path (the LLM picks) is timed with the bundled model too."""
    from mockloop.engine.bank import load_banks
    from mockloop.engine.interview.followups import FollowUpContext, FollowUpPlanner, SpeculativePlanner
    from mockloop.engine.scoring import score_answer

    bank, question = load_banks().find("mle-spam-class-imbalance")
    persona = bank.persona("standard")
    encoder = engines.text
    score_answer(question, bank, ANSWER, encoder=encoder)  # warm the reference sentences' cache once
    phrases, meaning, ready, llm_choice, drafted = [], [], [], [], []
    planner = FollowUpPlanner(engines.llm)
    large = FollowUpPlanner(engines.llm, min_parameters=0)
    for _ in range(trials):
        t0 = time.perf_counter()
        score_answer(question, bank, ANSWER, encoder=None)
        phrases.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        score = score_answer(question, bank, ANSWER, encoder=encoder)
        meaning.append(time.perf_counter() - t0)
        ctx = FollowUpContext.for_answer(question, bank, persona, ANSWER, score, [question.text])
        result = planner.plan(ctx)
        ready.append(time.perf_counter() - t0)
        assert result is not None and result.llm_output is None
        t0 = time.perf_counter()
        large.plan(ctx)
        llm_choice.append(time.perf_counter() - t0)
        speculative = SpeculativePlanner(planner)
        speculative.update(ctx)
        speculative.wait_draft()
        t0 = time.perf_counter()
        speculative.finish(ctx, budget=0.3)
        drafted.append(time.perf_counter() - t0)
        speculative.close()
    return {
        "scoring_phrases_only_s": _median(phrases),
        "scoring_s": _median(meaning),
        "meaning_to_phrases_ratio": round(_median(meaning) / max(_median(phrases), 1e-6), 1),
        "scored_and_followup_ready_s": _median(ready),
        "ready_from_draft_s": _median(drafted),
        "llm_choice_s": _median(llm_choice),
        "answer_words": len(ANSWER.split()),
        "trials": trials,
    }


def measure_startup(trials: int = 3) -> dict:
    """Launch the desktop app (a new process each time) and time process start -> first painted window."""
    import json
    import os
    import subprocess
    import sys

    seen = []
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "startup.json"
        env = {**os.environ, "MOCKLOOP_STARTUP_REPORT": str(report), "MOCKLOOP_STARTUP_QUIT": "1",
               "MOCKLOOP_DATA_DIR": str(Path(tmp) / "data")}
        if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
            env.setdefault("QT_QPA_PLATFORM", "offscreen")
        for _ in range(trials):
            report.unlink(missing_ok=True)
            subprocess.run([sys.executable, "-m", "mockloop"], env=env, capture_output=True, timeout=120, check=False)
            if report.is_file():
                seen.append(json.loads(report.read_text(encoding="utf-8"))["visible_seconds"])
    return {"window_visible_s": _median(seen) if seen else None, "trials": len(seen),
            "platform": env.get("QT_QPA_PLATFORM") or ("wayland" if env.get("WAYLAND_DISPLAY") else "xcb")}


def _peak_rss_mb() -> float:
    """The most memory this process has held so far (every model loaded, a turn run)."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 1024), 1)


def run_bench(quick: bool = False, settings: Settings | None = None) -> dict:
    from mockloop.engine.models.engines import Engines
    from mockloop.engine.tools.asking_bench import measure_asking
    from mockloop.engine.tools.speech_bench import default_clips, measure_streaming

    started = time.perf_counter()
    startup = measure_startup(trials=2 if quick else 3)  # first, while the machine is not busy with our models
    engines = Engines(settings or Settings())
    engines.warm()
    loads = dict(engines.load_seconds)
    speech = measure_streaming(default_clips(60.0 if quick else 120.0), decoder=engines.decoder)
    tts = measure_tts(engines, trials=4 if quick else 8)
    followup = measure_followup(engines, trials=3 if quick else 5)
    asking = measure_asking(engines, trials=1 if quick else 2)
    engines.close()
    from mockloop.engine.coding.sandbox import measure_run_seconds

    code_run = measure_run_seconds(repeats=3 if quick else 7)
    med = speech["median"]
    long_clip = speech["clips"][-1]
    voice_to_voice = long_clip["final_latency_stream_s"] + followup["scored_and_followup_ready_s"] + tts["first_audio_uncached_s"]
    return {
        "machine": machine(),
        "startup": startup,
        "model_load_s": loads,
        "speech": speech,
        "tts": tts,
        "followup": followup,
        "code_run": code_run,
        "asking": asking,
        "turn": {
            "answer_seconds": long_clip["duration_s"],
            "final_transcript_s": long_clip["final_latency_stream_s"],
            "final_transcript_batch_s": long_clip["final_latency_batch_s"],
            "voice_to_voice_s": round(voice_to_voice, 3),
            "note": "turn end -> final transcript (streaming) + scoring and follow-up + first audio of the uncached reply",
        },
        "summary": {
            "caption_lag_s": med["caption_lag_s"],
            "final_latency_stream_s": med["final_latency_stream_s"],
            "final_latency_batch_s": med["final_latency_batch_s"],
            "latency_ratio_stream_to_batch": med["latency_ratio_stream_to_batch"],
            "wer_stream": med["wer_stream"],
            "wer_batch": med["wer_batch"],
            "rtf_stream": med["rtf_stream"],
            "tts_first_audio_uncached_s": tts["first_audio_uncached_s"],
            "tts_first_audio_cached_s": tts["first_audio_cached_s"],
            "followup_ready_s": followup["scored_and_followup_ready_s"],
            "scoring_s": followup["scoring_s"],
            "scoring_phrases_only_s": followup["scoring_phrases_only_s"],
            "text_model_load_s": loads.get("text"),
            "voice_to_voice_s": round(voice_to_voice, 3),
            "peak_rss_mb": speech["peak_rss_mb"],
            "process_peak_rss_mb": _peak_rss_mb(),
            "window_visible_s": startup["window_visible_s"],
            "code_run_to_result_s": code_run.get("median_s"),
            "code_run_to_result_numpy_s": code_run.get("numpy_median_s"),
            "clarify_reply_start_s": asking["reply_start_cached_s"],
            "clarify_reply_start_uncached_s": asking["reply_start_uncached_s"],
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
