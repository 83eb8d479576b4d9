"""The question bank schema: loop, radar axes, personas, questions, rubrics and scenario facts."""

from __future__ import annotations

import keyword
import re
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

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


class CodingCase(_Strict):
    """One hidden test of a coding question: a call's arguments and what must come back."""

    name: Text = Field(description='short, e.g. "all-equal scores", "empty stream", "k larger than n"')
    args: list[Any] = Field(description="positional arguments, JSON- and YAML-able")
    expected: Any = None
    check: str | None = Field(default=None, description="a Python expression over `result` and `args` that must be true, "
                                                        "for answers with more than one right value (random samples)")
    tolerance: float | None = Field(default=None, ge=0)
    unordered: bool = False

    @model_validator(mode="after")
    def _expected_or_check(self) -> CodingCase:
        # A stub returns None, so None as the expected value would let an empty function pass.
        if (self.expected is None) == (self.check is None):
            raise ValueError("a case needs exactly one of 'expected' (a value other than null) or 'check' (an expression)")
        if self.check is not None:
            if self.tolerance is not None or self.unordered:
                raise ValueError("'tolerance' and 'unordered' apply to 'expected'; a 'check' expression does its own comparing")
            try:
                compile(self.check, "<check>", "eval")
            except SyntaxError as exc:
                raise ValueError(f"'check' is not a Python expression: {exc.msg}") from None
        return self


class ComplexityTarget(_Strict):
    """The time and space a good solution needs, and how a candidate says it aloud."""

    time: Text = Field(description='e.g. "O(n log n)"')
    space: Text = Field(description='e.g. "O(n)"')
    says: list[Text] = Field(min_length=1, description='spoken, lowercase: "n log n", "log linear", "sort"')

    @field_validator("says")
    @classmethod
    def _lowercase(cls, says: list[str]) -> list[str]:
        loud = [s for s in says if s != s.lower()]
        if loud:
            raise ValueError(f"spoken phrases are matched against a lowercase transcript, so write them in lowercase: {loud}")
        return says


class CodingTask(_Strict):
    """What a coding question hands the editor and the test runner."""

    function: str = Field(description="the name of the function the candidate writes")
    signature: Text = Field(description='e.g. "def roc_auc(scores: list[float], labels: list[int]) -> float"')
    starter: Text = Field(description="the stub shown in the editor: the signature, a docstring, and a body that fails every test")
    reference: Text = Field(description="a reference solution; only the bank's tests run it, it is never shown")
    cases: list[CodingCase] = Field(min_length=5)
    complexity: ComplexityTarget

    @field_validator("function")
    @classmethod
    def _identifier(cls, name: str) -> str:
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"'{name}' is not a Python function name (letters, digits and underscores, not a keyword)")
        return name

    @model_validator(mode="after")
    def _code_fits(self) -> CodingTask:
        wanted = f"def {self.function}("
        if not self.signature.startswith(wanted):
            raise ValueError(f"the signature must start with '{wanted}'")
        for name in ("starter", "reference"):
            code = getattr(self, name)
            try:
                compile(code, f"<{name}>", "exec")
            except SyntaxError as exc:
                raise ValueError(f"the {name} does not compile (line {exc.lineno}: {exc.msg})") from None
            if wanted not in code:
                raise ValueError(f"the {name} does not define {self.function}()")
        names = [c.name.lower() for c in self.cases]
        if len(set(names)) != len(names):
            raise ValueError("case names must be unique within a question, so a failure names one test")
        return self


class FactTopic(str, Enum):
    """What a candidate asks about before designing."""

    SCALE = "scale"  # daily users, posts or events per second, catalogue size
    LATENCY = "latency"  # the latency budget (p99), freshness
    LABELS = "labels"  # which labels exist, how they arrive, their delay and noise
    INFRASTRUCTURE = "infrastructure"  # what exists already: feature store, ANN index, streams, GPUs
    GOAL = "goal"  # the business goal, the metric that matters
    CONSTRAINTS = "constraints"  # privacy, fairness, regions, budget, policy


# Text-to-speech reads these badly or not at all ("%" as nothing, "ms" letter by letter), so a fact
# spells them out the way a speaker would.
_UNSPEAKABLE = re.compile(r"[%/<>_=~^*#@&|\\]|\b\d+(?:\.\d+)?\s*ms\b|\bms\b|\bp\d\d\b|\b\d+(?:\.\d+)?[kmb]\b", re.IGNORECASE)


def unspeakable(text: str) -> list[str]:
    """The pieces of a text that text-to-speech would read badly, e.g. ["%", "50 ms", "6k"]."""
    return [m.group(0) for m in _UNSPEAKABLE.finditer(text)]


class ScenarioFact(_Strict):
    """One thing the interviewer can tell a candidate who asks, e.g. the latency budget."""

    id: Slug = Field(description='e.g. "latency-budget"')
    topic: FactTopic
    fact: Text = Field(description="the interviewer's answer, one or two spoken sentences in plain words (read aloud)")
    asks: list[Text] = Field(min_length=3, max_length=6,
                             description='lowercase spoken ways to ask for it: "what\'s the latency budget"')
    important: bool = Field(default=False, description="a strong candidate asks for it; Feedback says when nobody did")
    unasked: Text | None = Field(default=None, description="the feedback line when an important fact was never asked for")

    @field_validator("fact", "unasked")
    @classmethod
    def _speakable(cls, text: str | None) -> str | None:
        bad = unspeakable(text or "")
        if bad:
            raise ValueError(f"this is read aloud, so spell out {bad} as a speaker says it "
                             "(\"percent\", \"milliseconds\", \"99th percentile\", \"per second\", \"thousand\")")
        return text

    @field_validator("asks")
    @classmethod
    def _lowercase(cls, asks: list[str]) -> list[str]:
        loud = [a for a in asks if a != a.lower()]
        if loud:
            raise ValueError(f"spoken phrases are matched against a lowercase transcript, so write them in lowercase: {loud}")
        return asks

    @model_validator(mode="after")
    def _important_says_why(self) -> ScenarioFact:
        if self.important and self.unasked is None:
            raise ValueError(f"fact '{self.id}' is important, so it needs 'unasked': the feedback line when the candidate never asked for it")
        return self


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
    coding: CodingTask | None = Field(default=None, description="the editor's stub and the hidden tests; Coding questions only")
    scenario: list[ScenarioFact] = Field(default_factory=list, max_length=8,
                                         description="what the interviewer answers when asked; none for Behavioral questions")

    @field_validator("scenario")
    @classmethod
    def _scenario_fits(cls, facts: list[ScenarioFact], info: ValidationInfo) -> list[ScenarioFact]:
        if facts and info.data.get("kind") is Kind.BEHAVIORAL:
            raise ValueError("a Behavioral question has no scenario: the candidate's own story is the material")
        ids = [f.id for f in facts]
        doubled = sorted({i for i in ids if ids.count(i) > 1})
        if doubled:
            raise ValueError(f"scenario fact ids must be unique within a question: {doubled}")
        return facts

    @model_validator(mode="after")
    def _dimensions_fit_kind(self) -> Question:
        if self.kind is Kind.CODING and self.coding is None:
            raise ValueError("a Coding question needs a 'coding' section (function, signature, starter, reference, cases, complexity)")
        if self.kind is not Kind.CODING and self.coding is not None:
            raise ValueError(f"only Coding questions have a 'coding' section; this one is {self.kind.value}")
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
    answer_lead: str = Field(default="", max_length=40,
                             description="said before a scenario fact the candidate asked for, e.g. \"Good question.\"")
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
