-- 0004: privacy and exports. A cohort may keep responses for a limited number of days (NULL
-- keeps them); /seminar forget-me waits for a confirmation code; two indexes serve exports
-- (a cohort's responses in transcript order, read in keyset pages) and the retention sweep.

ALTER TABLE cohorts ADD COLUMN retention_days INTEGER CHECK (retention_days > 0);

CREATE TABLE forget_requests (
    platform    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    code        TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (platform, external_id)
);

CREATE INDEX responses_transcript
    ON responses (cohort_id, session_id, prompt_id, outbox_id, created_at, id);
CREATE INDEX responses_by_cohort_age ON responses (cohort_id, created_at);
