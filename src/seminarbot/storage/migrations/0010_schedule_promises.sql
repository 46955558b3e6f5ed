-- 0010: the schedule's promises.
-- Per cohort, how long each session stays open at least before the next one opens (seconds;
-- NULL means the default, 24 hours).
ALTER TABLE cohorts ADD COLUMN min_open INTEGER CHECK (min_open > 0);

-- A moved session keeps the instant it was moved to (UTC ISO-8601), whatever later happens to
-- the cohort's zone; rows from before this migration have none and keep meaning their local
-- date and time in the cohort's zone. out_of_order: the moderator put it out of plan order on
-- purpose (the reply warned), so it stays there when other changes pass it.
ALTER TABLE session_moves ADD COLUMN at TEXT;
ALTER TABLE session_moves ADD COLUMN out_of_order INTEGER NOT NULL DEFAULT 0
    CHECK (out_of_order IN (0, 1));

-- A skipped date that a session left empty when it was moved earlier or posted early (NULL: a
-- moderator skipped it).
ALTER TABLE schedule_skips ADD COLUMN session_id TEXT;

-- A moderator's "post this session now", written before anything is sent, so a restart
-- finishes a session the process died posting and tells the moderators. Deleted when done.
CREATE TABLE post_requests (
    cohort_id    INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    session_id   TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    PRIMARY KEY (cohort_id, session_id)
);
