-- 0011: where reading groups meet (issue 20).
-- Where a response was written: the platform's channel, thread or room holding the message
-- (NULL where there is no message to link to, such as a Discord /seminar respond, and for
-- rows stored before this migration). Exports build each response's link from it.
ALTER TABLE responses ADD COLUMN channel_id TEXT;

-- Per cohort, whether its sessions are listed as the server's scheduled events (Discord).
CREATE TABLE scheduled_event_settings (
    cohort_id  INTEGER PRIMARY KEY REFERENCES cohorts (id) ON DELETE CASCADE,
    enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    updated_at TEXT NOT NULL
);

-- One scheduled event per cohort and session, as last sent to the platform. event_id is NULL
-- while it is being created (claimed first, like an outbox row, so a crash between creating
-- and recording finds the event again instead of making a second one).
CREATE TABLE scheduled_events (
    cohort_id   INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    session_id  TEXT NOT NULL,
    event_id    TEXT,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    start_at    TEXT NOT NULL,
    end_at      TEXT NOT NULL,
    PRIMARY KEY (cohort_id, session_id)
);
