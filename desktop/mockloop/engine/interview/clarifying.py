"""Hearing a sentence the candidate addresses to the interviewer (a clarifying question, "repeat that", "a minute to think") and the reply to it."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable

import numpy as np

from mockloop.engine.interview.scenario_match import aligned, match_fact, strip_preamble

__all__ = ["Intent", "Heard", "hear", "sentences_with_pauses", "match_fact", "reply_for", "first_sentences", "NO_FACT", "REPEAT_MARKER",
           "SENTENCE_PAUSE_S", "ADDRESSED_AT"]


class Intent(str, Enum):
    NONE = "none"        # thinking aloud, a question the candidate answers, a statement: not for the interviewer
    CLARIFY = "clarify"  # asks for a fact of the scenario
    REPEAT = "repeat"    # asks to hear the question again
    THINK = "think"      # asks for time to think
    MOVE_ON = "move-on"  # asks to leave the question (the only consent the interviewer moves on with)


@dataclass(frozen=True)
class Heard:
    intent: Intent
    text: str
    score: float  # 0..1: how sure the sentence is addressed to the interviewer (or not, for NONE)
    cues: tuple[str, ...]

    @property
    def addressed(self) -> bool:
        return self.intent is not Intent.NONE


# reply_for's answer to REPEAT: the runner speaks the interview question again in its place.
REPEAT_MARKER = "<repeat-question>"
# A silence this long splits a sentence even when Whisper gave no punctuation.
SENTENCE_PAUSE_S = 0.8
# The evidence for "addressed to the interviewer" must reach this (sigmoid of the summed weights).
ADDRESSED_AT = 0.5

_FILLERS = re.compile(r"^(?:(?:so|okay|ok|um+|uh+|and|right|alright|well|hmm+|now|then|also|sorry|actually|oh)\b[\s,.]*)+")
_QUESTION_START = re.compile(r"^(?:what|what's|whats|how|which|who|when|where|is|isn't|are|aren't|do|does|did|can|could|"
                             r"would|will|should|shall|may|any|have|has|was|were|roughly|just)\b")

_REPEAT = re.compile(r"\b(?:repeat|say (?:that|it) again|come again|pardon|didn't (?:catch|hear)|missed (?:that|it|the)|"
                     r"what was the question|go over the question|read (?:the question|it|that) (?:again|one more time|once more)|"
                     r"(?:rephrase|restate) (?:the question|that|it))\b")
_REPEAT_REQUEST = re.compile(r"\b(?:you|please|sorry|pardon|question|again)\b")
# "Can we move on?", "let's skip this one", "next question please"; not "let's move on to ranking" (a plan).
_MOVE_ON = re.compile(r"^(?:(?:yes|yeah|yep|sure|please|i think|honestly)[\s,]+)*(?:can we|could we|let's|let us|i'd like to|i want to|"
                      r"i'd rather|i would rather|shall we|we can|maybe we|maybe let's|just)?\s*(?:just )?"
                      r"(?:move on|skip (?:this|it|that|ahead)(?: one| question)?|go (?:on )?to the next question|"
                      r"(?:the )?next question|pass on (?:this|that)(?: one)?)(?! to\b)(?:[\s,]+(?:please|then|now|for now|if that's (?:ok|okay|fine)))*[.?!]*$")
_OWN_NEXT_STEP = re.compile(r"\b(?:move on|moving on|go on|skip ahead|jump|come back) to\b")
_TIME_ASKED = re.compile(r"\b(?:minute|moment|second|sec|seconds|few seconds|bit)\b")
_THINK_REQUEST = re.compile(r"\b(?:can i (?:have|take|get)|could i (?:have|take|get)|may i (?:have|take)|(?:do you )?mind if i|"
                            r"give me|hold on|bear with me|one moment|just a (?:moment|second|sec)|"
                            r"let me think (?:for|a)\b|if that's (?:ok|okay|alright|fine))")

# Phrases a candidate uses when asking someone else (weights say how strongly).
_ASKING: tuple[tuple[str, re.Pattern[str], float], ...] = tuple(
    (name, re.compile(pattern), weight) for name, pattern, weight in (
        ("can I assume", r"\b(?:can|could|may|should) (?:i|we) (?:assume|use|expect|rely)\b", 1.4),
        ("is it ok if", r"\bis it (?:ok|okay|fine|alright|all right|safe|acceptable|reasonable) (?:if|to)\b", 1.4),
        ("am I allowed", r"\b(?:am i|are we) (?:allowed|able|expected|supposed)\b", 1.2),
        ("do we have", r"\b(?:do|did|does|will) (?:we|they|the \w+) (?:have|get|know|need|care|want|run|use|expect|see)\b", 1.0),
        ("you", r"\b(?:you|your)\b", 1.2),
        ("I'd like to know", r"\bi(?:'d| would)? (?:like|want|need) to (?:know|understand|check|confirm|clarify)\b", 1.4),
        ("I'm curious", r"\bi'?m curious\b", 1.4),
        ("to clarify", r"\b(?:just to clarify|to clarify|just checking|just to check|let me ask|quick question|clarify)\b", 1.0),
        ("what is the", r"^(?:what|what's|whats) (?:is |are )?(?:the|our|your)\b", 0.8),
        ("how many", r"\bhow (?:many|much|big|long|fast|quickly|fresh|often|stale)\b", 0.7),
        ("is there", r"^(?:is|are) (?:there|we|this|it|the)\b", 0.7),
        ("tag question", r"(?:,|\b) ?(?:right|correct|is that right|is that correct|yes|no|am i right)\?\s*$", 1.2),
        ("who or which", r"^(?:who|which|what kind|what sort)\b", 0.6),
    ))
# Phrases of a candidate thinking aloud, planning, or answering themselves.
_MUSING: tuple[tuple[str, re.Pattern[str], float], ...] = tuple(
    (name, re.compile(pattern), weight) for name, pattern, weight in (
        ("I wonder", r"\bi(?:'m| am| was)? wonder(?:ing)?\b", 2.2),
        ("I think", r"\bi (?:think|guess|suppose|believe|reckon|feel)\b|\bi'd say\b|\bmy guess\b|\bhonestly\b", 1.4),
        ("hedge", r"\b(?:probably|maybe|perhaps|might|could be|i'm not sure|not sure|i don't know|hmm+)\b", 1.0),
        ("my plan", r"\b(?:i'd(?! (?:like|want|love) to)|i would(?! (?:like|want|love) to)|i'll|i will|i'm going to|i am going to|let me|let's|we'd|we would|we could|"
                    r"we can assume|we'll|we should|i was thinking|i need to)\b", 1.2),
        ("asks myself", r"\b(?:what|how|where|why|should) (?:would|do|did|could|can|should) i\b|\bdo i\b|\bask myself\b", 1.4),
        ("rhetorical", r"\b(?:even|really|actually)\b|\bwhat about\b|\bthe question is\b|\bwhy (?:does|would|is)\b|"
                       r"\bwhat (?:could|can) go wrong\b|\bwhat happens\b|\bworth it\b", 1.0),
        ("assumption stated", r"\b(?:assuming|my assumption|i'll assume|let's say|let's assume)\b|"
                              r"(?<!can )(?<!could )(?<!may )(?<!should )\bi assume\b", 1.6),
    ))

_ASKING_PROTOTYPES = (
    "could you tell me the number", "can I assume that is available", "is it acceptable to assume",
    "I would like to know the requirement", "do we have access to this data", "please clarify the requirement",
    "what is the expected target", "are we allowed to use it",
)
_MUSING_PROTOTYPES = (
    "I wonder whether we need it", "I think probably it is fine", "maybe I guess we could",
    "I suppose it is around a hundred", "I would start with the simplest approach", "not sure, let me think it through",
    "my guess is the bottleneck", "then we build the pipeline",
)
_PROTOTYPES = list(_ASKING_PROTOTYPES + _MUSING_PROTOTYPES)


def _meaning(encoder, text: str) -> float:
    """How much closer the sentence is to asking someone than to musing, by the text model: the mean word
    alignment with each set of prototypes (about -0.1..0.1). The alignment, unlike an averaged vector,
    keeps the topic words ("labels", "latency") from swamping the few words that say who is being asked."""
    sims = aligned(encoder, text, _PROTOTYPES)
    n = len(_ASKING_PROTOTYPES)
    return float(sims[:n].mean() - sims[n:].mean())


def _normalise(sentence: str) -> str:
    text = sentence.strip().lower().replace("’", "'").replace("…", "...")
    text = re.sub(r"\s+", " ", text)
    return strip_preamble(_FILLERS.sub("", text).strip())


def _answers_itself(text: str) -> bool:
    """A question the candidate goes on to answer in the same breath: "Do we need a model? I think so."
    Words after a question mark that are not a question, or words after a trailing-off "...", are the answer."""
    for mark in ("?", "..."):
        head, sep, tail = text.partition(mark)
        if sep and head and re.search(r"[a-z0-9]", tail):
            rest = tail.strip(" .,!")
            if mark == "..." or not rest.endswith("?"):
                return True
    return False


def _pause_weight(pause_after_s: float | None) -> float:
    """A question to someone is followed by waiting; thinking aloud runs straight on. None: unknown."""
    if pause_after_s is None:
        return 0.0
    # -1 at a 0.3 s gap or less, +1 at 1.1 s or more, linear between.
    return float(np.clip((pause_after_s - 0.7) / 0.4, -1.0, 1.0))


def hear(sentence: str, pause_after_s: float | None, encoder) -> Heard:
    """Whether one sentence is addressed to the interviewer, and as what."""
    text = _normalise(sentence)
    if not re.search(r"[a-z]", text):
        return Heard(Intent.NONE, sentence, 1.0, ())
    words = len(text.split())
    pause = _pause_weight(pause_after_s)
    self_answered = _answers_itself(text)
    if not self_answered and words <= 16 and _REPEAT.search(text) and _REPEAT_REQUEST.search(text):
        return Heard(Intent.REPEAT, sentence, round(0.85 + 0.1 * max(pause, 0.0), 3), ("repeat",))
    # "Sorry, I'm stuck on this one, can we move on?": the request is the last clause.
    last_clause = re.split(r"[,;:.]\s+", text)[-1]
    if not self_answered and len(last_clause.split()) <= 12 and _MOVE_ON.search(last_clause):
        return Heard(Intent.MOVE_ON, sentence, round(0.85 + 0.1 * max(pause, 0.0), 3), ("move on",))
    if _OWN_NEXT_STEP.search(text):  # "can we move on to serving?": where the candidate takes their answer next
        return Heard(Intent.NONE, sentence, 0.9, ("not: own next step",))
    if not self_answered and words <= 14 and _TIME_ASKED.search(text) and _THINK_REQUEST.search(text) \
            and not re.search(r"\bthink (?:about|through) (?!this\b|it\b|that\b)", text):
        return Heard(Intent.THINK, sentence, round(0.85 + 0.1 * max(pause, 0.0), 3), ("time to think",))

    cues: list[str] = []
    total = -1.1  # a sentence is the candidate's own until the evidence says otherwise
    if text.endswith("?"):
        total += 1.0
        cues.append("question mark")
    if _QUESTION_START.match(text):
        total += 0.4
        cues.append("question form")
    asked = [(name, weight) for name, pattern, weight in _ASKING if pattern.search(text)]
    if asked:
        # the strongest cue counts fully, the others a little: cues overlap ("what is the" + "how many")
        weights = sorted((w for _, w in asked), reverse=True)
        total += weights[0] + 0.25 * sum(weights[1:3])
        cues.extend(name for name, _ in asked)
    mused = [(name, weight) for name, pattern, weight in _MUSING if pattern.search(text)]
    if mused:
        weights = sorted((w for _, w in mused), reverse=True)
        total -= weights[0] + 0.4 * sum(weights[1:3])
        cues.extend(f"not: {name}" for name, _ in mused)
    if self_answered:
        total -= 2.5
        cues.append("not: answers itself")
    if pause:
        total += 1.0 * pause
        cues.append("pause" if pause > 0 else "not: runs on")
    meaning = _meaning(encoder, text)
    if abs(meaning) >= 0.02:
        total += 10.0 * meaning
        cues.append("meaning" if meaning > 0 else "not: meaning")
    score = float(1.0 / (1.0 + np.exp(-2.0 * total)))
    if score >= ADDRESSED_AT:
        return Heard(Intent.CLARIFY, sentence, round(score, 3), tuple(cues))
    return Heard(Intent.NONE, sentence, round(1.0 - score, 3), tuple(cues))


_ENDS_SENTENCE = re.compile(r"(?<!\.)[.?!]['\")\]]*$")
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "dr.", "approx.", "no."})


def _ends_sentence(token: str) -> bool:
    """Whisper's sentence punctuation on a word; an ellipsis is a hesitation, not the end of a sentence."""
    t = token.strip()
    if t.lower() in _ABBREVIATIONS or t.endswith("..") or t.endswith("…"):
        return False
    return bool(_ENDS_SENTENCE.search(t)) and not re.fullmatch(r"\d+\.", t)


