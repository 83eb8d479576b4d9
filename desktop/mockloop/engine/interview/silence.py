"""How long the interviewer listens, and what silence does: the end-of-turn settings of one listening turn.

A real interviewer waits, nudges, and only then moves on. So a Pause event comes at the persona's
patience (a nudge) and at twice it (the offer to repeat the question or move on); silence alone never
ends the question (no "no speech" end); and the turn is bounded by the time left: the design phase's
share, or what is left of the round.
"""

from __future__ import annotations

import dataclasses

from mockloop.engine.speech.endpointer import EndpointerConfig

# However little of the round is left, a question gets at least this long to be answered.
MIN_TURN_SECONDS = 60.0


def listening_config(base: EndpointerConfig, *, patience: float, round_left: float,
                     phase_seconds: float | None = None) -> EndpointerConfig:
    """The end of turn for one listening turn: `base` (the user's end-of-turn setting) with the persona's
    pause marks, no end by silence alone, and the time left as its limit."""
    left = max(MIN_TURN_SECONDS, round_left)
    limit = min(left, phase_seconds) if phase_seconds is not None else min(left, base.max_turn_seconds or left)
    return dataclasses.replace(base, pause_marks=tuple(sorted({*base.pause_marks, patience, 2 * patience})),
                               no_speech_seconds=None, max_turn_seconds=limit)
