-- 0009: what the one write path needs to know (issue 13).
--
-- How each response arrived: a message in the prompt's thread, a reply to the prompt's post,
-- or the respond command. Only platform messages are set against the platform's history after
-- a gap. Rows recorded before this migration cannot be told apart: they stay NULL until a
-- reconciliation sees their message in the platform's history, and are never erased by a guess.
ALTER TABLE responses ADD COLUMN arrival TEXT CHECK (arrival IN ('thread', 'reply', 'command'));

-- The written-before instant of a cohort's latest retention sweep: a message older than that is
-- never recorded again (a backfill, a replay), even if the limit is later lifted.
ALTER TABLE cohorts ADD COLUMN swept_before TEXT;

-- People who used forget-me, as a keyed hash (HMAC-SHA-256 of platform and platform user id,
-- hex) with when: a message of theirs written before then is never recorded again. The key is
-- random per database; the hash cannot be turned back into an id.
CREATE TABLE forgotten (
    person       TEXT PRIMARY KEY,
    forgotten_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE forgotten_key (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    secret BLOB NOT NULL CHECK (length(secret) = 32)
);
INSERT INTO forgotten_key (id, secret) VALUES (1, randomblob(32));

-- When each person opted out and back in: what they wrote in between is never recorded, even
-- when a backfill or a replay hands it over after they opted in. An open period has no end.
CREATE TABLE opt_out_periods (
    platform      TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    opted_out_at  TEXT NOT NULL,
    opted_in_at   TEXT,
    PRIMARY KEY (platform, external_id, opted_out_at)
) WITHOUT ROWID;
-- Those opted out now: when they did is not known, so their period starts when their record
-- was made (refusing more, never less).
INSERT INTO opt_out_periods (platform, external_id, opted_out_at)
    SELECT platform, external_id, created_at FROM participants WHERE opted_out = 1;
