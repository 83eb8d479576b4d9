"""The practice plan: which questions to practise on which day, weakest and least-practised axes first."""

# How the plan is made (each item says why it was chosen):
# - Days run from today to the day before the interview date (the interview day itself when it
#   is today), at most `MAX_DAYS`; without a date, the next `DEFAULT_DAYS` days.
# - Each day gets `per_day` questions on different axes. An axis's priority is its gap
#   (100 - performance) plus a bonus for little practice (25 / (1 + answers)); axes never
#   practised come first, hardest first. Every question planned counts as practice of its axes:
#   an unknown axis is then assumed average (50), a known one 10 points better, so the plan
#   rotates through the weak axes instead of drilling only the weakest.
# - On an axis, a question never answered (nor planned) comes next: easier ones while the axis
#   is weak (< 50), harder ones once it is not. Otherwise the one with the lowest last score.
#   A weak answer (< 50) comes back first once `SPACING_DAYS` have passed since it was given
#   (spaced repetition). A question is not planned again within `SPACING_DAYS` days of its
#   last planning.

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from mockloop.engine.bank.schema import Bank, Question
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.progress.radar import AxisValue, Radar, build_radar
from mockloop.engine.store import AxisScore, SessionStore

DEFAULT_DAYS = 7
MAX_DAYS = 28
DEFAULT_PER_DAY = 2
SPACING_DAYS = 3
PRACTICE_BONUS = 25.0
ASSUMED_GAIN = 10.0
WEAK = 50.0
INTERVIEW_DATE_KEY = "interview_date"  # the store preference holding the date (YYYY-MM-DD)


class InterviewDateError(MockloopError):
    """An interview date that cannot be planned for."""


def parse_interview_date(text: str, today: date) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InterviewDateError(f"'{text}' is not a date.", "Give the interview date as YYYY-MM-DD, e.g. 2026-12-01.") from None
    if day < today:
        raise InterviewDateError(f"The interview date {day.isoformat()} is in the past.",
                                 "Give the date of your next interview (today or later).")
    return day


@dataclass(frozen=True)
class PastAnswer:
    question_id: str
    answered: date
    score: float


@dataclass(frozen=True)
class PlanItem:
    question_id: str
    text: str
    kind: str
    difficulty: str
    axis_id: str
    axis_name: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"question_id": self.question_id, "text": self.text, "kind": self.kind, "difficulty": self.difficulty,
                "axis_id": self.axis_id, "axis_name": self.axis_name, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class PlanDay:
    date: date
    items: tuple[PlanItem, ...]

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(), "items": [i.to_dict() for i in self.items]}


@dataclass(frozen=True)
class PracticePlan:
    bank_id: str
    today: date
    interview_date: date | None
    days_left: int | None  # days from today to the interview; None without a date
    per_day: int
    days: tuple[PlanDay, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"bank_id": self.bank_id, "today": self.today.isoformat(),
                "interview_date": self.interview_date.isoformat() if self.interview_date else None,
                "days_left": self.days_left, "per_day": self.per_day, "days": [d.to_dict() for d in self.days],
                "notes": list(self.notes)}


@dataclass
class _Axis:
    id: str
    name: str
    performance: float | None
    answers: int
    difficulty: float
    estimate: float | None = None  # performance as practice is planned
    planned: int = 0

    def __post_init__(self) -> None:
        self.estimate = self.performance

    def priority(self) -> tuple[int, float]:
        if self.estimate is None:
            return (1, self.difficulty)  # never practised (nor planned): before every practised axis
        return (0, (100.0 - self.estimate) + PRACTICE_BONUS / (1 + self.answers + self.planned))


def plan_days(today: date, interview_date: date | None) -> tuple[list[date], list[str]]:
    notes = []
    if interview_date is None:
        count = DEFAULT_DAYS
        notes.append(f"No interview date is set, so this plans the next {DEFAULT_DAYS} days.")
    elif interview_date <= today:
        count = 1
    else:
        count = (interview_date - today).days
        if count > MAX_DAYS:
            notes.append(f"Your interview is {count} days away; this plans the next {MAX_DAYS}.")
            count = MAX_DAYS
    return [today + timedelta(days=n) for n in range(count)], notes


def build_plan(bank: Bank, radar: Radar, past: list[PastAnswer], *, today: date, interview_date: date | None = None,
               per_day: int = DEFAULT_PER_DAY) -> PracticePlan:
    """A day-by-day plan for one bank from its all-time radar and the past answers to its questions."""
    if per_day < 1:
        raise ValueError("per_day must be at least 1")
    days, notes = plan_days(today, interview_date)
    if interview_date is not None and interview_date < today:
        notes.insert(0, f"Your interview date {interview_date.isoformat()} has passed; set a new one.")
        days, more = plan_days(today, None)
        notes += more
        interview_date = None
    axes = {a.id: _Axis(a.id, a.name, a.performance, a.answers, a.difficulty or 0.0)
            for a in radar.axes if any(radar_axis.id == a.id for radar_axis in bank.radar_axes)}
    questions = {a: [q for q in bank.questions if a in bank.axes_for(q)] for a in axes}
    last: dict[str, PastAnswer] = {}
    for answer in sorted(past, key=lambda p: p.answered):
        last[answer.question_id] = answer
    planned_on: dict[str, date] = {}
    weakest = _weakest(axes.values())
    least = _least_practised(axes.values())
    out_days = []
    for day in days:
        items: list[PlanItem] = []
        used_axes: set[str] = set()
        for _ in range(min(per_day, len(axes))):
            ranked = sorted((a for a in axes.values() if a.id not in used_axes and questions[a.id]),
                            key=lambda a: a.priority(), reverse=True)
            for axis in ranked:
                question = _pick(questions[axis.id], axis, last, planned_on, day, {i.question_id for i in items})
                if question is not None:
                    break
            else:
                break
            items.append(PlanItem(question.id, question.text, question.kind.value, question.difficulty.value,
                                  axis.id, axis.name, (_axis_reason(axis, weakest, least), _question_reason(question, last))))
            used_axes.add(axis.id)
            planned_on[question.id] = day
            for axis_id in bank.axes_for(question):
                if axis_id in axes:
                    _count_planned(axes[axis_id])
        out_days.append(PlanDay(day, tuple(items)))
    days_left = None if interview_date is None else (interview_date - today).days
    return PracticePlan(bank.company.id, today, interview_date, days_left, per_day, tuple(out_days), tuple(notes))


