-- 0003: richer schedules. A cohort may meet on several weekdays (weekdays, e.g. '1,3'; the
-- old single weekday column stays equal to the first of them), skip dates, move one session,
-- and send reminders before a session closes and a digest to moderators when it closes.

ALTER TABLE cohorts ADD COLUMN weekdays TEXT NOT NULL DEFAULT '';
UPDATE cohorts SET weekdays = CAST(weekday AS TEXT);

-- Seconds before a session closes at which the reminder is posted; NULL means no reminder.
ALTER TABLE cohorts ADD COLUMN reminder_before INTEGER CHECK (reminder_before > 0);
ALTER TABLE cohorts ADD COLUMN reminder_names INTEGER NOT NULL DEFAULT 0
    CHECK (reminder_names IN (0, 1));
ALTER TABLE cohorts ADD COLUMN digest INTEGER NOT NULL DEFAULT 1 CHECK (digest IN (0, 1));

CREATE TABLE schedule_skips (
    cohort_id  INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    local_date TEXT NOT NULL,
    PRIMARY KEY (cohort_id, local_date)
);

CREATE TABLE session_moves (
    cohort_id  INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL,
    local_date TEXT NOT NULL,
    local_time TEXT NOT NULL CHECK (local_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    PRIMARY KEY (cohort_id, session_id)
);
