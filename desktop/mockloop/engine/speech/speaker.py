"""Speaks the interviewer's text: clause-by-clause synthesis streamed to an AudioOut, with barge-in."""

from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from mockloop.engine.audio.base import AudioOut
from mockloop.engine.audio.resample import resample

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
_DASH = re.compile(r"\s+(?:--|-|\u2013|\u2014)\s+|(?<=\w)(?:\u2014|--)(?=\w)")
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+")
_ABBREVIATIONS = {"mr.", "mrs.", "ms.", "dr.", "prof.", "e.g.", "i.e.", "vs.", "etc.", "approx.", "no.", "st."}


def _sentences(text: str) -> list[str]:
    pieces = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    merged: list[str] = []
    for piece in pieces:  # "Mr." or "e.g." does not end a sentence
        last = merged[-1].split()[-1] if merged else ""
        if merged and (last.lower() in _ABBREVIATIONS or re.fullmatch(r"[A-Z]\.", last)):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def split_clauses(text: str, max_words: int = 12, min_words: int = 4) -> list[str]:
    """Sentences, with sentences longer than max_words cut at , ; : and dashes (spoken as commas).

    Pieces shorter than min_words stay joined to a neighbour, so speech does not sound choppy.
    """
    clauses: list[str] = []
    for sentence in _sentences(" ".join(text.split())):
        if len(sentence.split()) <= max_words:
            clauses.append(sentence)
            continue
        pieces: list[str] = []
        buf = ""
        for part in (p.strip() for p in _CLAUSE_BREAK.split(_DASH.sub(", ", sentence))):
            if not part:
                continue
            buf = f"{buf} {part}" if buf else part
            if len(buf.split()) >= min_words:
                pieces.append(buf)
                buf = ""
        if buf:
            if pieces and len(buf.split()) < min_words:
                pieces[-1] = f"{pieces[-1]} {buf}"
            else:
                pieces.append(buf)
        clauses.extend(pieces)
    return clauses


@dataclass
class SpokenReport:
    """What was actually said of one text (for the transcript of a barged-in turn)."""

    text: str
    seconds_spoken: float
    seconds_total: float | None  # None when stopped before the whole text was synthesized
    words_spoken: int  # estimated from the share of each clause's audio that was played
    words_total: int
    interrupted: bool
    first_audio_seconds: float | None  # say() to the first audio handed to the output
    from_cache: bool = False
    timeline: list[tuple[str, int]] = field(default_factory=list)  # ("synthesized"|"queued", clause), in order


class _Utterance:
    def __init__(self, text: str, rate: float, clauses: list[str]) -> None:
        self.text = text
        self.rate = rate
        self.clauses = clauses
        self.words = [len(c.split()) for c in clauses]
        self.durations: list[float] = []  # seconds queued per clause
        self.total_known = False
        self.from_cache = False
        self.t_say = time.perf_counter()
        self.t_first: float | None = None
        self.timeline: list[tuple[str, int]] = []
        self.cancelled = False
        self.report: SpokenReport | None = None
        self.done = threading.Event()


