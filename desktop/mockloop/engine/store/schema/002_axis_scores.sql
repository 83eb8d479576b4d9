-- Schema 2: radar history, one row per radar axis per scored answer. The axes a question
-- counts towards come from its bank at answer time, so the history stays stable when a
-- bank is edited later. Answers stored before schema 2 have no rows here: the radar
-- rebuilds them from turns and the bank (SessionStore.record_axis_scores).

CREATE TABLE axis_scores (
    turn_id     INTEGER NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
    axis_id     TEXT NOT NULL,
    score       REAL NOT NULL CHECK (score >= 0 AND score <= 100),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (turn_id, axis_id)
);
CREATE INDEX axis_scores_axis ON axis_scores (axis_id, answered_at);