def past_answers(history: list[AxisScore]) -> list[PastAnswer]:
    """One entry per answer (radar rows are per axis), dated in the local time zone."""
    seen: dict[int, PastAnswer] = {}
    for h in history:
        seen.setdefault(h.turn_id, PastAnswer(h.question_id, h.answered_at.astimezone().date(), h.score))
    return list(seen.values())


def stored_interview_date(store: SessionStore) -> date | None:
    """The interview date the candidate set (`mockloop plan`, Home); an unreadable one is forgotten, not fatal."""
    stored = store.get_preference(INTERVIEW_DATE_KEY)
    if not stored:
        return None
    try:
        return date.fromisoformat(stored)
    except ValueError:
        store.set_preference(INTERVIEW_DATE_KEY, None)
        return None


def plan_for(store: SessionStore, bank: Bank, *, today: date, interview_date: date | None = None,
             per_day: int = DEFAULT_PER_DAY) -> PracticePlan:
    """The plan from the store's history of this bank."""
    radar = build_radar(store, bank)
    past = past_answers(store.axis_history(bank_id=bank.company.id))
    return build_plan(bank, radar, past, today=today, interview_date=interview_date, per_day=per_day)


def question_for_axis(bank: Bank, axis: AxisValue, *, today: date) -> Question | None:
    """What to practise next on one radar axis today, by the rules the plan picks with.

    The answers behind the axis (`axis.history`) say which questions were answered and how well.
    """
    candidates = [q for q in bank.questions if axis.id in bank.axes_for(q)]
    last: dict[str, PastAnswer] = {}
    for point in sorted(axis.history, key=lambda p: p.date):
        last[point.question_id] = PastAnswer(point.question_id, point.date.astimezone().date(), point.score)
    state = _Axis(axis.id, axis.name, axis.performance, axis.answers, axis.difficulty or 0.0)
    return _pick(candidates, state, last, {}, today, set())


def _count_planned(axis: _Axis) -> None:
    axis.estimate = WEAK if axis.estimate is None else min(100.0, axis.estimate + ASSUMED_GAIN)
    axis.planned += 1


def _pick(candidates: list[Question], axis: _Axis, last: dict[str, PastAnswer], planned_on: dict[str, date],
          day: date, today_ids: set[str]) -> Question | None:
    fresh = [q for q in candidates if q.id not in today_ids
             and (q.id not in planned_on or (day - planned_on[q.id]).days >= SPACING_DAYS)]
    if not fresh:
        return None
    # A weak answer comes back once it has had time to settle: spaced repetition.
    due = [q for q in fresh if q.id in last and q.id not in planned_on and last[q.id].score < WEAK
           and (day - last[q.id].answered).days >= SPACING_DAYS]
    if due:
        return min(due, key=lambda q: (last[q.id].score, q.id))
    new = [q for q in fresh if q.id not in last and q.id not in planned_on]
    if new:
        harder_first = axis.estimate is not None and axis.estimate >= WEAK
        return sorted(new, key=lambda q: (-q.difficulty.level if harder_first else q.difficulty.level, q.id))[0]
    # Then the lowest last score; a question only planned (not yet answered) waits behind answered ones.
    return sorted(fresh, key=lambda q: (q.id in planned_on, last[q.id].score if q.id in last else 101.0,
                                        planned_on.get(q.id, date.min), q.id))[0]


def _weakest(axes) -> str | None:
    known = [a for a in axes if a.performance is not None]
    return min(known, key=lambda a: a.performance).id if known else None


def _least_practised(axes) -> str | None:
    known = [a for a in axes if a.answers > 0]
    return min(known, key=lambda a: a.answers).id if known else None


def _axis_reason(axis: _Axis, weakest: str | None, least: str | None) -> str:
    if axis.performance is None:
        suffix = "" if axis.planned == 0 else " (another question for a baseline)"
        return f"never practised: {axis.name}{suffix}"
    if axis.id == weakest:
        return f"weakest axis: {axis.name} ({axis.performance:.0f})"
    if axis.id == least:
        plural = "answer" if axis.answers == 1 else "answers"
        return f"least practised axis: {axis.name} ({axis.answers} {plural})"
    if axis.performance < WEAK:
        return f"weak axis: {axis.name} ({axis.performance:.0f})"
    return f"keep it sharp: {axis.name} ({axis.performance:.0f})"


def _question_reason(question: Question, last: dict[str, PastAnswer]) -> str:
    if question.id not in last:
        return f"new question ({question.difficulty.value})"
    answer = last[question.id]
    return f"retry: scored {answer.score:.0f} on {answer.answered.isoformat()}"
