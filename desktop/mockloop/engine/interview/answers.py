"""Where a candidate's answers come from: the microphone, typed text, or a folder of files (headless)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mockloop.engine.audio.base import AudioIn
from mockloop.engine.core.errors import MockloopError

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".oga", ".mp3"}
TEXT_SUFFIXES = {".txt", ".md"}
# A text answer that is only one of these acts as the candidate's action instead.
COMMANDS = {"[repeat]": "repeat", "[skip]": "skip", "[reanswer]": "reanswer", "[end round]": "end-round", "[end]": "end"}


@dataclass
class Answer:
    audio: AudioIn | None = None
    text: str | None = None
    command: str | None = None  # repeat | skip | reanswer | end-round | end
    label: str = ""  # where it came from (a file name), for reports


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
            return Answer(text=None if command else text, command=command, label=path.name)
        return Answer(audio=WavFileIn(path, realtime=self.realtime), label=path.name)


class LiveAnswers:
    """Answers from the microphone; a typed answer submitted by the UI replaces the next one."""

    def __init__(self, device: str | int | None = None) -> None:
        self.device = device
        self._typed: str | None = None
        self._lock = threading.Lock()

    def submit_text(self, text: str) -> None:
        with self._lock:
            self._typed = text

    def next(self, prompt: str) -> Answer | None:
        from mockloop.engine.audio.capture import SoundDeviceIn

        with self._lock:
            typed, self._typed = self._typed, None
        if typed is not None:
            return Answer(text=typed, label="typed")
        return Answer(audio=SoundDeviceIn(self.device), label="microphone")