class Speaker:
    """Speaks text through an AudioOut; one worker thread owns the voice.

    `speaking` is set while audio is playing (the endpointer ignores the microphone
    then, for half-duplex); `synthesizing` is set while the voice model is busy (a
    TtsCache prefetch yields to it).
    """

    def __init__(self, voice, out: AudioOut, *, cache=None, max_clause_words: int = 12) -> None:
        self.voice = voice
        self.out = out
        self.cache = cache
        self.max_clause_words = max_clause_words
        self.speaking = threading.Event()
        self.synthesizing = threading.Event()
        self.last_report: SpokenReport | None = None
        self.error: Exception | None = None  # the last synthesis or playback failure
        self._jobs: queue.Queue = queue.Queue()
        self._lock = threading.Lock()  # orders "queue audio" against "stop"
        self._current: _Utterance | None = None
        self._thread = threading.Thread(target=self._work, name="mockloop-speaker", daemon=True)
        self._thread.start()

    def say(self, text: str, rate: float = 1.0) -> None:
        """Start speaking (returns at once); anything still being said is stopped first."""
        self.stop()
        utt = _Utterance(text, rate, split_clauses(text, self.max_clause_words))
        self._current = utt
        self._jobs.put(utt)

    def wait(self, timeout: float | None = None) -> SpokenReport | None:
        """Block until the current text has been spoken or stopped; None on timeout."""
        utt = self._current
        if utt is None:
            return self.last_report
        return utt.report if utt.done.wait(timeout) else None

    def stop(self) -> SpokenReport | None:
        """Barge-in / skip: silence within one output block; report what was spoken."""
        utt = self._current
        if utt is None or utt.done.is_set():
            return self.last_report
        with self._lock:
            utt.cancelled = True
            played = self.out.stop()
        return self._finish(utt, played, interrupted=True)

    def close(self) -> None:
        self.stop()
        self._jobs.put(None)
        if self._thread is not threading.current_thread():
            self._thread.join()

    def _finish(self, utt: _Utterance, played: float, interrupted: bool) -> SpokenReport:
        with self._lock:
            if utt.report is None:
                utt.report = self._report(utt, played, interrupted)
                self.last_report = utt.report
                self.speaking.clear()
                utt.done.set()
            return utt.report

    @staticmethod
    def _report(utt: _Utterance, played: float, interrupted: bool) -> SpokenReport:
        total = sum(utt.durations) if utt.total_known else None
        words_total = sum(utt.words)
        if utt.from_cache:
            spoken = words_total * min(1.0, played / total) if total else 0.0
        else:
            spoken, start = 0.0, 0.0
            for words, duration in zip(utt.words, utt.durations):
                if duration > 0:
                    spoken += words * min(1.0, max(0.0, (played - start) / duration))
                start += duration
        if not interrupted:
            spoken = words_total
        first = None if utt.t_first is None else utt.t_first - utt.t_say
        return SpokenReport(utt.text, played, total, int(round(spoken)), words_total, interrupted, first, utt.from_cache, list(utt.timeline))

    def _queue_audio(self, utt: _Utterance, audio: np.ndarray, clause: int) -> bool:
        """Hand audio to the output unless the utterance was stopped; False when it was."""
        rate = self.voice.sample_rate
        device_rate = getattr(self.out, "device_rate", 0) or 0
        if device_rate and device_rate != rate:
            audio, rate = resample(audio, rate, device_rate), device_rate  # outside the lock: stop() stays fast
        with self._lock:
            if utt.cancelled:
                return False
            self.out.play(audio, rate)
            if utt.t_first is None:
                utt.t_first = time.perf_counter()
                self.speaking.set()
            while len(utt.durations) <= clause:
                utt.durations.append(0.0)
            utt.durations[clause] += len(audio) / rate
            utt.timeline.append(("queued", clause))
        return True

    def _speak(self, utt: _Utterance) -> None:
        self.out.stop()  # nothing is playing; this resets the output's played-seconds counter
        cached = self.cache.get(utt.text, utt.rate) if self.cache is not None else None
        if cached is not None:
            utt.from_cache = True
            utt.words = [sum(utt.words)]
            if not self._queue_audio(utt, cached, 0):
                return
        else:
            self.synthesizing.set()
            parts = []
            try:
                for i, clause in enumerate(utt.clauses):
                    for part in self.voice.sentences(clause, utt.rate):
                        if utt.cancelled or not self._queue_audio(utt, part, i):
                            return
                        parts.append(part)
                    utt.timeline.append(("synthesized", i))
            finally:
                self.synthesizing.clear()
            if self.cache is not None and parts:  # said once, ready the next time (and for keeping with the turn)
                self.cache.put(utt.text, utt.rate, np.concatenate(parts))
        utt.total_known = True
        self.out.wait()
        if not utt.cancelled:
            self._finish(utt, self.out.played_seconds, interrupted=False)

    def _work(self) -> None:
        while True:
            utt = self._jobs.get()
            if utt is None:
                return
            if utt.cancelled:
                continue
            try:
                self._speak(utt)
            except Exception as exc:  # keep the worker alive; the caller sees the error on the speaker
                self.error = exc
            finally:
                if not utt.done.is_set() and not utt.cancelled:
                    self._finish(utt, self.out.stop(), interrupted=True)
