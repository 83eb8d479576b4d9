"""Typed errors a user can cause, each with a sentence they can act on."""

from __future__ import annotations

from pathlib import Path


class MockloopError(Exception):
    """Base for every error shown to a user: `problem` says what, `fix` says how."""

    def __init__(self, problem: str, fix: str = "") -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(self.user_message())

    def user_message(self) -> str:
        return f"{self.problem} {self.fix}".strip()


class ModelError(MockloopError):
    """A model file is missing, unreadable, truncated or not a model at all."""

    KINDS = ("missing", "unreadable", "truncated", "invalid", "load-failed")

    def __init__(self, role: str, path: Path | str | None, kind: str, detail: str, fix: str) -> None:
        assert kind in self.KINDS, kind
        self.role = role
        self.path = None if path is None else Path(path)
        self.kind = kind
        self.detail = detail
        where = f" at {self.path}" if self.path is not None else ""
        super().__init__(f"The {role} model{where} {detail}.", fix)


class BankError(MockloopError):
    """One problem in a question bank file, located by file, line and field."""

    def __init__(self, file: Path, line: int | None, field: str, message: str) -> None:
        self.file = Path(file)
        self.line = line
        self.field = field
        self.message = message
        where = f"{self.file}:{line}" if line else str(self.file)
        super().__init__(f"{where}: {field}: {message}")

    def as_dict(self) -> dict:
        return {"file": str(self.file), "line": self.line, "field": self.field, "message": self.message}


class UnknownQuestionError(MockloopError):
    """A question id that no loaded bank holds."""

    def __init__(self, question_id: str, close: list[str]) -> None:
        self.question_id = question_id
        self.close = close
        hint = f"Did you mean: {', '.join(close)}?" if close else "Run `mockloop questions` to list the ids."
        super().__init__(f"There is no question with id '{question_id}'.", hint)


class AudioUnavailableError(MockloopError):
    """No PortAudio library or no usable audio device."""
