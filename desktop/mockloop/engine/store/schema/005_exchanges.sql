-- Schema 5: the two-way interview. What the candidate asked the interviewer during an answer
-- (a clarifying question, "can you repeat that", "give me a minute", "let's move on") and the
-- reply, as a JSON list on the turn: [Exchange.to_dict(), ...] in the order they happened.
--
-- A column, not a table: a turn has a handful at most, they are always read with the turn, and
-- each is appended the moment its reply is spoken (json_insert, so a crash later keeps it).
-- A reply's sound, when kept, is a WAV beside the turn's recording; `reply_audio` holds its bare
-- file name in the session's folder. '[]' means nothing was asked (every turn before schema 5).

ALTER TABLE turns ADD COLUMN exchanges TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(exchanges));
