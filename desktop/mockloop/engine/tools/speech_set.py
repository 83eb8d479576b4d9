"""The project's own speech set: spoken interview answers with reference texts, for tests and benchmarks.

The clips are made by scripts/make_speech_set.py (Piper and espeak-ng, clean and
noisy, with thinking pauses) and stored as 16 kHz mono FLAC beside references.json.
Long inputs (a 2-minute answer, a 30-minute stream) are built here at run time.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from mockloop.engine.audio.base import BLOCK_SAMPLES, STT_RATE, AudioBlock
from mockloop.engine.audio.resample import levels
from mockloop.engine.audio.loading import load_audio

ENV_SPEECH_SET = "MOCKLOOP_SPEECH_SET"
_REPO_DIR = Path(__file__).resolve().parents[4]  # <repo>/desktop/mockloop/engine/tools/speech_set.py
REFERENCES = "references.json"


@dataclass(frozen=True)
class ClipSpec:
    """How to make one clip: text parts (str) and thinking pauses (seconds, float) in order."""

    name: str
    voice: str  # "piper" | "espeak-ng" | "none"
    parts: tuple[str | float, ...]
    noise: str | None = None  # "white" | "pink"
    snr_db: float | None = None
    clip_gain: float | None = None  # amplify then hard-clip (a too-hot microphone)
    vocabulary: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


_SHORT = ("Um, so I would start with a simple baseline, uh, logistic regression, and then compare it "
          "against gradient boosted trees on the same validation set.")
_MEDIUM = ("Okay, so for spam detection the classes are really imbalanced. Um, only a tiny fraction of "
           "accounts are bots, so accuracy is useless here, and I would look at precision and recall instead. "
           "Uh, for the model, I would start with logistic regression on account features, like the age of the "
           "account, the posting rate, and how many people follow it back. Then, you know, I would try gradient "
           "boosting, and I would tune the threshold based on the cost of a false positive, because blocking a "
           "real user is really bad.")
_THINKING = (
    "So the question is how to rank the home timeline. Um, let me think about the candidates first.",
    2.5,
    "Okay. So I would pull candidates from the accounts you follow, and also from similar users, uh, "
    "using embeddings. Then a light model filters them down to a few hundred.",
    5.5,
    "Right, and then the heavy ranker. Um, I would use a neural network that predicts likes, replies and "
    "reposts, and combine those into one score. Like, you know, a weighted sum. And finally I would add "
    "some rules for diversity, so you don't see the same author again and again.",
)
_ESPEAK_SHORT = "I think the first thing to check is the data. Uh, where do the labels come from, and how noisy are they?"
_ESPEAK_MEDIUM = ("To evaluate the new ranking model, I would run an online experiment. Um, users are split at "
                  "random into a control group and a treatment group. The main metric could be time spent or "
                  "engagement, uh, but I would also watch guardrail metrics like the report rate. And, you know, "
                  "I would make sure the test runs long enough to cover weekly patterns, and that the novelty "
                  "effect has worn off before I trust the result.")
_FILLERS = ("Um, so, uh, I think, like, the main issue is, um, the labels. You know, uh, they are, like, "
            "really noisy, and, um, that makes it hard.")
_VOCAB = "I would compare GraphSAGE embeddings with node2vec for link prediction."
# The approach to the coding round's ROC-AUC question, said before the first line of code.
_CODING = ("Okay, so the area under the curve is the probability that a random positive gets a higher score "
           "than a random negative. Rather than comparing every pair, which is quadratic, I'll sort the scores "
           "once and add up the ranks of the positives. Tied scores get their average rank, so a tie counts as "
           "half, and if there are no positives or no negatives I return not a number. The sort dominates, so "
           "it's n log n.")
# A system design answer that opens with two questions to the interviewer (Trending Topics), then the design.
_ASK_VOLUME = "Before I design anything, how many posts a day are we talking about?"
_ASK_FRESHNESS = "And how fresh does the trends list need to be?"
_AFTER_ASKING = ("Okay, that helps. Then I would count hashtags and named entities in sliding windows on the stream, "
                 "compare each count with its expected baseline for that hour, and rank topics by the size of the spike.")

SPECS: tuple[ClipSpec, ...] = (
    ClipSpec("piper_short", "piper", (_SHORT,), tags=("answer",)),
    ClipSpec("piper_medium", "piper", (_MEDIUM,), tags=("answer",)),
    ClipSpec("piper_thinking", "piper", _THINKING, tags=("answer", "pauses")),
    ClipSpec("espeak_short", "espeak-ng", (_ESPEAK_SHORT,), tags=("answer",)),
    ClipSpec("piper_short_white20", "piper", (_SHORT,), noise="white", snr_db=20.0, tags=("answer", "noisy")),
    ClipSpec("espeak_medium_pink15", "espeak-ng", (_ESPEAK_MEDIUM,), noise="pink", snr_db=15.0, tags=("answer", "noisy")),
    ClipSpec("piper_fillers", "piper", (_FILLERS,), tags=("fillers",)),
    ClipSpec("espeak_fillers", "espeak-ng", (_FILLERS,), tags=("fillers",)),
    ClipSpec("piper_vocab", "piper", (_VOCAB,), vocabulary=("GraphSAGE", "node2vec", "Link Prediction"), tags=("vocabulary",)),
    ClipSpec("piper_coding", "piper", (_CODING,), tags=("coding",)),
    ClipSpec("piper_ask_volume", "piper", (_ASK_VOLUME,), tags=("asking",)),
    ClipSpec("piper_ask_freshness", "piper", (_ASK_FRESHNESS,), tags=("asking",)),
    ClipSpec("piper_after_asking", "piper", (_AFTER_ASKING,), tags=("asking",)),
    ClipSpec("piper_ask_minute", "piper", ("Can I have a minute to think about this?",), tags=("asking",)),
    ClipSpec("piper_ask_move_on", "piper", ("Sorry, I'm stuck on this one. Can we move on?",), tags=("asking",)),
    ClipSpec("bad_clipped", "piper", (_SHORT,), clip_gain=8.0, tags=("bad",)),
    ClipSpec("bad_silence", "none", (6.0,), noise="white", snr_db=None, tags=("bad", "silence")),  # a quiet room
)
# Files that are not audio at all: (name, file name, contents).
BAD_FILES = (("bad_empty", "bad_empty.wav", b""), ("bad_not_audio", "bad_not_audio.wav", b"RIFF? no: this is a text file, not audio.\n"))


@dataclass(frozen=True)
class Clip:
    """One clip of the set: 16 kHz mono float32 audio and what is said in it."""

    name: str
    text: str
    audio: np.ndarray = field(repr=False)
    voice: str = ""
    noise: str | None = None
    snr_db: float | None = None
    pauses: tuple[tuple[float, float], ...] = ()  # (start, seconds) of each thinking pause
    vocabulary: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        return len(self.audio) / STT_RATE


def speech_dir() -> Path:
    """Where the stored set lives: $MOCKLOOP_SPEECH_SET, else tests/data/speech in a source checkout."""
    override = os.environ.get(ENV_SPEECH_SET)
    return Path(override).expanduser() if override else _REPO_DIR / "tests" / "data" / "speech"


def references(directory: Path | None = None) -> dict:
    directory = directory or speech_dir()
    path = directory / REFERENCES
    if not path.is_file():
        raise FileNotFoundError(f"The speech set is missing ({path}); run scripts/make_speech_set.py.")
    return json.loads(path.read_text(encoding="utf-8"))


def load_set(directory: Path | None = None, tags: tuple[str, ...] = ()) -> dict[str, Clip]:
    """The stored audio clips (bad files excluded), optionally only those with any of `tags`."""
    directory = directory or speech_dir()
    clips = {}
    for name, ref in references(directory)["clips"].items():
        if ref.get("expect") == "error" or (tags and not set(tags) & set(ref.get("tags", ()))):
            continue
        clips[name] = Clip(
            name=name, text=ref["text"], audio=load_audio(directory / ref["file"]), voice=ref.get("voice", ""),
            noise=ref.get("noise"), snr_db=ref.get("snr_db"), pauses=tuple(tuple(p) for p in ref.get("pauses", ())),
            vocabulary=tuple(ref.get("vocabulary", ())), tags=tuple(ref.get("tags", ())),
        )
    return clips


def concatenate(name: str, clips: list[Clip], gap: float = 1.5) -> Clip:
    """Clips one after another with `gap` seconds of silence between them."""
    silence = np.zeros(int(gap * STT_RATE), dtype=np.float32)
    parts, pauses, texts, t = [], [], [], 0.0
    for i, clip in enumerate(clips):
        if i:
            parts.append(silence)
            t += gap
        parts.append(clip.audio)
        pauses.extend((t + s, d) for s, d in clip.pauses)
        texts.append(clip.text)
        t += clip.duration
    return Clip(name, " ".join(texts), np.concatenate(parts), voice="mixed", pauses=tuple(pauses), tags=("answer", "long"))


def long_answer(clips: dict[str, Clip], seconds: float = 120.0) -> Clip:
    """An answer of at least `seconds`, built from the clean answer clips (with their pauses)."""
    pool = [c for c in clips.values() if "answer" in c.tags and "noisy" not in c.tags]
    pool.sort(key=lambda c: -c.duration)
    chosen, total = [], 0.0
    while total < seconds:
        clip = pool[len(chosen) % len(pool)]
        chosen.append(clip)
        total += clip.duration + 1.5
    return concatenate(f"long_{int(seconds)}s", chosen)


def blocks(audio: np.ndarray, start: float = 0.0, block: int = BLOCK_SAMPLES) -> Iterator[AudioBlock]:
    """A clip cut into AudioBlocks exactly as capture delivers them (the last one may be shorter)."""
    audio = np.asarray(audio, dtype=np.float32)
    for i in range(0, len(audio), block):
        samples = audio[i:i + block].copy()
        rms, peak = levels(samples)
        yield AudioBlock(samples=samples, start=start + i / STT_RATE, rms=rms, peak=peak)


def looped_blocks(clip: Clip, seconds: float, gap: float = 1.0) -> Iterator[AudioBlock]:
    """`seconds` of audio made by repeating a clip (with a gap), generated block by block so it is never all in memory."""
    one = np.concatenate([clip.audio, np.zeros(int(gap * STT_RATE), dtype=np.float32)])
    total = int(seconds * STT_RATE)
    pos = 0
    while pos < total:
        offset = pos % len(one)
        n = min(BLOCK_SAMPLES, total - pos)
        samples = np.take(one, np.arange(offset, offset + n), mode="wrap")
        rms, peak = levels(samples)
        yield AudioBlock(samples=samples, start=pos / STT_RATE, rms=rms, peak=peak)
        pos += n


# ---- making clips (used by scripts/make_speech_set.py) -------------------------------------------------


def add_noise(audio: np.ndarray, kind: str, snr_db: float | None, seed: int = 0, level_db: float = -60.0) -> np.ndarray:
    """White or pink noise at `snr_db` below the speech power, or at an absolute level when snr_db is None."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(len(audio))
    if kind == "pink":  # 1/f power: scale the spectrum by 1/sqrt(f)
        spectrum = np.fft.rfft(noise)
        f = np.arange(len(spectrum), dtype=np.float64)
        f[0] = 1.0
        noise = np.fft.irfft(spectrum / np.sqrt(f), n=len(audio))
    noise /= np.sqrt(np.mean(noise ** 2)) + 1e-12
    voiced = audio[np.abs(audio) > 1e-4]
    if snr_db is None or voiced.size == 0:
        rms = 10 ** (level_db / 20)
    else:
        rms = np.sqrt(np.mean(voiced.astype(np.float64) ** 2)) / 10 ** (snr_db / 20)
    return np.clip(audio + rms * noise, -1.0, 1.0).astype(np.float32)


def hard_clip(audio: np.ndarray, gain: float) -> np.ndarray:
    return np.clip(audio * gain, -1.0, 1.0).astype(np.float32)


# ---- scoring ------------------------------------------------------------------------------------------

_FILLER_SPELLINGS = {"umm": "um", "ummm": "um", "uhh": "uh", "uhm": "um", "hmm": "hmm", "mm": "hmm", "hm": "hmm", "er": "uh", "ah": "uh"}
FILLERS = ("um", "uh", "hmm", "like", "you know")


def normalize(text: str) -> str:
    """Lowercase words without punctuation, with fillers spelt one way, for WER."""
    text = text.lower().replace("-", " ").replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    words = [w.strip("'") for w in text.split()]
    return " ".join(_FILLER_SPELLINGS.get(w, w) for w in words if w)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, after normalize()."""
    ref, hyp = normalize(reference).split(), normalize(hypothesis).split()
    if not ref:
        return 0.0 if not hyp else 1.0
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / len(ref)


def count_fillers(text: str) -> dict[str, int]:
    words = normalize(text).split()
    joined = " ".join(words)
    counts = {f: words.count(f) for f in FILLERS if " " not in f}
    counts["you know"] = len(re.findall(r"\byou know\b", joined))
    return counts
