"""Live captions and a final transcript from faster-whisper, fed AudioBlocks as they are captured.

A worker thread re-decodes the short uncommitted audio buffer every ~0.5 s and commits
the word prefix two consecutive hypotheses agree on (LocalAgreement-2, as in
ufal/whisper_streaming). The buffer is trimmed at committed segment ends and at pauses,
and silence is never decoded, so each decode is cheap, memory stays bounded, and when
the turn ends only the uncommitted tail is decoded again.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Sequence

import numpy as np

from mockloop.engine.audio.base import STT_RATE, AudioBlock
from mockloop.engine.speech.local_agreement import LocalAgreement, looks_like_a_loop
from mockloop.engine.speech.transcript import Transcript, Word
from mockloop.engine.speech.speech_buffer import SPEECH, SpeechBuffer
from mockloop.engine.speech.stream_result import Caption, StreamResult
from mockloop.engine.speech.vad import WINDOW, StreamingVad
from mockloop.engine.speech.whisper_decoder import DecodeCancelled, WhisperDecoder, build_prompt

_NEAR_SPEECH = 0.3  # a word is kept only if some window this likely to be speech lies within 0.3 s of it


class StreamingTranscriber:
    """Feed AudioBlocks; get Captions on the worker thread; finish() gives the final transcript.

    One per turn (the decoder is shared). `on_caption` runs on the worker thread, so a
    UI must hand it over to its own thread. feed() only blocks when more than
    `backlog_seconds` of audio is waiting, which live capture never reaches on this
    machine and which keeps memory bounded when a file is fed as fast as possible.
    """

    def __init__(
        self,
        decoder: WhisperDecoder,
        *,
        vocabulary: Sequence[str] = (),
        question: str = "",
        on_caption: Callable[[Caption], None] | None = None,
        interval: float = 0.5,
        max_step: float = 2.0,
        trim_seconds: float = 6.0,
        max_buffer_seconds: float = 24.0,
        settle_seconds: float = 0.8,
        holdback: float = 0.5,
        agree_every: float = 1.5,
        backlog_seconds: float = 30.0,
    ) -> None:
        assert trim_seconds + 4.0 < max_buffer_seconds <= 28.0, "the buffer must fit one 30 s Whisper window"
        self.decoder = decoder
        self.vocabulary = tuple(vocabulary)
        self.question = question
        self.on_caption = on_caption
        self.interval = interval
        self.max_step = max_step
        self.trim_seconds = trim_seconds
        self.max_buffer_seconds = max_buffer_seconds
        self.settle_seconds = settle_seconds
        self.holdback = holdback
        self.agree_every = agree_every
        self._compared_at = float("-inf")
        self.backlog_seconds = backlog_seconds
        self._vad = StreamingVad()
        self._agree = LocalAgreement()
        self._cond = threading.Condition()
        self._pending: list[AudioBlock] = []
        self._pending_samples = 0
        self._busy = False
        self._drain = False  # wait_idle() asks for pending audio to be taken even if short
        self._settle = False  # settle() asks for one decode that commits everything heard so far
        self._finishing = False
        self._stopped = False
        self._result: StreamResult | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._buf = SpeechBuffer(self._vad)  # the uncommitted audio
        self._decoded_upto = 0  # buffer samples covered by the last decode
        self._tail_open = False  # the last decode ended inside speech: decode once more
        self._segment_ends: list[float] = []  # absolute ends of the last hypothesis's segments
        self._committed: list[Word] = []
        self._committed_text = ""
        self._tentative: tuple[Word, ...] = ()
        self._context = ""  # committed text whose audio was trimmed: the prompt's recent past
        self._decodes = 0
        self._rejected = 0  # hypotheses dropped as decoding loops
        self._cancel = threading.Event()  # set by finish(): abandon the decode in flight
        self._decode_seconds = 0.0

    # ---- caller side ---------------------------------------------------------------------------

    def start(self) -> "StreamingTranscriber":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mockloop-streaming-stt", daemon=True)
            self._thread.start()
        return self

    def __enter__(self) -> "StreamingTranscriber":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def feed(self, block: AudioBlock) -> None:
        """Queue one block (any thread). Blocks after finish() are ignored."""
        n = len(block.samples)
        if n == 0:
            return
        self.start()
        with self._cond:
            while self._pending_samples > self.backlog_seconds * STT_RATE and not (self._stopped or self._finishing):
                self._cond.wait()
            if self._stopped or self._finishing:
                return
            self._pending.append(block)
            self._pending_samples += n
            self._cond.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every fed block has been decoded (or skipped as silence)."""
        self.start()
        with self._cond:
            self._drain = True
            self._cond.notify_all()
            idle = self._cond.wait_for(lambda: (not self._pending and not self._busy) or self._error is not None or self._stopped, timeout)
            self._drain = False
            return idle

    def settle(self, timeout: float | None = None) -> bool:
        """At a pause: decode all the audio fed once more and commit its words up to the pause. False on timeout."""
        self.start()
        with self._cond:
            self._settle = True
            self._cancel.set()  # a step decode in flight is superseded by the settling one: drop it
            self._cond.notify_all()
            return self._cond.wait_for(lambda: not self._settle or self._error is not None or self._stopped
                                       or self._finishing, timeout)

    def finish(self, timeout: float | None = None) -> StreamResult:
        """The turn ended: decode what is not yet committed and return the final transcript."""
        t0 = time.perf_counter()
        self.start()
        with self._cond:
            self._finishing = True
            if self._pending_samples <= self._room():
                self._cancel.set()  # only the final decode is left to do: drop the one in flight
            self._cond.notify_all()
            done = self._cond.wait_for(lambda: self._result is not None or self._error is not None, timeout)
        if self._error is not None:
            raise self._error
        if not done:
            raise TimeoutError("the speech recognizer did not finish in time")
        assert self._result is not None
        self._result.finish_seconds = time.perf_counter() - t0
        self._join()
        return self._result

    def close(self) -> None:
        """Stop without a result (e.g. the session was cancelled)."""
        with self._cond:
            self._stopped = True
            self._cancel.set()
            self._cond.notify_all()
        self._join()

    def _join(self) -> None:
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    @property
    def committed(self) -> tuple[Word, ...]:
        return tuple(self._committed)

    @property
    def heard(self) -> tuple[Word, ...]:
        """Every word of the newest hypothesis: the committed ones and the tentative tail (read from other threads)."""
        return tuple(self._committed) + self._tentative

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ---- worker side ---------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._stopped or self._finishing or self._pending_samples >= self.interval * STT_RATE
                                        or (self._drain and self._pending_samples > 0) or self._settle)
                    if self._stopped:
                        return
                    settling = self._settle and not self._finishing
                    if settling:  # everything fed so far goes into this one decode (live audio keeps coming)
                        taken = self._take(max(self._room(), WINDOW))
                        self._busy = True
                if settling:
                    self._buf.append(taken)
                    self._settle_now()
                    continue
                with self._cond:
                    # Never let the buffer outgrow one Whisper window; the rest waits for a trim.
                    # Once the turn has ended, step decodes are pointless: take all that fits.
                    room = max(self._room(), WINDOW)
                    taken = self._take(room if self._finishing else min(self.max_step * STT_RATE, room))
                    last = self._finishing and not self._pending
                    self._busy = True
                    self._cond.notify_all()
                self._buf.append(taken)
                if last:
                    result = self._final()
                    with self._cond:
                        self._result = result
                        self._busy = False
                        self._cond.notify_all()
                    return
                if self._needs_decode():
                    self._step()
                self._trim()
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
        except BaseException as exc:  # hand the error to finish()/wait_idle() instead of dying silently
            with self._cond:
                self._error = exc
                self._busy = False
                self._cond.notify_all()

    def _room(self) -> int:
        """Samples the buffer can still take (read without the worker's cooperation: an estimate)."""
        return int(self.max_buffer_seconds * STT_RATE) - len(self._buf)

    def _take(self, limit: float) -> list[AudioBlock]:
        taken, n = [], 0
        while self._pending and (not taken or n + len(self._pending[0].samples) <= limit):
            block = self._pending.pop(0)
            taken.append(block)
            n += len(block.samples)
        self._pending_samples -= n
        return taken

    def _needs_decode(self) -> bool:
        fresh = self._buf.probs[self._decoded_upto // WINDOW:]
        return bool((fresh >= SPEECH).any()) or (self._tail_open and len(self._buf) > self._decoded_upto)

    def _decode(self, final: bool = False) -> list[Word] | None:
        """One hypothesis for the whole buffer, in absolute times, without words Whisper put in silence;
        None when Whisper got stuck repeating itself (nothing of it may be committed)."""
        prompt = build_prompt(self.vocabulary, self.question, self._context)
        t0 = time.perf_counter()
        try:
            segments = self.decoder.decode(self._buf.audio, prompt, cancel=None if final else self._cancel)
        except DecodeCancelled:  # finish() came: the final decode will cover this audio
            self._decode_seconds += time.perf_counter() - t0
            return None
        self._decode_seconds += time.perf_counter() - t0
        self._decodes += 1
        self._decoded_upto = len(self._buf)
        end_speech = self._buf.last_speech_sample()
        self._tail_open = end_speech > len(self._buf) - int(0.3 * STT_RATE)
        near = np.convolve(self._buf.probs >= _NEAR_SPEECH, np.ones(2 * int(0.3 * STT_RATE / WINDOW) + 1), mode="same") > 0
        words, self._segment_ends = [], []
        for seg in segments:
            kept = []
            for w in seg.words:
                lo, hi = int(w.start * STT_RATE) // WINDOW, int(w.end * STT_RATE) // WINDOW + 1
                if near[max(0, lo):max(lo + 1, hi)].any():
                    kept.append(Word(w.text, self._buf.time(w.start * STT_RATE), self._buf.time(w.end * STT_RATE), w.probability))
            if kept:
                words.extend(kept)
                self._segment_ends.append(kept[-1].end)
        if looks_like_a_loop(words):
            self._rejected += 1
            return None
        return words

    def _settle_now(self) -> None:
        try:
            with self._cond:
                if self._finishing:
                    return  # finish() set the cancel for its own reasons: its final decode covers this
                self._cancel.clear()
            if self._buf.anchors:
                words = self._decode()
                if words is not None:
                    edge = self._buf.time(self._buf.last_speech_sample()) + 0.15
                    self._publish(self._agree.settle(words, edge))
        finally:
            with self._cond:
                self._settle = self._busy = False
                self._cond.notify_all()

    def _step(self) -> None:
        words = self._decode()
        if words is None:
            return
        # Whisper guesses at a word cut off by the end of the buffer (and punctuates it as
        # the last word): near the live edge only commit words that silence follows.
        end = self._buf.time(len(self._buf))
        edge = end - self.holdback if self._tail_open else float("inf")
        compare = not self._tail_open or end - self._compared_at >= self.agree_every - 1e-6
        if compare:
            self._compared_at = end
        committed = self._agree.insert(words, edge, compare)
        self._publish(committed)

    def _publish(self, committed: list[Word]) -> None:
        # Read from other threads: words heard but not yet committed (the turn's last words are not final).
        self._tentative = tuple(self._agree.latest)
        if committed:
            self._committed.extend(committed)
            text = " ".join(w.text for w in committed)
            self._committed_text = f"{self._committed_text} {text}".strip()
        if self.on_caption is not None:
            tentative = tuple(self._agree.latest)
            self.on_caption(Caption(
                committed=self._committed_text,
                tentative=" ".join(w.text for w in tentative),
                new_words=tuple(committed),
                tentative_words=tentative,
                audio_end=self._buf.time(len(self._buf)) if self._buf.anchors else 0.0,
            ))

    def _trim(self) -> None:
        """Keep the buffer short: cut at a committed segment end, at a settled pause, or (rarely) by force."""
        if not self._buf.anchors:
            return
        n = len(self._buf)
        cut = None
        end_speech = self._buf.last_speech_sample()
        settled = end_speech == 0 or self._decoded_upto >= end_speech + int(0.3 * STT_RATE)
        if n - end_speech >= self.settle_seconds * STT_RATE and settled:
            # A pause (or no speech yet): the last decode saw every word with silence after it, so it is final.
            if self._agree.latest:
                self._publish(self._agree.final(None))
            cut = max(end_speech, n - int(0.3 * STT_RATE))
        elif n > self.trim_seconds * STT_RATE:
            # Cut where a committed segment or sentence ends, so the next decode starts cleanly.
            ends = self._segment_ends + [w.end for w in self._agree.committed_in_buffer if w.text[-1:] in ".?!"]
            start = self._buf.time(0) + 0.5
            done = [t for t in ends if start < t <= self._agree.last_time + 1e-3]
            if done:
                cut = self._buf.sample(max(done))
            elif n > (self.max_buffer_seconds - 4.0) * STT_RATE:
                # No agreement for too long (noise, mumbling): settle what is old enough.
                # Commit the newest hypothesis up to a segment end (else a word end) 5 s back, and
                # cut there, so the next buffer starts cleanly between words.
                limit = self._buf.time(n - 5 * STT_RATE)
                latest = self._agree.latest
                ends = [e for e in self._segment_ends if e <= limit] or [w.end for w in latest if w.end <= limit]
                old = [w for w in latest if w.end <= max(ends)] if ends else []
                if old:
                    self._agree.latest = latest[len(old):]
                    self._publish(self._agree.final(old))
                    cut = self._buf.sample(self._agree.last_time)
                else:  # Whisper found no words in this audio for this long: let it go
                    cut = n - 5 * STT_RATE
        if cut:
            self._cut(cut)

    def _cut(self, sample: int) -> None:
        cut = self._buf.cut(sample)
        if cut is None:
            return
        sample, t = cut
        gone = self._agree.drop_before(t)
        if gone:
            self._context = (self._context + " " + " ".join(w.text for w in gone)).strip()[-300:]
        self._decoded_upto = max(0, self._decoded_upto - sample)
        self._segment_ends = [e for e in self._segment_ends if e > t]

    def _final(self) -> StreamResult:
        decoded = False
        t0 = time.perf_counter()
        words = self._decode(final=True) if self._buf.anchors and self._needs_decode() else None
        final_decode = time.perf_counter() - t0
        if words is not None:
            self._publish(self._agree.final(words))
            decoded = True
        elif self._agree.latest:
            self._publish(self._agree.final(None))
        words = list(self._committed)
        return StreamResult(
            transcript=Transcript(self._committed_text, words, self._buf.audio_seconds),
            no_speech=not words,
            speech_seconds=self._buf.speech_windows * WINDOW / STT_RATE,
            audio_seconds=self._buf.audio_seconds,
            finish_seconds=0.0,
            decodes=self._decodes,
            decode_seconds=self._decode_seconds,
            max_buffer_seconds=self._buf.max_seconds,
            final_decoded=decoded,
            final_decode_seconds=final_decode if decoded else 0.0,
        )
