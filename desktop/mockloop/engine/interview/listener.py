"""One listening turn: capture → recorder (on disk as it comes) + end-of-turn policy + live captions.

The capture thread only hands blocks on; everything the turn decides (nudges, the end,
drafts of the follow-up) happens in `run()`, on the caller's thread, from a queue of
events. The recording is written as it is captured, so a crash loses at most a second.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mockloop.engine.audio.base import AudioBlock, AudioIn
from mockloop.engine.interview.asking import ASK_PAUSE_S, Addressed, AskWatch
from mockloop.engine.speech.endpointer import (
    BargeIn, EndpointerConfig, Endpointer, EndReason, Event, NoSpeech, Pause, SpeechResumed, SpeechStarted, TurnEnded,
)
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.audio.recorder import Recorder, RecordingResult
from mockloop.engine.speech.transcript import Transcript
from mockloop.engine.speech.streaming import Caption, StreamingTranscriber
from mockloop.engine.speech.whisper_decoder import WhisperDecoder


@dataclass
class Nudge:
    text: str
    at: float  # seconds into the turn's audio


@dataclass
class ListenResult:
    transcript: Transcript
    no_speech: bool
    reason: str  # silence | released | done | no-speech | max-duration | moved-on | source-ended | cancelled | error
    recording: RecordingResult | None
    audio_seconds: float
    speech_seconds: float
    first_speech_at: float | None  # seconds into the turn when the candidate started talking
    nudges: list[Nudge] = field(default_factory=list)
    captions: int = 0
    final_seconds: float = 0.0  # turn end -> final transcript (wall time)
    error: MockloopError | None = None  # e.g. the microphone was lost; what was captured is kept
    addressed: int = 0  # sentences the interviewer answered during the turn


class _SourceEnded:
    """Marker put on the event queue when a file source has nothing more to give."""


class TurnListener:
    """Listen to one answer. `done()`, `press()`/`release()` and `cancel()` may come from any thread."""

    def __init__(
        self,
        source: AudioIn,
        decoder: WhisperDecoder,
        record_to: Path | None,
        *,
        config: EndpointerConfig = EndpointerConfig(),
        speaking: threading.Event | None = None,
        question: str = "",
        vocabulary: tuple[str, ...] = (),
        patience_seconds: float | None = None,
        nudge: Callable[[float], str | None] | None = None,
        on_caption: Callable[[Caption], None] | None = None,
        on_event: Callable[[Event], None] | None = None,
        on_level: Callable[[float, float], None] | None = None,
        on_pause: Callable[[float], None] | None = None,
        on_problem: Callable[[MockloopError], None] | None = None,
        append_gap: float | None = None,
        asking: AskWatch | None = None,
        on_addressed: Callable[[list[Addressed], float], str | None] | None = None,
        on_barge_in: Callable[[], None] | None = None,
        think_seconds: float = 60.0,
    ) -> None:
        """`asking` + `on_addressed`: sentences the candidate says to the interviewer (times in seconds into
        this turn's audio) go to `on_addressed` with the turn's time now; it answers them and returns the
        intent it acted on ("clarify", "repeat", "think", "move-on") or None. The turn goes on after an answer,
        with its silence counted afresh; "think" grants `think_seconds` of silence without a nudge or an end;
        "move-on" ends the turn."""
        self.source = source
        self.record_to = record_to
        self.patience = patience_seconds
        self._nudge = nudge
        self._on_event = on_event
        self._on_level = on_level
        self._on_pause = on_pause
        self._events: queue.Queue = queue.Queue()
        self._captions = 0
        self._on_caption = on_caption
        self.endpointer = Endpointer(config, on_event=self._events, speaking=speaking)
        self.stt = StreamingTranscriber(decoder, vocabulary=vocabulary, question=question, on_caption=self._caption)
        # append_gap: continue an earlier recording of this turn after that much silence.
        self._on_problem = on_problem
        self.reported: MockloopError | None = None  # a problem already told through on_problem, mid-turn
        self.recorder = (Recorder(record_to, append=append_gap is not None, gap_seconds=append_gap or 0.0,
                                  on_error=self._recording_failed)
                         if record_to is not None else None)
        self._error: MockloopError | None = None
        self._started_at = 0.0
        self._first_block: float | None = None
        self._last_block_end = 0.0
        self._asking = asking if on_addressed is not None else None
        self._on_addressed = on_addressed
        self._on_barge_in = on_barge_in
        self._speaking = speaking
        self._think_seconds = think_seconds
        self._addressed = 0
        self._granted = False  # the candidate asked for time: no nudge until they speak again
        self._first_mark = min(config.pause_marks, default=None)
        self._settled_pause = False  # this pause's words were decoded and committed at once
        self._answered_at_speech: float | None = None  # the turn's speech seconds when the interviewer last answered

    # ---- actions from other threads ---------------------------------------------------------

    def done(self) -> None:
        self.endpointer.done()

    def press(self) -> None:
        self.endpointer.press()
        if self._speaking is not None and self._speaking.is_set() and self._on_barge_in is not None:
            self._on_barge_in()  # push-to-talk over the interviewer's reply: it stops, the answer goes on

    def release(self) -> None:
        self.endpointer.release()

    def cancel(self) -> None:
        self._events.put("cancelled")

    # ---- capture thread ---------------------------------------------------------------------

    def _caption(self, caption: Caption) -> None:
        self._captions += 1
        if self._on_caption is not None:
            self._on_caption(caption)

    def _recording_failed(self, error: MockloopError) -> None:
        # On the recorder's thread, as soon as a write fails (a full disk): say so while the candidate
        # is still talking. Listening and transcribing go on; the words are kept without the audio.
        self.reported = error
        if self._on_problem is not None:
            self._on_problem(error)

    def _block(self, block: AudioBlock) -> None:
        if self._first_block is None:
            self._first_block = block.start
        self._last_block_end = block.start + len(block.samples) / 16_000
        if self.recorder is not None:
            self.recorder.write(block)
        if self._on_level is not None:
            self._on_level(block.rms, block.peak)
        verdict = self.endpointer.process(block)
        for b in verdict.feed:
            self.stt.feed(b)

    def _check_asked(self, force: bool = False, at_pause: Pause | None = None) -> str | None:
        """Answer what the candidate just said to the interviewer, if anything; the intent acted on.

        `force`: the turn ended on this pause. `at_pause`: a pause mark, where what was missed is read again
        (audio fed faster than real time, or a decoder running late, leaves no quiet moment to read it in)."""
        if self._asking is None:
            return None
        state, pause = self.endpointer.pause_now()
        if force:
            state, pause = "paused", max(pause, self.endpointer.config.silence_seconds)
        if at_pause is not None:
            state, pause = "paused", at_pause.seconds
        if state != "paused":
            self._settled_pause = False
            return None
        # Only the words before this pause are read: a decoder running behind (or a file fed faster than real
        # time) may already hold what came after it, and that would hide the question.
        began = None if force else (at_pause.at if at_pause is not None else self._last_block_end) - pause + 0.6
        if force or at_pause is not None or (pause >= ASK_PAUSE_S and not self._settled_pause):
            # The last words may not be committed yet (the decoder wants more audio to agree on them): decode
            # once more and commit them (once a pause, and again at its mark or end, for what was missed).
            self._settled_pause = True
            if not self.stt.settle(timeout=30.0):
                return None
        elif pause < ASK_PAUSE_S:
            return None
        words = self.stt.heard if began is None else tuple(w for w in self.stt.heard if w.end <= began)
        found = self._asking.check(words, pause)
        if not found:
            return None
        offset = self._first_block or 0.0
        now = round(self._last_block_end - offset, 3)
        placed = [Addressed(a.heard, round(a.start - offset, 3), round(a.end - offset, 3)) for a in found]
        acted = self._on_addressed(placed, now) if self._on_addressed is not None else None
        if acted is None:
            return None
        self._addressed += len(placed)
        self._answered_at_speech = self.endpointer.speech_seconds
        if acted == "think":
            self._granted = True
            self.endpointer.hold(self._think_seconds)
        elif acted != "move-on":
            self.endpointer.restart_pause()
        return acted

    def _source_gone(self) -> str | None:
        """"error" when the device was lost, "source-ended" when a file ran out, else None."""
        error = getattr(self.source, "error", None)
        if isinstance(error, MockloopError):
            self._error = error
            return "error"
        finished = getattr(self.source, "finished", None)
        if isinstance(finished, threading.Event) and finished.is_set():
            return "source-ended"
        return None

    # ---- the turn ---------------------------------------------------------------------------

    def run(self) -> ListenResult:
        """Listen until the turn ends; return the final transcript and what happened."""
        if self.recorder is not None:
            self.recorder.start()
        self.stt.start()
        self.source.start(self._block)
        first_speech: float | None = None
        nudges: list[Nudge] = []
        ending: str | None = None  # why the listener (not the endpointer) ended the turn
        cancelled = False
        nudged_in_pause = 0  # nudges given in this pause: at the persona's patience, then the offer at twice it
        while True:
            try:
                event = self._events.get(timeout=0.05)
            except queue.Empty:
                acted = self._check_asked()
                if acted == "move-on":
                    ending = EndReason.MOVED_ON.value
                    self.endpointer.end(EndReason.MOVED_ON)
                elif acted is not None:
                    nudged_in_pause = 0
                if ending is None:
                    ending = self._source_gone()
                    if ending is not None:
                        self.endpointer.done()  # queues TurnEnded (or it is already queued)
                        if self.endpointer.turn_end is not None and self._events.empty():
                            break
                continue
            if event == "cancelled":
                cancelled = True
                break
            if self._on_event is not None and isinstance(event, (SpeechStarted, Pause, SpeechResumed, NoSpeech, TurnEnded)):
                self._on_event(event)
            if isinstance(event, SpeechStarted):
                self._granted = False
                if first_speech is None:
                    first_speech = event.at - (self._first_block or 0.0)
            elif isinstance(event, SpeechResumed):
                nudged_in_pause = 0
                self._granted = False
            elif isinstance(event, BargeIn) and self._on_barge_in is not None:
                self._on_barge_in()
            elif isinstance(event, Pause):
                acted = self._check_asked(at_pause=event) if event.seconds == self._first_mark else None
                if acted == "move-on":
                    ending = EndReason.MOVED_ON.value
                    self.endpointer.end(EndReason.MOVED_ON)
                    continue
                if acted is not None:
                    nudged_in_pause = 0
                    continue
                if self._on_pause is not None:
                    self._on_pause(event.seconds)
                if (self._nudge is not None and self.patience is not None and not self._granted and nudged_in_pause < 2
                        and event.seconds >= self.patience * (1 + nudged_in_pause)):
                    text = self._nudge(event.seconds)
                    if text:
                        nudges.append(Nudge(text, round(event.at - (self._first_block or 0.0), 3)))
                        nudged_in_pause += 1
            elif isinstance(event, TurnEnded):
                if event.reason is EndReason.SILENCE and self._asking is not None and ending is None:
                    # The pause that ended the turn may follow a question not read yet: read it first.
                    acted = self._check_asked(force=True)
                    waited = self._answered_at_speech is not None and event.speech_seconds <= self._answered_at_speech
                    if acted is None and waited:
                        acted = "answered"  # nothing said since the reply began: the silence was the wait for it
                    if acted not in (None, "move-on") and self.endpointer.reopen():
                        nudged_in_pause = 0
                        continue
                    if acted == "move-on":
                        ending = EndReason.MOVED_ON.value
                break
        turn_end = self.endpointer.turn_end
        reason = ending or (turn_end.reason.value if turn_end is not None else "done")
        self.source.stop()
        t0 = time.perf_counter()
        if cancelled:
            self.stt.close()
            result = None
        else:
            result = self.stt.finish()
        final_seconds = time.perf_counter() - t0
        recording = self.recorder.close() if self.recorder is not None else None
        if recording is not None and recording.error is not None and self._error is None:
            self._error = recording.error
        if result is None:
            transcript = Transcript("", [], 0.0)
            return ListenResult(transcript, True, "cancelled", recording, 0.0, 0.0, first_speech, nudges, self._captions, 0.0, self._error)
        offset = self._first_block or 0.0
        words = [type(w)(w.text, round(w.start - offset, 3), round(w.end - offset, 3), w.probability) for w in result.transcript.words]
        transcript = Transcript(result.transcript.text, words, result.audio_seconds)
        return ListenResult(
            transcript, result.no_speech, reason, recording, result.audio_seconds, result.speech_seconds,
            first_speech, nudges, self._captions, final_seconds, self._error, self._addressed,
        )
