"""One turn replayed: the question's audio, the answer's with its words lit as they play, and the replies given mid-answer."""

from __future__ import annotations

import html
from functools import partial
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QStyle, QVBoxLayout, QWidget

from mockloop.engine.audio.base import AudioOut
from mockloop.engine.audio.playback import Clip, Player
from mockloop.engine.export.asking import exchange_lines
from mockloop.engine.store import Turn
from mockloop.ui.common import theme
from mockloop.ui.common.background import run_in_background
from mockloop.ui.common.cards import Banner, Severity
from mockloop.ui.review.parts import TurnAudio, clock, load_turn_audio, reply_paths
from mockloop.ui.review.word_transcript import WordTranscript

POLL_MS = 30  # how often the playing position is read to move the highlight


class TranscriptPlayer(QWidget):
    """Plays a turn's question or answer through one AudioOut, polling the position on a timer."""

    playing_changed = Signal(bool)
    position_changed = Signal(float)  # seconds into the answer's recording, as it plays or is sought

    def __init__(self, make_out: Callable[[], AudioOut], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Turn playback")
        self._make_out = make_out
        self.player: Player | None = None
        self.turn: Turn | None = None
        self.audio: TurnAudio | None = None
        self.source: str | None = None  # "answer" | "question" | "reply-<n>": which clip the player holds
        self.folder: Path | None = None  # the session's folder, where the replies' WAVs are
        self._answer_at = 0.0  # where the answer was left when the question played
        self._setting_slider = False
        self._was_playing = False
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._tick)

        em = self.fontMetrics().height()
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(round(em * 0.6))
        top = QHBoxLayout()
        self.question_label = theme.plain("", self)
        self.question_label.setFont(theme.scaled_font(self.question_label, 1.15, bold=True))
        self.question_label.setAccessibleName("Question asked")
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.question_label, 1)
        self.question_button = QPushButton("Play &question", self)
        self.question_button.setAccessibleName("Play question")
        self.question_button.clicked.connect(self.toggle_question)
        top.addWidget(self.question_button, 0, Qt.AlignmentFlag.AlignTop)
        page.addLayout(top)

        self.notice = Banner(Severity.INFO, self)
        self.notice.setAccessibleName("About this answer's audio")
        page.addWidget(self.notice)
        self.problem = Banner(Severity.WARNING, self)
        self.problem.setAccessibleName("Audio problem")
        page.addWidget(self.problem)

        controls = QHBoxLayout()
        self.answer_button = QPushButton(self)
        self.answer_button.clicked.connect(self.toggle_answer)
        controls.addWidget(self.answer_button)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setAccessibleName("Answer position")
        self.slider.setSingleStep(1000)
        self.slider.setPageStep(5000)
        self.slider.valueChanged.connect(self._on_slider_value)
        self.slider.sliderReleased.connect(self._on_slider_released)
        controls.addWidget(self.slider, 1)
        self.time_label = QLabel("0:00 / 0:00", self)
        self.time_label.setAccessibleName("Answer time")
        controls.addWidget(self.time_label)
        page.addLayout(controls)
        self.hint = theme.muted("Click a word to play the answer from there. Space plays or pauses.", self)
        page.addWidget(self.hint)
        self.transcript = WordTranscript(self)
        self.transcript.word_clicked.connect(self.play_word)
        self.transcript.exchange_clicked.connect(self.play_exchange)
        self.transcript.reply_clicked.connect(self.play_reply)
        page.addWidget(self.transcript, 1)
        self.show_turn(None)

    # ---- showing a turn ----------------------------------------------------------------------------

    def show_turn(self, turn: Turn | None, folder: Path | None = None) -> None:
        """Show a turn; `folder` is its session's, where the interviewer's replies were kept (None: text only)."""
        self._halt()
        self.turn, self.audio, self.source, self._answer_at, self.folder = turn, None, None, 0.0, folder
        if self.player is not None:
            self.player.set_clip(None)
        self.notice.clear()
        self.problem.clear()
        self.question_label.setText(turn.interviewer_text if turn is not None else "")
        exchanges = exchange_lines(turn.exchanges) if turn is not None else []
        # Only a reply whose WAV is there gets a play link (a stat, not a read, on this thread).
        playable = {n for n, path in reply_paths(exchanges, folder).items() if path.is_file()}
        self.transcript.set_words(turn.words if turn is not None else [], turn.transcript if turn is not None else "",
                                  exchanges, playable)
        self.hint.hide()
        self._set_slider(0.0, 0.0)
        self._sync_buttons()
        if turn is None:
            return
        self.answer_button.setToolTip("Loading the recordings…")
        self.question_button.setToolTip("Loading the recordings…")
        run_in_background(partial(load_turn_audio, turn, self.player.out if self.player else None, self._make_out, folder),
                          self._on_audio_loaded, self._on_audio_failed)

    @Slot(object)
    def _on_audio_loaded(self, audio: TurnAudio) -> None:
        if audio.out is not None and self.player is None:
            self.player = Player(audio.out)
        elif audio.out is not None and audio.out is not self.player.out:
            _close(audio.out)  # a second load opened one too; keep the first
        if self.turn is None or audio.turn_id != self.turn.id:
            return  # another turn was picked meanwhile
        self.audio = audio
        if audio.out_problem:
            self.problem.show_message(_escape(audio.out_problem), audio.out_problem)
        elif audio.typed:
            self.notice.show_message(_escape(audio.answer_problem), audio.answer_problem)
        elif audio.answer is None:
            self.problem.show_message(_escape(audio.answer_problem), audio.answer_problem)
        self._set_slider(0.0, audio.answer.duration if audio.answer else 0.0)
        self.hint.setVisible(audio.answer is not None and self.player is not None and self.transcript.timed())
        self._sync_buttons()

    @Slot(str)
    def _on_audio_failed(self, sentence: str) -> None:
        self.problem.show_message(_escape(sentence), sentence)
        self._sync_buttons()

    def message(self) -> str:
        """The audio message shown for this turn ('' when none), as plain text."""
        for banner in (self.problem, self.notice):
            if not banner.isHidden():
                return banner.accessibleDescription()
        return ""

    # ---- transport ---------------------------------------------------------------------------------

    def _clip(self, source: str) -> Clip | None:
        if self.audio is None or self.player is None:
            return None
        if source.startswith("reply-"):
            return self.audio.replies.get(int(source[6:]))
        return getattr(self.audio, source)

    def _use(self, source: str) -> bool:
        """Put the answer, question or a reply clip in the player, keeping the answer's place."""
        clip = self._clip(source)
        if clip is None:
            return False
        if self.source == source:
            return True
        if self.source == "answer":
            self._answer_at = self.player.pause()
        self.player.set_clip(clip)
        self.source = source
        if source == "answer":
            self.player.seek(self._answer_at)
        return True

    @Slot()
    def toggle_answer(self) -> None:
        if not self._use("answer"):
            return
        self.player.toggle()
        self._after_transport()

    @Slot()
    def toggle_question(self) -> None:
        if self.source == "question" and self.is_playing():
            self.player.pause()
        elif self._use("question"):
            self.player.resume()
        self._after_transport()

    @Slot(int)
    def play_word(self, index: int) -> None:
        word = self.transcript.words[index]
        if word.start is not None:
            self.seek_answer(word.start, play=True)

    @Slot(int)
    def play_exchange(self, n: int) -> None:
        """Play the answer from where the candidate began the n-th question to the interviewer."""
        at = self.transcript.exchanges[n].asked_at
        if at is not None:
            self.seek_answer(at, play=True)

    @Slot(int)
    def play_reply(self, n: int) -> None:
        """Play (or pause) the interviewer's n-th reply as it was spoken; the answer keeps its place."""
        source = f"reply-{n}"
        if self.source == source and self.is_playing():
            self.player.pause()
        elif self._use(source):
            self.player.resume()  # from where it was paused, or from the start
        elif self.audio is not None:
            sentence = self.audio.reply_problems.get(n) or "The interviewer's spoken reply was not kept; its words are shown."
            self.problem.show_message(_escape(sentence), sentence)
        self._after_transport()

    def seek_answer(self, seconds: float, *, play: bool = False) -> None:
        if not self._use("answer"):
            return
        self.player.seek(seconds)
        if play and not self.player.is_playing():
            self.player.resume()
        self._after_transport()

    def skip(self, seconds: float = 5.0) -> None:
        if self.audio is not None and self.audio.answer is not None:
            self.seek_answer(max(0.0, self.answer_position() + seconds))

    def is_playing(self) -> bool:
        return self.player is not None and self.player.is_playing()

    def answer_position(self) -> float:
        if self.source == "answer" and self.player is not None:
            return self.player.position()
        return self._answer_at

    def pause(self) -> None:
        if self.is_playing():
            self.player.pause()
        self._after_transport()

    def _after_transport(self) -> None:
        if self.is_playing():
            self.timer.start()
        self._tick()

    @Slot()
    def _tick(self) -> None:
        playing = self.is_playing()
        if self.source == "answer" or self.source is None:
            position = self.answer_position()
            self._set_slider(position, self.audio.answer.duration if self.audio and self.audio.answer else 0.0)
            started = playing or position > 0
            self.transcript.highlight(self.transcript.index_at(position) if started else None)
            self.position_changed.emit(position)
        if self.player is not None and self.player.error() is not None and self.problem.isHidden():
            error = str(self.player.error())
            self.problem.show_message(_escape(error), error)
        if not playing:
            self.timer.stop()
        self._sync_buttons()

    def _halt(self) -> None:
        self.timer.stop()
        if self.player is not None:
            self.player.stop()

    def set_make_out(self, make_out: Callable[[], AudioOut]) -> None:
        """Play through another output from now on (a speaker chosen in Settings); the current one is released."""
        self.shutdown()
        self._make_out = make_out
        if self.turn is not None:
            self.show_turn(self.turn, self.folder)  # reopens the recordings on the new output

    def shutdown(self) -> None:
        """Stop playing and release the speaker (the view is closing)."""
        self.timer.stop()
        if self.player is not None:
            self.player.close()
            self.player = None

    # ---- widgets -----------------------------------------------------------------------------------

    def _sync_buttons(self) -> None:
        style = self.style()
        answer_playing = self.source == "answer" and self.is_playing()
        question_playing = self.source == "question" and self.is_playing()
        has_answer = self.audio is not None and self.audio.answer is not None and self.player is not None
        has_question = self.audio is not None and self.audio.question is not None and self.player is not None
        icon = QStyle.StandardPixmap.SP_MediaPause if answer_playing else QStyle.StandardPixmap.SP_MediaPlay
        self.answer_button.setIcon(style.standardIcon(icon, None, self))
        self.answer_button.setText("Pause answer" if answer_playing else "Play answer")
        self.answer_button.setAccessibleName(self.answer_button.text())
        self.answer_button.setEnabled(has_answer)
        self.slider.setEnabled(has_answer)
        icon = QStyle.StandardPixmap.SP_MediaPause if question_playing else QStyle.StandardPixmap.SP_MediaVolume
        self.question_button.setIcon(style.standardIcon(icon, None, self))
        self.question_button.setText("Pause &question" if question_playing else "Play &question")
        self.question_button.setAccessibleName("Pause question" if question_playing else "Play question")
        self.question_button.setEnabled(has_question)
        if self.audio is not None:
            self.answer_button.setToolTip("Play or pause your answer (Space)" if has_answer else self.audio.answer_problem)
            self.question_button.setToolTip("Hear the question again (Alt+Q)" if has_question else self.audio.question_problem)
        if self._was_playing != self.is_playing():
            self._was_playing = self.is_playing()
            self.playing_changed.emit(self._was_playing)

    def _set_slider(self, position: float, duration: float) -> None:
        self._setting_slider = True
        self.slider.setRange(0, round(duration * 1000))
        if not self.slider.isSliderDown():
            self.slider.setValue(round(position * 1000))
        self._setting_slider = False
        self.time_label.setText(f"{clock(position)} / {clock(duration)}")

    @Slot(int)
    def _on_slider_value(self, value: int) -> None:
        if self._setting_slider:
            return
        if self.slider.isSliderDown():
            self.position_changed.emit(value / 1000)  # what follows the audio (a coding turn's code) follows the drag
            return  # the audio seeks once, when released
        self.seek_answer(value / 1000)

    @Slot()
    def _on_slider_released(self) -> None:
        self.seek_answer(self.slider.value() / 1000)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        self.pause()  # leaving the view stops the sound
        super().hideEvent(event)


def _escape(text: str) -> str:
    return html.escape(text)


def _close(out: AudioOut) -> None:
    close = getattr(out, "close", None)
    if close is not None:
        close()
