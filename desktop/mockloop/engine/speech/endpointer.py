"""End of turn: when has the candidate finished answering? Push-to-talk, an explicit "done", or hands-free.

Thinking out loud has long pauses, so in hands-free mode only a pause longer than
the configured threshold (after speech started) ends the turn; shorter pauses are
reported as they grow (for live nudges). Timers count audio actually listened to,
so the clock is the audio's, not the wall's, and audio ignored while the app speaks
(half-duplex) does not count as a pause.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Union

from mockloop.engine.audio.base import STT_RATE, AudioBlock
from mockloop.engine.core.settings import EndOfTurn
from mockloop.engine.speech.vad import StreamingVad


class EndReason(str, Enum):
    SILENCE = "silence"
    RELEASED = "released"
    DONE = "done"
    NO_SPEECH = "no-speech"
    MAX_DURATION = "max-duration"
    MOVED_ON = "moved-on"  # the candidate asked to move on


@dataclass(frozen=True)
class EndpointerConfig:
    mode: EndOfTurn = EndOfTurn.HANDS_FREE
    silence_seconds: float = 4.0  # hands-free: a pause this long after speech ends the turn
    pause_marks: tuple[float, ...] = (2.0, 5.0, 10.0)  # a Pause event as a pause passes each
    no_speech_seconds: float | None = 20.0  # nothing said for this long: NoSpeech
    max_turn_seconds: float | None = None
    barge_in: bool = False  # speech while the app speaks interrupts it (for headset users)
    threshold: float = 0.5  # Silero probability that starts speech...
    neg_threshold: float = 0.35  # ...and below which it is silence (in between keeps the state)
    min_speech_seconds: float = 0.25  # shorter blips (a cough, a click) neither start speech nor end a pause
    min_pause_seconds: float = 1.0  # gaps between words are not pauses: no SpeechResumed after them
    barge_in_seconds: float = 0.3
    release_ends_turn: bool = True  # push-to-talk: letting go ends the answer (not in a coding round)


@dataclass(frozen=True)
class SpeechStarted:
    at: float  # audio time the speech began


@dataclass(frozen=True)
class Pause:
    seconds: float  # the mark just passed (e.g. 2, 5, 10)
    at: float


@dataclass(frozen=True)
class SpeechResumed:
    at: float
    pause_seconds: float


@dataclass(frozen=True)
class BargeIn:
    at: float  # the candidate spoke over the app: stop playback


@dataclass(frozen=True)
class NoSpeech:
    at: float
    listened_seconds: float  # a clear outcome: nothing was said, so there is nothing to score


@dataclass(frozen=True)
class TurnEnded:
    reason: EndReason
    at: float
    speech_seconds: float
    speech_detected: bool


Event = Union[SpeechStarted, Pause, SpeechResumed, BargeIn, NoSpeech, TurnEnded]


@dataclass(frozen=True)
class Verdict:
    """What process() decided about one block."""

    probability: float | None  # None when the block was not listened to
    accepted: bool  # the block belongs to the candidate's turn
    feed: tuple[AudioBlock, ...]  # blocks to pass to the transcriber now (with the onset on barge-in)
    events: tuple[Event, ...]


_WAITING, _SPEAKING, _PAUSED, _ENDED = "waiting", "speaking", "paused", "ended"


class Endpointer:
    """Turns AudioBlocks (and key presses / a done action) into turn events.

    `on_event` is a callable or a queue.Queue; events are also returned by each call.
    `speaking` is set by the speaker while the app talks: input is then ignored, or
    watched for barge-in when the config allows it. process() runs on the capture
    consumer thread; press(), release() and done() may come from any thread.
    """

    def __init__(
        self,
        config: EndpointerConfig = EndpointerConfig(),
        on_event: Callable[[Event], None] | queue.Queue | None = None,
        speaking: threading.Event | None = None,
    ) -> None:
        self.config = config
        self._deliver = on_event.put if isinstance(on_event, queue.Queue) else on_event
        self.speaking = speaking or threading.Event()
        self._vad = StreamingVad()
        self._lock = threading.Lock()
        self._holding = False
        self.reset()

    def reset(self) -> None:
        """Start a new turn."""
        with self._lock:
            self._vad.reset()
            self._state = _WAITING
            self._run = 0.0  # seconds of consecutive speech (onset candidate)
            self._run_blocks: deque[AudioBlock] = deque()
            self._silence = 0.0  # length of the current pause
            self._marks = 0
            self._listened = 0.0
            self._wait_from = 0.0  # listened time when the current wait for speech began
            self._speech = 0.0
            self._last_end = 0.0
            self._barged = False
            self._held_for = 0.0  # seconds of silence granted ("a minute to think"): no end, no NoSpeech
            self.turn_end: TurnEnded | None = None

    @property
    def ended(self) -> bool:
        return self._state == _ENDED

    @property
    def speech_started(self) -> bool:
        return self._state in (_SPEAKING, _PAUSED) or (self.turn_end is not None and self.turn_end.speech_detected)

    @property
    def speech_seconds(self) -> float:
        """How much speech this turn has heard so far."""
        return self._speech

    @property
    def holding(self) -> bool:
        return self._holding

    # ---- actions -------------------------------------------------------------------------------

    def press(self) -> None:
        """Push-to-talk key down."""
        self._holding = True

    def release(self) -> TurnEnded | None:
        """Push-to-talk key up: the turn ends (if it was held)."""
        if not self._holding:
            return None
        self._holding = False
        if self.config.mode != EndOfTurn.PUSH_TO_TALK or not self.config.release_ends_turn:
            return None
        return self._end_now(EndReason.RELEASED)

    def done(self) -> TurnEnded | None:
        """The candidate's "I'm done" action; ends the turn in any mode."""
        return self._end_now(EndReason.DONE)

    def end(self, reason: EndReason) -> TurnEnded | None:
        """End the turn for a reason the listener decided (e.g. the candidate asked to move on)."""
        return self._end_now(reason)

    def pause_now(self) -> tuple[str, float]:
        """("waiting" | "speaking" | "paused" | "ended", seconds of the current silence in audio listened)."""
        with self._lock:
            if self._state == _PAUSED:
                return self._state, self._silence
            if self._state == _WAITING:
                return self._state, self._listened_since
            return self._state, 0.0

    def restart_pause(self) -> None:
        """The interviewer just spoke (an answer to a question, the question again): the silence starts over,
        so the candidate's time to think and the pause marks count from now."""
        with self._lock:
            self._silence, self._marks = 0.0, 0
            self._wait_from = self._listened
            self._run_blocks.clear()

    def hold(self, seconds: float) -> None:
        """The candidate asked for time: for this much silence the turn neither ends nor reports no speech,
        until speech resumes."""
        with self._lock:
            self._silence, self._marks = 0.0, 0
            self._wait_from = self._listened
            self._held_for = float(seconds)

    def reopen(self) -> bool:
        """Undo a hands-free end of turn by silence (the candidate had asked something and waits for the
        answer): the turn goes on, paused. False when the turn did not end by silence."""
        with self._lock:
            if self.turn_end is None or self.turn_end.reason is not EndReason.SILENCE:
                return False
            self._state, self._silence, self._marks = _PAUSED, 0.0, 0
            self.turn_end = None
            return True

    @property
    def _listened_since(self) -> float:
        return self._listened - self._wait_from

    @property
    def _held(self) -> bool:
        return self._held_for > 0 and self._silence < self._held_for and self._listened_since < self._held_for

    def _end_now(self, reason: EndReason) -> TurnEnded | None:
        with self._lock:
            if self._state == _ENDED:
                return None
            events: list[Event] = []
            self._end(reason, self._last_end, events)
        self._emit(events)
        return self.turn_end

    # ---- audio ---------------------------------------------------------------------------------

    def process(self, block: AudioBlock) -> Verdict:
        events: list[Event] = []
        with self._lock:
            verdict = self._process(block, events)
        self._emit(events)
        return verdict

    def _process(self, block: AudioBlock, events: list[Event]) -> Verdict:
        cfg = self.config
        end = block.start + len(block.samples) / STT_RATE
        if self._state == _ENDED or (cfg.mode == EndOfTurn.PUSH_TO_TALK and not self._holding):
            return Verdict(None, False, (), ())
        if not self.speaking.is_set():
            self._barged = False
        elif not self._barged:
            if not cfg.barge_in:
                return Verdict(None, False, (), ())
            return self._watch_barge_in(block, end, events)
        p = self._vad.probability(block.samples)
        self._step(p, block, end, events)
        return Verdict(p, True, (block,), tuple(events))

    def _watch_barge_in(self, block: AudioBlock, end: float, events: list[Event]) -> Verdict:
        p = self._vad.probability(block.samples)
        if p >= self.config.threshold:
            self._run_blocks.append(block)
        else:
            self._run_blocks.clear()
        onset = tuple(self._run_blocks)
        if sum(len(b.samples) for b in onset) / STT_RATE < self.config.barge_in_seconds:
            return Verdict(p, False, (), ())
        self._barged = True
        self._run_blocks.clear()
        events.append(BargeIn(onset[0].start))
        for b in onset:  # the onset was speech: let the turn see it
            self._step(self.config.threshold, b, b.start + len(b.samples) / STT_RATE, events)
        return Verdict(p, True, onset, tuple(events))

    def _step(self, p: float, block: AudioBlock, end: float, events: list[Event]) -> None:
        cfg = self.config
        dur = len(block.samples) / STT_RATE
        self._listened += dur
        self._last_end = end
        speechy, silent = p >= cfg.threshold, p < cfg.neg_threshold
        if speechy:
            self._run += dur
        elif silent:
            self._run = 0.0
        onset = self._run >= cfg.min_speech_seconds
        if self._state == _WAITING:
            if onset:
                self._state = _SPEAKING
                self._speech += self._run
                self._held_for = 0.0
                events.append(SpeechStarted(round(end - self._run, 3)))
            else:
                # Nothing said yet: the same pause marks (for nudges) as a pause after speech.
                waited = self._listened_since
                while self._marks < len(cfg.pause_marks) and waited >= cfg.pause_marks[self._marks]:
                    events.append(Pause(cfg.pause_marks[self._marks], round(end, 3)))
                    self._marks += 1
                if cfg.no_speech_seconds is not None and waited >= cfg.no_speech_seconds and not self._held:
                    self._end(EndReason.NO_SPEECH, end, events)
                    return
        elif self._state == _SPEAKING:
            if silent:
                self._state, self._silence, self._marks = _PAUSED, dur, 0
                self._wait_from = self._listened
            else:
                self._speech += dur
        elif self._state == _PAUSED:
            if onset:
                pause = self._silence + dur - self._run
                self._state = _SPEAKING
                self._speech += self._run
                self._held_for = 0.0
                if pause >= cfg.min_pause_seconds:
                    events.append(SpeechResumed(round(end - self._run, 3), round(pause, 3)))
            else:
                self._silence += dur  # blips shorter than min_speech count as part of the pause
                while self._marks < len(cfg.pause_marks) and self._silence >= cfg.pause_marks[self._marks]:
                    events.append(Pause(cfg.pause_marks[self._marks], round(end, 3)))
                    self._marks += 1
                if cfg.mode == EndOfTurn.HANDS_FREE and self._silence >= cfg.silence_seconds and not self._held:
                    self._end(EndReason.SILENCE, end, events)
                    return
        if cfg.max_turn_seconds is not None and self._listened >= cfg.max_turn_seconds:
            self._end(EndReason.MAX_DURATION, end, events)

    def _end(self, reason: EndReason, at: float, events: list[Event]) -> None:
        detected = self._state in (_SPEAKING, _PAUSED)
        if not detected:
            events.append(NoSpeech(round(at, 3), round(self._listened, 3)))
        self._state = _ENDED
        self.turn_end = TurnEnded(reason, round(at, 3), round(self._speech, 3), detected)
        events.append(self.turn_end)

    def _emit(self, events: list[Event]) -> None:
        if self._deliver is not None:
            for event in events:
                self._deliver(event)
