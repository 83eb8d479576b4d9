"""Which questions an interview asks, in which rounds, with what time budget.

A full loop follows the company page: the recruiter screen (behavioral and fit), then
the technical rounds (domain knowledge, coding, system design, depth). Questions are chosen by
role and difficulty, preferring the candidate's weakest and least-practised radar axes.
Choices are deterministic for a given seed, so a run can be reproduced.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from mockloop.engine.bank.schema import Bank, Difficulty, Kind, Question, Role

# A system-design question runs in timed phases, as real ones do (fractions of its budget).
DESIGN_PHASES: tuple[tuple[str, str, float], ...] = (
    ("clarify", "Let's start with requirements. What would you want to clarify before designing anything?", 0.125),
    ("high-level", "Walk me through the high-level design, end to end.", 0.375),
    ("deep-dive", "Let's go deeper. Pick the most important component and take me through it in detail.", 0.375),
    ("wrap-up", "We're nearly out of time. Summarize your design and the main trade-offs you made.", 0.125),
)

# Technical rounds of the loop and the kind of question each one draws: the company page's
# "domain knowledge, coding, and system design", then more depth when the loop has a fourth.
TECHNICAL_ROUNDS: tuple[tuple[str, Kind, int], ...] = (
    ("Domain knowledge", Kind.TECHNICAL, 2),
    ("Coding", Kind.CODING, 1),
    ("System design", Kind.SYSTEM_DESIGN, 1),
    ("ML depth", Kind.TECHNICAL, 2),
)

# Recruiter screens open the same way everywhere.
SCREEN_OPENERS = ("tell me about yourself", "why do you want to work")


@dataclass
class PlannedRound:
    stage: str  # the bank's loop stage id
    title: str
    budget_seconds: int
    questions: list[str] = field(default_factory=list)

    def seconds_per_question(self) -> float:
        return self.budget_seconds / max(1, len(self.questions))


@dataclass
class Phase:
    id: str
    prompt: str
    seconds: float


def design_phases(budget_seconds: float) -> list[Phase]:
    return [Phase(pid, prompt, round(budget_seconds * share, 1)) for pid, prompt, share in DESIGN_PHASES]


def _role_ok(q: Question, role: Role | None) -> bool:
    return role is None or q.role in (role, Role.ANY)


def _pick(
    pool: list[Question],
    n: int,
    bank: Bank,
    rng: random.Random,
    axis_strength: dict[str, float],
    practised: dict[str, int],
    difficulty: Difficulty | None,
) -> list[Question]:
    """The n questions to ask: weakest axes first, then least practised, then the wanted difficulty."""

    def need(q: Question) -> tuple:
        axes = bank.axes_for(q)
        weakness = min((axis_strength.get(a, 0.5) for a in axes), default=0.5)
        off_level = 0 if difficulty is None else abs(q.difficulty.level - difficulty.level)
        return (round(weakness, 2), practised.get(q.id, 0), off_level, rng.random())

    chosen = sorted(pool, key=need)[:n]
    return chosen


def plan_loop(
    bank: Bank,
    role: Role | None = None,
    difficulty: Difficulty | None = None,
    axis_strength: dict[str, float] | None = None,
    practised: dict[str, int] | None = None,
    technical_rounds: int | None = None,
    seed: int = 0,
) -> list[PlannedRound]:
    """A full mock loop: the recruiter screen, then 3-4 technical rounds."""
    rng = random.Random(seed)
    axis_strength = axis_strength or {}
    practised = practised or {}
    stages = {s.id: s for s in bank.loop}
    rounds: list[PlannedRound] = []
    used: set[str] = set()

    screen = next((s for s in bank.loop if Kind.BEHAVIORAL in s.kinds), None)
    if screen is not None:
        behavioral = [q for q in bank.questions if q.round == screen.id]
        openers = [q for o in SCREEN_OPENERS for q in behavioral if q.text.lower().startswith(o)]
        rest = [q for q in behavioral if q not in openers]
        picked = openers[:2] + _pick(rest, 2, bank, rng, axis_strength, practised, None)
        rounds.append(PlannedRound(screen.id, screen.name, screen.minutes_per_round * 60, [q.id for q in picked]))
        used.update(q.id for q in picked)

    technical = next((s for s in bank.loop if Kind.TECHNICAL in s.kinds or Kind.SYSTEM_DESIGN in s.kinds), None)
    if technical is None:
        return rounds
    count = technical_rounds or technical.rounds_max
    count = max(technical.rounds_min, min(technical.rounds_max, count))
    for title, kind, n in TECHNICAL_ROUNDS[:count]:
        pool = [q for q in bank.questions if q.kind is kind and q.round == technical.id and q.id not in used]
        preferred = [q for q in pool if _role_ok(q, role)]
        # An ML engineer still gets a design round even if the bank only files design questions under DS.
        picked = _pick(preferred or pool, n, bank, rng, axis_strength, practised, difficulty)
        if not picked:
            continue
        used.update(q.id for q in picked)
        rounds.append(PlannedRound(technical.id, title, stages[technical.id].minutes_per_round * 60, [q.id for q in picked]))
    return rounds


def plan_practice(bank: Bank, question: Question) -> list[PlannedRound]:
    """Single-question practice: one round, the question's share of its stage's time."""
    stage = next(s for s in bank.loop if s.id == question.round)
    budget = stage.minutes_per_round * 60
    if question.kind is Kind.CODING:
        budget = min(budget, 30 * 60)  # time to explain, write, run and fix
    elif question.kind is not Kind.SYSTEM_DESIGN:
        budget = min(budget, 15 * 60)
    return [PlannedRound(stage.id, "Practice", budget, [question.id])]
