"""The question bank schema: loop, radar axes, personas, questions and rubrics."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(str, Enum):
    DATA_SCIENTIST = "Data Scientist"
    ML_ENGINEER = "Machine Learning Engineer"
    ANY = "Any"


class Kind(str, Enum):
    SYSTEM_DESIGN = "System Design"
    TECHNICAL = "Technical"
    BEHAVIORAL = "Behavioral"
    CODING = "Coding"


class Difficulty(str, Enum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"

    @property
    def level(self) -> int:
        return {"easy": 1, "medium": 2, "hard": 3}[self.value]


# Scoring dimensions per kind of question, as interview rubrics usually split them.
DIMENSIONS: dict[Kind, tuple[str, ...]] = {
    Kind.SYSTEM_DESIGN: (
        "problem_understanding",
        "data_features",
        "modeling",
        "evaluation_deployment",
        "tradeoffs",
        "communication",
    ),
    Kind.TECHNICAL: ("depth", "correctness", "tradeoffs", "communication"),
    Kind.BEHAVIORAL: ("situation", "task", "action", "result", "communication"),
    # Correctness of a coding answer comes from its hidden tests, the others from what was said.
    Kind.CODING: ("approach", "complexity", "edge_cases", "correctness", "communication"),
}


class RubricPoint(_Strict):
    """One thing a strong answer covers, and the phrases that signal it."""

    id: Slug
    point: Text
    dimension: str
    weight: float = Field(default=1.0, gt=0, le=3)
    signals: list[Text] = Field(min_length=3)
    means: list[Text] = Field(default_factory=list, max_length=8,
                              description="the point said in plain words, for judging paraphrases by meaning")


class Misconception(_Strict):
    """A confident wrong claim an interviewer would challenge, and the phrases that signal it."""

    id: Slug
    claim: Text = Field(description="the wrong belief, stated plainly")
    signals: list[Text] = Field(min_length=3, description="affirmative spoken phrasings of the claim")
    means: list[Text] = Field(default_factory=list, max_length=8, description="the claim said in other plain words")
    correction: Text = Field(description="what is true instead, shown in the feedback")
    challenge: Text = Field(description="the follow-up; {quote} is replaced by the candidate's own words")
    dimension: str


class Question(_Strict):
    id: Slug
    round: Slug
    role: Role
    kind: Kind
    difficulty: Difficulty
    text: Text
    tags: list[Text] = Field(min_length=1)
    rubric: list[RubricPoint] = Field(min_length=4, max_length=8)
    probes: list[Text] = Field(min_length=2, max_length=4)
    outline: list[Text] = Field(min_length=3)
    misconceptions: list[Misconception] = Field(default_factory=list, max_length=5)

    @model_validator(mode="after")
    def _dimensions_fit_kind(self) -> Question:
        allowed = DIMENSIONS[self.kind]
        for index, point in enumerate(self.rubric):
            if point.dimension not in allowed:
                raise ValueError(
                    f"rubric[{index}] ({point.id}) has dimension '{point.dimension}'; "
                    f"a {self.kind.value} question uses one of: {', '.join(allowed)}"
                )
        ids = [p.id for p in self.rubric]
        if len(set(ids)) != len(ids):
            raise ValueError("rubric point ids must be unique within a question")
        for index, wrong in enumerate(self.misconceptions):
            if wrong.dimension not in allowed:
                raise ValueError(
                    f"misconceptions[{index}] ({wrong.id}) has dimension '{wrong.dimension}'; "
                    f"a {self.kind.value} question uses one of: {', '.join(allowed)}"
                )
        return self


class LoopStage(_Strict):
    """A stage of the interview loop as the company page describes it."""

    id: Slug
    name: Text
    description: Text
    focus: list[Text] = Field(min_length=1)
    minutes_per_round: int = Field(gt=0, le=180)
    rounds_min: int = Field(default=1, ge=1)
    rounds_max: int = Field(default=1, ge=1)
    kinds: list[Kind] = Field(min_length=1)

    @model_validator(mode="after")
    def _round_range(self) -> LoopStage:
        if self.rounds_max < self.rounds_min:
            raise ValueError("rounds_max must be at least rounds_min")
        return self


class Company(_Strict):
    id: Slug
    name: Text
    summary: Text
    difficulty: Text
    rounds: int = Field(gt=0)
    timeline_days: int = Field(gt=0)


class Rule(_Strict):
    """An unwritten rule of the loop, e.g. "Think out loud"."""

    name: Text
    description: Text


class RadarAxis(_Strict):
    """A topic on the difficulty radar; questions join it through their tags."""

    id: Slug
    name: Text
    tags: list[Text] = Field(default_factory=list)
    kinds: list[Kind] = Field(default_factory=list, description="every question of these kinds joins the axis")


class Persona(_Strict):
    id: Slug
    name: Text
    title: Text
    focus: Text
    prompt: Text
    followup_style: Text
    nudges: list[Text] = Field(min_length=2)
    silence_patience_s: float = Field(gt=0, le=120)
    speaking_rate: float = Field(gt=0.5, le=2.0, description="1.0 is the voice's natural pace")
    max_followups: int = Field(default=2, ge=0, le=2)
    presses_on: list[str] = Field(default_factory=list, description="scoring dimensions this interviewer probes first")
    concept_probe: Text = Field(default="You mentioned {term}. Why that choice here, and what would you watch out for?",
                                description="how this interviewer asks about a term the candidate used; {term} is it")
    concept_weight: float = Field(default=0.9, gt=0, le=3, description="how much this interviewer likes digging into terms")
    why_probe: Text = Field(default="You said {quote}. Why that here, and what would it cost you?",
                            description="how this interviewer asks for the reasons behind a bare claim; {quote} is the claim")


class Bank(_Strict):
    schema_version: int = Field(ge=1, le=1)
    company: Company
    loop: list[LoopStage] = Field(min_length=1)
    radar_axes: list[RadarAxis] = Field(min_length=3, max_length=10)
    rules: list[Rule] = Field(default_factory=list)
    personas: list[Persona] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_references(self) -> Bank:
        stages = {s.id: s for s in self.loop}
        seen: set[str] = set()
        for index, q in enumerate(self.questions):
            if q.id in seen:
                raise ValueError(f"questions[{index}]: duplicate question id '{q.id}'")
            seen.add(q.id)
            if q.round not in stages:
                raise ValueError(f"questions[{index}] ({q.id}): round '{q.round}' is not one of the loop stages {sorted(stages)}")
            if q.kind not in stages[q.round].kinds:
                raise ValueError(f"questions[{index}] ({q.id}): a {q.kind.value} question cannot be in the '{q.round}' stage")
            if not self.axes_for(q):
                raise ValueError(f"questions[{index}] ({q.id}): no radar axis covers its tags {q.tags}")
        persona_ids = [p.id for p in self.personas]
        if len(set(persona_ids)) != len(persona_ids):
            raise ValueError("persona ids must be unique")
        return self

    def axes_for(self, question: Question) -> list[str]:
        """The radar axes a question counts towards."""
        tags = {t.lower() for t in question.tags}
        return [
            axis.id
            for axis in self.radar_axes
            if question.kind in axis.kinds or tags & {t.lower() for t in axis.tags}
        ]

    def axis_difficulty(self) -> dict[str, float]:
        """Mean difficulty (1 easy .. 3 hard) of the questions on each axis."""
        totals: dict[str, list[int]] = {a.id: [] for a in self.radar_axes}
        for q in self.questions:
            for axis in self.axes_for(q):
                totals[axis].append(q.difficulty.level)
        return {axis: (sum(v) / len(v) if v else 0.0) for axis, v in totals.items()}

    def persona(self, persona_id: str) -> Persona:
        for p in self.personas:
            if p.id == persona_id:
                return p
        raise KeyError(persona_id)
