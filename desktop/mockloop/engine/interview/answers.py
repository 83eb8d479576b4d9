"""Where a candidate's answers come from: the microphone, typed text, or a folder of files (headless).

`DeskAnswers` is the desktop's source (microphone, or typed when there is none). It runs on the
interview's worker thread, inside the runner; the window reaches it only through thread-safe
methods (`submit_text`, `offer_command`, `set_typing`, `close`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from mockloop.engine.audio.base import AudioIn
from mockloop.engine.core.errors import AudioUnavailableError, MockloopError
from mockloop.engine.interview.commands import Command

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".oga", ".mp3"}
TEXT_SUFFIXES = {".txt", ".md"}
# A text answer that is only one of these acts as the candidate's action instead.
COMMANDS = {"[repeat]": Command.REPEAT, "[skip]": Command.SKIP, "[reanswer]": Command.REANSWER,
            "[end round]": Command.END_ROUND, "[end]": Command.END}


@dataclass
class Answer:
    audio: AudioIn | None = None
    text: str | None = None
    command: Command | None = None  # repeat | skip | reanswer | end-round | end (stop: the app closed)
    label: str = ""  # where it came from (a file name), for reports
    code: str | None = None  # a coding question's code, given as a file (headless): the answer file's .py twin


class AnswerSource(Protocol):
    def next(self, prompt: str) -> Answer | None:
        """The answer to what the interviewer just said; None when there are no more."""


class AnswerFolderError(MockloopError):
    pass


class FolderAnswers:
    """Answers read in name order from a folder: audio files are spoken answers, text files typed ones."""

    def __init__(self, folder: Path | str, realtime: bool = False) -> None:
        folder = Path(folder)
        if not folder.is_dir():
            raise AnswerFolderError(f"The answers folder {folder} does not exist.", "Give a folder of .wav/.flac or .txt answers.")
        self.files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES | TEXT_SUFFIXES)
        if not self.files:
            raise AnswerFolderError(f"The answers folder {folder} holds no .wav, .flac or .txt answers.", "Add answer files named in the order they should be given.")
        self.realtime = realtime
        self.used: list[str] = []
        self._index = 0

    def next(self, prompt: str) -> Answer | None:
        from mockloop.engine.audio.capture import WavFileIn

        if self._index >= len(self.files):
            return None
        path = self.files[self._index]
        self._index += 1
        self.used.append(path.name)
        if path.suffix.lower() in TEXT_SUFFIXES:
            try:
                text = path.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                raise AnswerFolderError(f"The answer file {path} is not readable UTF-8 text.", "Save it as plain text (UTF-8).") from None
            command = COMMANDS.get(text.lower())
            return Answer(text=None if command else text, command=command, label=path.name, code=self._code_for(path))
        return Answer(audio=WavFileIn(path, realtime=self.realtime), label=path.name, code=self._code_for(path))

    def _code_for(self, path: Path) -> str | None:
        """The code file beside an answer (`02-answer.py` for `02-answer.wav`), for a coding question."""
        twin = path.with_suffix(".py")
        try:
            return twin.read_text(encoding="utf-8") if twin.is_file() else None
        except (OSError, UnicodeDecodeError):
            raise AnswerFolderError(f"The code file {twin} is not readable UTF-8 text.", "Save it as plain text (UTF-8).") from None


class DeskAnswers:
    """Answers from the microphone, or typed ones while `typing` is on (always on without a microphone).

    A typed answer waits in `next()` until the candidate submits text or presses an action
    (skip, repeat...); `offer_command` hands that action to the waiting answer, so the
    runner sees it at once instead of after the next answer. A microphone that cannot be
    opened switches to typing and says why through `on_problem`.
    """

    def __init__(
        self,
        device: str | int | None,
        *,
        typing: bool,
        open_microphone: Callable[[str | int | None], object] | None = None,
        on_waiting: Callable[[bool], None] | None = None,
        on_problem: Callable[[AudioUnavailableError], None] | None = None,
    ) -> None:
        self.device = device
        self._open_microphone = open_microphone or _sound_device_in
        self._on_waiting = on_waiting or (lambda waiting: None)
        self._on_problem = on_problem or (lambda error: None)
        self._cond = threading.Condition()
        self._typing = typing
        self._text: str | None = None
        self._command: Command | None = None
        self._waiting = False
        self._closed = False
        self._draft = ""
        self._close_command = Command.STOP

    # ---- from the window (any thread) ------------------------------------------------------------

    @property
    def typing(self) -> bool:
        return self._typing

    @property
    def waiting(self) -> bool:
        """True while an answer is waiting for typed text."""
        return self._waiting

    def set_typing(self, typing: bool) -> None:
        """Type (True) or speak (False) from the next answer on; a waiting typed answer switches at once."""
        with self._cond:
            self._typing = typing
            self._cond.notify_all()

    def submit_text(self, text: str) -> bool:
        """Give the waiting answer its text; False (and nothing kept) when no answer is waiting."""
        with self._cond:
            if not self._waiting:
                return False
            self._text = text
            self._cond.notify_all()
            return True

    def offer_command(self, command: Command) -> bool:
        """Hand an action (skip, repeat, reanswer, end-round) to a waiting typed answer; False if none waits."""
        with self._cond:
            if not self._waiting or self._command is not None:
                return False
            self._command = command
            self._cond.notify_all()
            return True

    def close(self, draft: str = "", command: Command = Command.STOP) -> None:
        """The session is ending: a waiting answer (and every later one) becomes `command` (stop or end).

        A waiting typed answer with a `draft` (typed, not sent) returns that text with the command.
        """
        with self._cond:
            self._closed = True
            self._draft = draft.strip()
            self._close_command = command
            self._cond.notify_all()

    # ---- from the runner ---------------------------------------------------------------------

    def next(self, prompt: str) -> Answer | None:
        with self._cond:
            if self._closed:
                return Answer(command=self._close_command, label="closed")
            typing = self._typing
        if not typing:
            try:
                return Answer(audio=self._open_microphone(self.device), label="microphone")
            except AudioUnavailableError as exc:
                with self._cond:
                    self._typing = True
                self._on_problem(exc)
        return self._wait_for_typed()

    def _wait_for_typed(self) -> Answer:
        with self._cond:
            self._waiting, self._text, self._command = True, None, None
        self._on_waiting(True)
        try:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._text is not None or self._command is not None or not self._typing)
                if self._closed:
                    return Answer(text=self._draft or None, command=self._close_command, label="closed")
                if self._command is not None:
                    return Answer(command=self._command, label="typed")
                if self._text is not None:
                    return Answer(text=self._text, label="typed")
        finally:
            with self._cond:
                self._waiting = False
            self._on_waiting(False)
        return self.next("")  # switched back to speaking while waiting


def _sound_device_in(device: str | int | None):
    from mockloop.engine.audio.capture import SoundDeviceIn

    return SoundDeviceIn(device)
