-- Schema 1: sessions -> rounds -> turns. Times are UTC ISO 8601 text (sortable);
-- JSON columns are TEXT checked with json_valid; audio paths are relative to the data folder.

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,                -- e.g. 20261124-091500-ab12 (UTC), sorts by start
    mode           TEXT NOT NULL,                   -- practice | loop
    bank_id        TEXT NOT NULL,
    persona_id     TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'in_progress'
                   CHECK (status IN ('in_progress', 'finished', 'interrupted')),
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    app_version    TEXT NOT NULL,
    models         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(models)),  -- {"stt": {...}, "tts": {...}, "llm": {...}}
    notes          TEXT NOT NULL DEFAULT '',
    owner_pid      INTEGER,                         -- the process recording it, while in progress
    owner_started  REAL,                            -- that process's start time: tells a reused PID apart
    interruptions  INTEGER NOT NULL DEFAULT 0,      -- how many times it was found orphaned
    interrupted_at TEXT
);
CREATE INDEX sessions_started ON sessions (started_at);
CREATE INDEX sessions_status ON sessions (status);

CREATE TABLE rounds (
    id            INTEGER PRIMARY KEY,
    session_id    TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,                 -- 1-based order in the session
    stage_id      TEXT NOT NULL,                    -- recruiter-screen, technical-loop, ...
    persona_id    TEXT,                             -- when this round's interviewer differs from the session's
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    time_budget_s REAL,
    UNIQUE (session_id, idx)
);

CREATE TABLE turns (
    id                INTEGER PRIMARY KEY,
    round_id          INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    idx               INTEGER NOT NULL,             -- 1-based order in the round
    question_id       TEXT NOT NULL,
    attempt           INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),  -- re-answers in a session: 1, 2, ...
    kind              TEXT NOT NULL DEFAULT 'question',  -- question | followup
    parent_turn_id    INTEGER REFERENCES turns (id) ON DELETE CASCADE,  -- the question a follow-up probes
    status            TEXT NOT NULL DEFAULT 'recording'
                      CHECK (status IN ('recording', 'done', 'skipped', 'interrupted')),
    interviewer_text  TEXT NOT NULL DEFAULT '',
    interviewer_audio TEXT,
    candidate_audio   TEXT,
    audio_seconds     REAL,                         -- duration of candidate_audio as read back
    transcript        TEXT NOT NULL DEFAULT '',
    words             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(words)),      -- [{text, start, end, probability}]
    metrics           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics)),
    rubric            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(rubric)),     -- rubric points with evidence
    scores            TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(scores)),     -- {overall, dimensions, ...}
    overall           REAL,                         -- scores.overall, kept as a column for averages
    feedback          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(feedback)),
    followups         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(followups)),  -- follow-ups asked after this question
    nudges            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(nudges)),     -- [{text, at, offset_s}]
    started_at        TEXT NOT NULL,
    ended_at          TEXT,
    UNIQUE (round_id, idx)
);
CREATE INDEX turns_question ON turns (question_id, started_at);
CREATE INDEX turns_parent ON turns (parent_turn_id);
CREATE INDEX turns_status ON turns (status);
