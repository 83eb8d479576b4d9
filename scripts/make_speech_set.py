"""Make the project's speech set (tests/data/speech): clips spoken by Piper and espeak-ng, plus bad files.

Usage: .venv/bin/python scripts/make_speech_set.py [--out DIR] [--only NAME ...]

The clip texts live in mockloop.engine.tools.speech_set.SPECS. Output: 16 kHz mono FLAC
per clip and references.json (text, voice, noise, pause positions, duration).
Piper's synthesis is not bit-exact between runs, so regenerating changes the files.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from mockloop.engine.models import registry
from mockloop.engine.audio.base import STT_RATE
from mockloop.engine.audio.resample import resample, to_mono
from mockloop.engine.core.settings import Settings
from mockloop.engine.tools.speech_set import BAD_FILES, REFERENCES, SPECS, ClipSpec, add_noise, hard_clip, speech_dir
from mockloop.engine.speech.tts import Voice


def espeak(text: str) -> np.ndarray:
    if not shutil.which("espeak-ng"):
        sys.exit("espeak-ng is not installed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "out.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
        samples, rate = sf.read(str(wav), dtype="float32", always_2d=True)
    return resample(to_mono(samples), rate, STT_RATE)


def speak(voice: Voice, spec: ClipSpec) -> tuple[np.ndarray, list[tuple[float, float]], str]:
    """The spec's parts as one clip; returns audio, (start, seconds) of each pause, and the text."""
    parts, pauses, texts, t = [], [], [], 0.0
    for part in spec.parts:
        if isinstance(part, float):
            audio = np.zeros(int(part * STT_RATE), dtype=np.float32)
            pauses.append((round(t, 3), part))
        else:
            audio = espeak(part) if spec.voice == "espeak-ng" else resample(voice.synthesize(part), voice.sample_rate, STT_RATE)
            texts.append(part)
        parts.append(audio)
        t += len(audio) / STT_RATE
    return np.concatenate(parts), pauses, " ".join(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=speech_dir())
    parser.add_argument("--only", nargs="+", metavar="NAME", help="make only these clips; the others are kept as they are")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    voice = Voice(registry.resolve("tts", Settings()))
    clips = {}
    if args.only:
        clips = dict(json.loads((out / REFERENCES).read_text(encoding="utf-8"))["clips"])
    for seed, spec in enumerate(SPECS):
        if args.only and spec.name not in args.only:
            continue
        audio, pauses, text = speak(voice, spec)
        # Scale speech to a typical microphone level before noise and clipping.
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak > 0:
            audio = audio * (0.5 / peak)
        if spec.noise:
            audio = add_noise(audio, spec.noise, spec.snr_db, seed=seed)
        if spec.clip_gain:
            audio = hard_clip(audio, spec.clip_gain)
        file = f"{spec.name}.flac"
        sf.write(str(out / file), audio, STT_RATE, subtype="PCM_16")
        clips[spec.name] = {
            "file": file, "text": text, "voice": spec.voice, "noise": spec.noise, "snr_db": spec.snr_db,
            "clip_gain": spec.clip_gain, "pauses": pauses, "duration": round(len(audio) / STT_RATE, 3),
            "vocabulary": list(spec.vocabulary), "tags": list(spec.tags),
        }
        print(f"{spec.name:24s} {len(audio) / STT_RATE:6.1f} s  {(out / file).stat().st_size / 1024:6.0f} KiB")
    for name, file, data in BAD_FILES if not args.only else ():
        (out / file).write_bytes(data)
        clips[name] = {"file": file, "text": "", "expect": "error", "tags": ["bad"]}
    (out / REFERENCES).write_text(json.dumps({"version": 1, "rate": STT_RATE, "clips": clips}, indent=1) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in out.iterdir())
    print(f"{len(clips)} files, {total / 1e6:.1f} MB in {out}")


if __name__ == "__main__":
    main()
