-- Schema 3: small user preferences that belong with the practice history (e.g. the interview
-- date the practice plan counts down to), one text value per key.

CREATE TABLE preferences (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
