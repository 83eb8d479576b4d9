"""The Qt side of the preloaded models: progress signals for the status bar, and release at exit."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from mockloop.engine.interview.lines import stock_lines
from mockloop.engine.bank.schema import Bank
from mockloop.engine.core.settings import Settings
from mockloop.engine.models.warm_engines import WarmEngines
from mockloop.ui.common import qt_fixes  # noqa: F401 (PySide6 reference-count bugs: see qt_fixes)
from mockloop.ui.common.background import run_in_background
from mockloop.ui.common.model_status import ROLE_LABELS


def interviewer_rate(bank: Bank | None, settings: Settings) -> float | None:
    """The pace the next interviewer speaks at (as the interview works it out); None without a bank."""
    if bank is None or not bank.personas:
        return None
    persona = next((p for p in bank.personas if p.id == settings.persona), bank.personas[0])
    return persona.speaking_rate * settings.speaking_rate


class ModelWarmer(QObject):
    """Loads the models in the background at launch; `progress` reaches the GUI thread as a sentence."""

    progress = Signal(str, str, str)  # role, "loading" | "ready" | "failed", detail
    message = Signal(str)  # what the status bar shows; "" once everything is loaded

    def __init__(self, settings: Settings, parent: QObject | None = None, *, speaking_rate: float | None = None) -> None:
        """`speaking_rate`: the interviewer's (persona × settings); their stock lines are cached at that rate."""
        super().__init__(parent)
        speech = (stock_lines(), speaking_rate) if speaking_rate else None
        # The callback runs on the loading thread: a signal carries it to the GUI thread.
        self.models = WarmEngines(settings, on_progress=self.progress.emit, speech=speech)
        self.progress.connect(self._on_progress)
        self._states: dict[str, str] = {}

    def start(self) -> None:
        self.models.start()

    @Slot(str, str, str)
    def _on_progress(self, role: str, state: str, detail: str) -> None:
        self._states[role] = state
        if state == "loading":
            self.message.emit(f"Loading {ROLE_LABELS[role].lower()}…")
        elif len(self._states) == len(ROLE_LABELS) and "loading" not in self._states.values():
            failed = [ROLE_LABELS[r] for r, s in self._states.items() if s == "failed"]
            self.message.emit(f"Could not load: {', '.join(failed)} (see Home)" if failed else "")

    def state(self, role: str) -> str:
        return self._states.get(role, "waiting")

    def release(self) -> None:
        """Free the models without blocking the window (the loading thread is joined in the background)."""
        run_in_background(self.models.close, None)
