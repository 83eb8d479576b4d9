"""What the interviewer says in every session, so the app can have it synthesized before it is needed."""

from __future__ import annotations

from mockloop.engine.store.records import SessionMode

OUT_OF_TIME = "We're out of time for this round, so let's stop here."
END_ROUND = "Okay, let's end this round here."
GOODBYE = "That's the end of our interview. Thanks, and good luck!"
AGAIN = "Sure, let's take it again from the top."
# After a nudge and more silence: the candidate chooses; silence alone never moves the interview on.
OFFER = "Want me to repeat the question, or shall we move on?"
OPENINGS = {
    SessionMode.LOOP: "Hi, I'm your interviewer today. We'll go through the full loop. Remember to think out loud.",
    SessionMode.PRACTICE: "Hi, I'm your interviewer today. Let's practise one question. Remember to think out loud.",
}


def stock_lines() -> list[str]:
    """The interviewer's fixed lines, openings first."""
    return [*OPENINGS.values(), AGAIN, OFFER, END_ROUND, OUT_OF_TIME, GOODBYE]
