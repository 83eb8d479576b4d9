"""The interviewer's side of an exchange: what to say back to a sentence the candidate addressed to them.

The answer to a clarifying question is the question's scenario fact that matches, in the persona's
voice, in one or two sentences; with no matching fact the candidate is asked to make an assumption.
Nothing here needs the language model, so the reply is ready as soon as the question is heard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from mockloop.engine.bank.schema import Persona, Question
from mockloop.engine.core.exchanges import CLARIFY, MOVE_ON, REPEAT, THINK, Exchange
from mockloop.engine.interview.asking import Addressed
from mockloop.engine.interview.clarifying import (
    NO_FACT, REPEAT_MARKER, Heard, Intent, first_sentences as _first_sentences, hear, match_fact, reply_for, sentences_with_pauses,
)

_INTENTS = {Intent.CLARIFY: CLARIFY, Intent.REPEAT: REPEAT, Intent.THINK: THINK, Intent.MOVE_ON: MOVE_ON}
# Said before a fact that was already given in this answer.
_AGAIN = "As I said, "


@dataclass(frozen=True)
class Reply:
    intent: str  # what the interviewer acted on: clarify | repeat | think | move-on
    text: str  # what is said, all the exchanges' replies in order
    exchanges: tuple[Exchange, ...]  # without recording times (the listener knows them)


def _lead(persona: Persona | None, first: bool) -> str:
    lead = (persona.answer_lead if persona is not None else "") or ""
    return f"{lead} " if lead and first else ""


def reply_to(addressed: Sequence[Addressed], question: Question, persona: Persona | None, encoder, *,
             repeat_text: str | None = None, given: Sequence[str] = ()) -> Reply | None:
    """The reply to the sentences the candidate just addressed to the interviewer (in order), or None.

    `repeat_text` is what "can you repeat that" repeats (the question, or the follow-up just asked);
    `given` the fact ids already told in this answer (said again, but marked as a repeat)."""
    if not addressed:
        return None
    last = addressed[-1].intent
    if last in (Intent.THINK, Intent.MOVE_ON):
        heard = addressed[-1].heard
        text = reply_for(heard, None, persona.id if persona else "")
        return Reply(_INTENTS[last], text, (Exchange(_INTENTS[last], heard.text, text, confidence=heard.score),))
    exchanges: list[Exchange] = []
    spoken: list[str] = []
    told = list(given)
    for item in addressed:
        heard = item.heard
        if heard.intent is Intent.REPEAT:
            text = repeat_text or question.text
            exchanges.append(Exchange(REPEAT, heard.text, text, confidence=heard.score))
            spoken.append(text)
            continue
        if heard.intent is not Intent.CLARIFY:
            continue
        for part in split_questions(heard.text):  # "what's the traffic, and what's the latency budget?": two
            fact, similarity = match_fact(part, question.scenario, encoder, asked_in=question.text)
            text = reply_for(replace(heard, text=part), fact, persona.id if persona else "")
            if text == REPEAT_MARKER:  # not expected for CLARIFY; kept safe
                text = repeat_text or question.text
            if fact is not None and fact.id in told:
                text = _AGAIN + text[:1].lower() + text[1:]
            if fact is not None and any(e.fact_id == fact.id for e in exchanges):
                continue  # two ways of asking the same thing in one breath: one answer
            if fact is None and any(e.fact_id is None and e.asked in heard.text for e in exchanges):
                continue  # "make an assumption" once for a sentence, however many things it asked
            lead = _lead(persona, not spoken) if fact is not None else ""
            exchanges.append(Exchange(CLARIFY, part, text, fact_id=fact.id if fact else None,
                                      topic=fact.topic.value if fact else None, similarity=float(similarity),
                                      confidence=heard.score))
            spoken.append(lead + text)
            if fact is not None:
                told.append(fact.id)
    if not exchanges:
        return None
    intent = REPEAT if all(e.intent == REPEAT for e in exchanges) else CLARIFY
    return Reply(intent, " ".join(spoken), tuple(exchanges))


# ", and what is ...", " or do we ...": a second question in the same sentence.
_SECOND_QUESTION = re.compile(r",?\s+(?:and|or|also|plus)\s+(?:also\s+)?(?=(?:what|what's|how|which|who|when|where|is|are|do|does|"
                              r"did|can|could|will|would|should|have|has)\b)", re.IGNORECASE)


def split_questions(sentence: str) -> list[str]:
    """The questions one sentence asks, as pieces of it (each a substring, so it can be found in the transcript)."""
    pieces, start = [], 0
    for found in _SECOND_QUESTION.finditer(sentence):
        piece = sentence[start:found.start()].strip()
        if len(piece.split()) >= 3:  # "how and why ..." is one question
            pieces.append(piece)
            start = found.end()
    last = sentence[start:].strip()
    if pieces and len(last.split()) < 3:
        return [sentence.strip()]
    return [*pieces, last] if pieces else [sentence.strip()]


def likely_replies(question: Question, persona: Persona | None) -> list[str]:
    """What the interviewer may say back during this question, most likely first (important facts, then the
    other facts, then the fixed replies): synthesized ahead of time while the question is being read, so a
    reply starts speaking without waiting for the voice."""
    facts = sorted(question.scenario, key=lambda f: not f.important)
    out = [_lead(persona, True) + _first_sentences(f.fact) for f in facts]
    out += [reply_for(Heard(intent, "", 1.0, ()), None) for intent in (Intent.THINK, Intent.MOVE_ON)]
    out += list(NO_FACT)
    return list(dict.fromkeys(out))


def placed(reply: Reply, addressed: Sequence[Addressed], reply_at: float | None, offset: float = 0.0) -> list[Exchange]:
    """The reply's exchanges with their times in the turn's recording (`offset`: where this part of the turn
    begins in it). Exchanges pair with the addressed sentences by their text."""
    out = []
    for exchange in reply.exchanges:
        # A sentence that asked two things gave two exchanges: both point at the sentence.
        a = next((a for a in addressed if exchange.asked and exchange.asked in a.heard.text), None)
        out.append(replace(
            exchange,
            asked_at=None if a is None else round(a.start + offset, 3),
            asked_end=None if a is None else round(a.end + offset, 3),
            reply_at=None if reply_at is None else round(reply_at + offset, 3),
        ))
    return out


def exchanges_in_text(text: str, question: Question, persona: Persona | None, encoder) -> list[Exchange]:
    """The exchanges a typed answer would have had: each sentence addressed to the interviewer and the reply
    it would get. A typed answer has no pauses, so only its words decide."""
    sentences = _typed_sentences(text)
    out: list[Exchange] = []
    for sentence in sentences:
        heard = hear(sentence, None, encoder)
        if not heard.addressed or heard.intent is Intent.MOVE_ON and sentence is not sentences[-1]:
            continue
        reply = reply_to([Addressed(heard, 0.0, 0.0)], question, persona, encoder,
                         given=[e.fact_id for e in out if e.fact_id])
        if reply is not None:
            out.extend(reply.exchanges)
    return out


def exchanges_in_words(words: Sequence, question: Question, persona: Persona | None, encoder) -> list[Exchange]:
    """The exchanges of a recorded answer transcribed whole (`mockloop answer --audio`): each sentence addressed
    to the interviewer, judged with the pause after it, and the reply it would have had, with its times."""
    out: list[Exchange] = []
    for text, start, end, pause in sentences_with_pauses(words):
        heard = hear(text, pause, encoder)
        if not heard.addressed:
            continue
        item = Addressed(heard, start, end)
        reply = reply_to([item], question, persona, encoder, given=[e.fact_id for e in out if e.fact_id])
        if reply is not None:
            out.extend(placed(reply, [item], None))
    return out


def _typed_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.?!])\s+", text.strip())
    return [p.strip() for p in parts if re.search(r"[A-Za-z]", p)]
