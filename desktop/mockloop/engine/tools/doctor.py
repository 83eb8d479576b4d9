"""`mockloop doctor`: check every model, the audio devices, the display and the offline guard."""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from mockloop import __version__
from mockloop.engine.models import offline, registry
from mockloop.engine.audio.devices import audio_report
from mockloop.engine.core.errors import ModelError
from mockloop.engine.core.settings import Settings

SMOKE_SENTENCE = "Tell me about a model you shipped to production."


@dataclass
class ModelCheck:
    role: str
    ok: bool
    info: dict = field(default_factory=dict)
    load_seconds: float | None = None
    smoke: str = ""
    error: dict | None = None

    def as_dict(self) -> dict:
        base = {"name": None, "source": None, "path": None, "size_bytes": None}
        return {"role": self.role, "ok": self.ok, **base, **self.info, "load_seconds": self.load_seconds, "smoke": self.smoke, "error": self.error}


def _error_dict(exc: ModelError) -> dict:
    return {"kind": exc.kind, "path": str(exc.path) if exc.path else None, "problem": exc.problem, "fix": exc.fix}


def display_status() -> dict:
    if sys.platform in ("darwin", "win32"):
        return {"available": True, "reason": ""}
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY"):
        return {"available": True, "reason": ""}
    return {
        "available": False,
        "reason": "No display (DISPLAY and WAYLAND_DISPLAY are unset): the window cannot open; headless commands still work.",
    }


def _check_models(settings: Settings, verify_hashes: bool) -> list[ModelCheck]:
    from mockloop.engine.models.llm import LocalLLM
    from mockloop.engine.speech.transcript import SAMPLE_RATE
    from mockloop.engine.speech.whisper_decoder import Transcriber
    from mockloop.engine.speech.tts import Voice

    checks: dict[str, ModelCheck] = {}
    infos = {}
    for role in registry.ROLES:
        try:
            info = registry.resolve(role, settings)
            if verify_hashes and info.source == "bundled":
                registry.verify_bundled_hash(info)
            infos[role] = info
            checks[role] = ModelCheck(role, True, info.as_dict())
        except ModelError as exc:
            checks[role] = ModelCheck(role, False, error=_error_dict(exc))

    spoken: np.ndarray | None = None
    if "tts" in infos:
        check = checks["tts"]
        try:
            started = time.perf_counter()
            voice = Voice(infos["tts"])
            check.load_seconds = round(time.perf_counter() - started, 3)
            spoken = voice.synthesize(SMOKE_SENTENCE)
            check.smoke = f"spoke {len(spoken) / voice.sample_rate:.1f} s of audio for a test sentence"
            import soxr

            spoken = soxr.resample(spoken, voice.sample_rate, SAMPLE_RATE).astype(np.float32)
        except ModelError as exc:
            check.ok, check.error = False, _error_dict(exc)
    if "stt" in infos:
        check = checks["stt"]
        try:
            started = time.perf_counter()
            stt = Transcriber(infos["stt"])
            check.load_seconds = round(time.perf_counter() - started, 3)
            if spoken is not None:
                heard = stt.transcribe(spoken).text
                check.smoke = f'heard the test sentence as "{heard}"'
            else:
                heard = stt.transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32)).text
                check.smoke = f"transcribed one second of silence ({len(heard.split())} words); the voice was not available for a spoken test"
        except ModelError as exc:
            check.ok, check.error = False, _error_dict(exc)
    if "llm" in infos:
        check = checks["llm"]
        try:
            started = time.perf_counter()
            llm = LocalLLM(infos["llm"], n_ctx=512)
            check.load_seconds = round(time.perf_counter() - started, 3)
            reply = llm.chat([{"role": "user", "content": "Reply with one word: ready."}], max_tokens=8)
            check.smoke = f'replied "{reply}"'
            if not reply:
                check.ok = False
                check.error = {"kind": "load-failed", "path": str(infos["llm"].path), "problem": "The model loaded but produced no text.", "fix": "Use another GGUF file."}
            llm.close()
        except ModelError as exc:
            check.ok, check.error = False, _error_dict(exc)
    if "text" in infos:
        checks["text"].load_seconds, checks["text"].smoke = _smoke_text(infos["text"], checks["text"])
    return [checks[r] for r in registry.ROLES]


PARAPHRASE = ("Of the tweets we flag, what share really are spam?", "What fraction of flagged tweets are truly spam?",
              "The weather was sunny all week.")


def _smoke_text(info, check: ModelCheck) -> tuple[float | None, str]:
    """Load the text model and check that a paraphrase is closer than an unrelated sentence."""
    from mockloop.engine.understanding.encoder import TextEncoder

    try:
        started = time.perf_counter()
        encoder = TextEncoder(info)
        seconds = round(time.perf_counter() - started, 3)
        sims = encoder.align(PARAPHRASE[:1], PARAPHRASE[1:])[0]
    except ModelError as exc:
        check.ok, check.error = False, _error_dict(exc)
        return None, ""
    if not sims[0] > sims[1]:
        check.ok = False
        check.error = {"kind": "load-failed", "path": str(info.path), "problem": "The text model loaded but cannot tell a paraphrase from an unrelated sentence.",
                       "fix": "Use another text model, or remove it from the models folder to use the bundled one."}
    return seconds, f"a paraphrase scored {sims[0]:.2f}, an unrelated sentence {sims[1]:.2f}"


def run_doctor(settings: Settings | None = None, verify_hashes: bool = True) -> dict:
    """Everything `mockloop doctor` reports, as one JSON-ready document."""
    settings = settings or Settings.load()
    offline.enforce_offline_env()
    with offline.network_blocked() as attempts:
        models = _check_models(settings, verify_hashes)
    audio = audio_report()
    display = display_status()
    env_status = offline.offline_env_status()
    offline_ok = not attempts and all(env_status.values())
    problems = [f"{m.role}: {m.error['problem']} {m.error['fix']}" for m in models if not m.ok and m.error]
    if not offline_ok:
        problems.append("offline: something tried to reach the network while the models loaded.")
    warnings = [r for r in (audio.reason, display["reason"]) if r]
    return {
        "ok": not problems,
        "version": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "models": [m.as_dict() for m in models],
        "audio": audio.as_dict(),
        "display": display,
        "offline": {"ok": offline_ok, "network_attempts": attempts, "env": env_status},
        "problems": problems,
        "warnings": warnings,
    }
