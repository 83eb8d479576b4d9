"""The exchanges of one question, as the interview runs: answer the candidate mid-answer, and keep it all.

The runner makes one `ExchangeDesk` per question and hands each listening turn `desk.for_turn(...)`
as the listener's `on_addressed`. A reply is spoken at once (the listener goes on), written to the
store as soon as it is said (a crash later in the turn keeps it), and reported as a `Replied` event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from mockloop.engine.bank.schema import Persona, Question
from mockloop.engine.core.exchanges import Exchange
from mockloop.engine.interview.asking import Addressed
from mockloop.engine.interview.events import Emit, Problem, Replied
from mockloop.engine.interview.replies import exchanges_in_text, placed, reply_to
from mockloop.engine.interview.turn_text import save_audio
from mockloop.engine.store import StoreError


class ExchangeDesk:
    def __init__(self, question: Question, persona: Persona, encoder, *, store, emit: Emit,
                 say: Callable[[str, str], None], synthesize: Callable[[str], tuple[object, int]] | None = None) -> None:
        """`say(text, kind)` starts speaking without waiting; `synthesize(text)` gives (samples, rate) to keep
        a WAV of the reply with the turn (None: no audio kept, e.g. a headless run's null output)."""
        self.question = question
        self.persona = persona
        self.encoder = encoder
        self.store = store
        self.emit = emit
        self.say = say
        self.synthesize = synthesize
        self.exchanges: list[Exchange] = []  # every exchange of the question, follow-up answers included
        self._unsaved: list[tuple[int, Exchange]] = []  # not stored yet (the disk was full): written by `flush`
        self._sounds: list[tuple[str, Path]] = []  # replies whose WAV is written by `flush` (not mid-answer)

    @property
    def facts_given(self) -> list[str]:
        return [e.fact_id for e in self.exchanges if e.fact_id]

    def for_turn(self, turn_id: int, audio_path: Path | str | None, offset: float = 0.0,
                 repeat_text: str | None = None) -> Callable[[list[Addressed], float], str | None]:
        """The listener's `on_addressed` for one listening turn. `offset`: where this listening begins in the
        turn's recording (a later design phase is appended to it); `repeat_text`: what "repeat that" repeats."""
        def answer(addressed: list[Addressed], now: float) -> str | None:
            reply = reply_to(addressed, self.question, self.persona, self.encoder,
                             repeat_text=repeat_text, given=self.facts_given)
            if reply is None:
                return None
            kind = "question" if reply.intent == "repeat" else "reply"
            self.say(reply.text, kind)
            exchanges = placed(reply, addressed, now, offset)
            audio_file = self._keep_audio(reply.text, audio_path, len(self.exchanges))
            for exchange in exchanges:
                if audio_file is not None:
                    exchange = type(exchange)(**{**exchange.to_dict(), "reply_audio": audio_file})
                self.exchanges.append(exchange)
                self._store(turn_id, exchange)
            self.emit(Replied(reply.intent, " ".join(a.heard.text for a in addressed), reply.text,
                              [e.fact_id for e in exchanges if e.fact_id], round(offset + now, 3)))
            return reply.intent
        return answer

    def keep_typed(self, turn_id: int, text: str) -> None:
        """A typed answer's questions to the interviewer: kept, with the replies they would have had
        (nothing is spoken: the answer arrived whole)."""
        if self.encoder is None:
            return
        for exchange in exchanges_in_text(text, self.question, self.persona, self.encoder):
            self.exchanges.append(exchange)
            self._store(turn_id, exchange)

    def flush(self, store) -> None:
        """At the end of the turn: write the replies' WAVs (the voice has them cached by now), and store the
        exchanges a full disk kept out (with a store that waits for room)."""
        while self._sounds:
            text, path = self._sounds.pop(0)
            try:
                samples, rate = self.synthesize(text)
                save_audio(path, samples, rate)
            except OSError:
                pass  # the words are kept; only the reply's sound is not (Review shows the text)
        while self._unsaved:
            turn_id, exchange = self._unsaved[0]
            store.add_exchange(turn_id, exchange)
            self._unsaved.pop(0)

    def _store(self, turn_id: int, exchange: Exchange) -> None:
        if self._unsaved:  # keep the order: an earlier one is waiting for room
            self._unsaved.append((turn_id, exchange))
            return
        try:
            self.store.add_exchange(turn_id, exchange)
        except StoreError as exc:  # the disk is full: kept here, and written when the turn is kept
            self._unsaved.append((turn_id, exchange))
            self.emit(Problem(exc.problem, exc.fix))

    def _keep_audio(self, text: str, audio_path: Path | str | None, number: int) -> str | None:
        """The file the reply's sound will be kept in; written by `flush`, so the listener never waits for it."""
        if self.synthesize is None or audio_path is None:
            return None
        path = Path(audio_path).with_name(f"{Path(audio_path).stem}-reply-{number + 1}.wav")
        self._sounds.append((text, path))
        return str(path)


def summary_fields(kept) -> dict:
    """The interview summary's `exchanges` and `clarifying` of a kept answer (an AnswerRecord); none for a
    question without a scenario."""
    if not kept.clarifying:
        return {}
    return {"exchanges": kept.clarifying.get("exchanges", []),
            "clarifying": {k: v for k, v in kept.clarifying.items() if k != "exchanges"}}
