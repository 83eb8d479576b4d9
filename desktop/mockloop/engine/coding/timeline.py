"""The editor's timeline: every edit with its time in the turn's recording, so the code can be replayed.

An edit is (t, position, removed, inserted): at `t` seconds into the recording, `removed`
characters at `position` were replaced by `inserted`, as Qt's `contentsChange` reports it.
Replaying the edits up to a time gives the code as it was then (Review's scrubbing).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Edit:
    t: float
    position: int
    removed: int
    inserted: str

    def apply(self, text: str) -> str:
        return text[: self.position] + self.inserted + text[self.position + self.removed:]

    def writes_code(self, before: str) -> bool:
        """True when the edit adds or removes something other than whitespace."""
        gone = before[self.position: self.position + self.removed]
        return bool(self.inserted.strip() or gone.strip())


@dataclass
class EditTimeline:
    """The starter code and the edits made to it, in time order."""

    starter: str = ""
    edits: list[Edit] = field(default_factory=list)
    _checkpoints: list[tuple[int, str]] = field(default_factory=list, repr=False, compare=False)

    CHECKPOINT_EVERY = 200  # edits between cached texts, so scrubbing a long session stays fast

    def add(self, t: float, position: int, removed: int, inserted: str) -> None:
        if self.edits and t < self.edits[-1].t:
            t = self.edits[-1].t  # clocks read on different threads may step back a hair
        self.edits.append(Edit(float(t), int(position), int(removed), str(inserted)))

    @property
    def final(self) -> str:
        return self.text_at(float("inf"))

    def text_at(self, t: float) -> str:
        """The code as it was at `t` seconds (the starter before the first edit)."""
        count = bisect.bisect_right([e.t for e in self.edits], t)
        return self._text_after(count)

    def _text_after(self, count: int) -> str:
        start, text = 0, self.starter
        for index, cached in self._checkpoints:
            if index <= count:
                start, text = index, cached
        for i in range(start, count):
            text = self.edits[i].apply(text)
            if (i + 1) % self.CHECKPOINT_EVERY == 0 and all(c[0] != i + 1 for c in self._checkpoints):
                self._checkpoints.append((i + 1, text))
        return text

    def code_edit_times(self) -> list[float]:
        """The times of the edits that wrote code (not only whitespace)."""
        times, text = [], self.starter
        for edit in self.edits:
            if edit.writes_code(text):
                times.append(edit.t)
            text = edit.apply(text)
        return times

    def first_code_time(self) -> float | None:
        """When the candidate first wrote code, None if they never did."""
        times = self.code_edit_times()
        return times[0] if times else None

    def to_dict(self) -> dict[str, Any]:
        return {"starter": self.starter, "edits": [[round(e.t, 3), e.position, e.removed, e.inserted] for e in self.edits]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> EditTimeline:
        data = data or {}
        timeline = cls(str(data.get("starter", "")))
        for row in data.get("edits", []) or []:
            if isinstance(row, (list, tuple)) and len(row) == 4:
                timeline.add(float(row[0]), int(row[1]), int(row[2]), str(row[3]))
        return timeline
