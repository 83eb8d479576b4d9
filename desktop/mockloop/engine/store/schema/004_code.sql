-- Schema 4: the coding round. A coding turn keeps its final code with the editor's timeline,
-- and every press of Run as a row of its own.
--
-- The final code is one JSON column on turns, not a table: a turn has at most one, it is
-- written once at the end of the turn and always read with the turn, like rubric or scores.
-- It holds {"question_id": str, "timeline": {"starter": str, "edits": [[t, pos, removed,
-- inserted], ...]}, "final": str}; '{}' means the turn has no code (every turn stored before
-- schema 4, and every spoken answer).
--
-- Runs are a table: there are many per turn, each one is saved the moment its result is in
-- (so a crash later in the turn keeps it) and saved again, unchanged or completed, when the
-- turn ends; UNIQUE (turn_id, idx) makes that second save replace the first, not add to it.

ALTER TABLE turns ADD COLUMN code TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(code));

CREATE TABLE code_runs (
    id         INTEGER PRIMARY KEY,
    turn_id    INTEGER NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL CHECK (idx >= 1),      -- 1-based order of the runs in the turn
    offset_s   REAL NOT NULL CHECK (offset_s >= 0),    -- seconds into the turn's recording when Run was pressed
    code       TEXT NOT NULL,                          -- the code as it was run
    result     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(result)),  -- RunResult.to_dict()
    created_at TEXT NOT NULL,                          -- when it was first saved (a later save keeps it)
    UNIQUE (turn_id, idx)
);