def sentences_with_pauses(words: Iterable[Any]) -> list[tuple[str, float, float, float | None]]:
    """Timed words (objects with .text, .start, .end) as sentences: (text, start, end, pause after).
    A sentence ends at Whisper's sentence punctuation or at a silence of SENTENCE_PAUSE_S or more;
    the last one's pause is None (what follows is not heard yet)."""
    items = [w for w in words if str(w.text).strip()]
    out: list[tuple[str, float, float, float | None]] = []
    current: list[Any] = []
    for i, word in enumerate(items):
        current.append(word)
        following = items[i + 1] if i + 1 < len(items) else None
        gap = None if following is None else max(0.0, float(following.start) - float(word.end))
        if following is None or _ends_sentence(str(word.text)) or (gap is not None and gap >= SENTENCE_PAUSE_S):
            text = " ".join(str(w.text).strip() for w in current)
            out.append((text, float(current[0].start), float(word.end), None if gap is None else round(gap, 3)))
            current = []
    return out


NO_FACT = (
    "That's not something I have a number for; make an assumption and state it.",
    "I don't have a figure for that. Make a reasonable assumption and tell me what it is.",
    "Good question, but I'll leave that to you: state your assumption and carry on.",
)
_THINK_REPLY = "Of course, take your time."
_MOVE_ON_REPLY = "Sure, let's move on."


def first_sentences(text: str, limit: int = 2) -> str:
    """At most `limit` sentences of a fact, so the spoken reply stays short."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return " ".join(parts[:limit])


def reply_for(heard: Heard, fact: Any, persona_name: str = "") -> str:
    """What the interviewer says back: the fact, an invitation to assume, the repeat marker, or time granted.
    The wording without a fact varies with the sentence (and persona), the same every time for the same ones."""
    if heard.intent is Intent.REPEAT:
        return REPEAT_MARKER
    if heard.intent is Intent.THINK:
        return _THINK_REPLY
    if heard.intent is Intent.MOVE_ON:
        return _MOVE_ON_REPLY
    if heard.intent is Intent.NONE:
        return ""
    if fact is not None and str(getattr(fact, "fact", "")).strip():
        return first_sentences(str(fact.fact))
    pick = zlib.crc32(f"{persona_name}\n{_normalise(heard.text)}".encode("utf-8")) % len(NO_FACT)
    return NO_FACT[pick]

