"""Small pieces of a turn: joining answer parts, saving the interviewer's audio, the spoken feedback line."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mockloop.engine.speech.transcript import Transcript, Word

GAP_SECONDS = 0.5  # between joined parts, so the join never reads as a thinking pause


def combine(parts: list[Transcript]) -> Transcript:
    """One transcript from an answer given in parts (design phases, follow-up answers)."""
    words: list[Word] = []
    offset = 0.0
    for part in parts:
        for w in part.words:
            if w.start is None or w.end is None:
                words.append(w)
            else:
                words.append(Word(w.text, round(w.start + offset, 3), round(w.end + offset, 3), w.probability))
        timed_end = max((w.end for w in part.words if w.end is not None), default=0.0)
        offset += max(part.duration, timed_end) + GAP_SECONDS
    text = " ".join(p.text.strip() for p in parts if p.text.strip())
    return Transcript(text, words, max(0.0, offset - GAP_SECONDS))


def has_content(transcript: Transcript, exchanges=(), min_words: int = 10) -> bool:
    """Whether an answer says something beyond what the candidate said to the interviewer."""
    text = transcript.text
    for exchange in exchanges:
        text = text.replace(exchange.asked, " ")
    return len([w for w in text.split() if any(c.isalnum() for c in w)]) >= min_words


def save_audio(path: Path | str, audio: np.ndarray, rate: int) -> None:
    """Write mono audio as a private 16-bit WAV (interviewer lines, imported answers)."""
    import os

    import soundfile as sf

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    sf.write(str(path), np.asarray(audio, dtype=np.float32), rate, subtype="PCM_16")
    os.chmod(path, 0o600)


def spoken_feedback(score) -> str:
    """One or two short sentences the interviewer says before moving on (the details are on screen)."""
    if "no_speech" in score.flags:
        return "I didn't hear an answer there. Let's move on; you can come back to it later."
    if "non_english" in score.flags:
        return "That didn't sound like English, so I couldn't score it. Let's move on."
    strengths = [p for p in score.rubric if p.status == "covered"]
    gaps = sorted((p for p in score.rubric if p.status != "covered"), key=lambda p: -p.weight)
    parts = ["Thanks."]
    if strengths:
        parts.append(f"You covered {len(strengths)} of the {len(score.rubric)} things I was looking for.")
    if gaps:
        parts.append("Your feedback has the gaps and a model answer outline.")
    return " ".join(parts)
