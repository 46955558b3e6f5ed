-- 0001: communities, cohorts, participants, the post outbox, responses with edit history,
-- and the moderators' audit log. Instants are UTC ISO-8601 text ending in Z; a cohort keeps
-- its IANA zone beside its local schedule, never an offset.

CREATE TABLE communities (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE cohorts (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    channel_id   TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    plan_id      TEXT NOT NULL,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    local_time   TEXT NOT NULL CHECK (local_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    timezone     TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'finished')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (community_id, channel_id)
);

CREATE TABLE participants (
    id           INTEGER PRIMARY KEY,
    platform     TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    opted_out    INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1)),
    created_at   TEXT NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    cohort_id  INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    item       TEXT NOT NULL DEFAULT '',
    due_at     TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'claimed', 'posted', 'skipped', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    claimed_at TEXT,
    posted_at  TEXT,
    message_id TEXT,
    thread_id  TEXT,
    last_error TEXT,
    UNIQUE (cohort_id, session_id, kind, item)
);
CREATE INDEX outbox_by_state_due ON outbox (state, due_at);

CREATE TABLE responses (
    id             INTEGER PRIMARY KEY,
    cohort_id      INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    outbox_id      INTEGER REFERENCES outbox (id) ON DELETE SET NULL,
    session_id     TEXT NOT NULL,
    prompt_id      TEXT NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    platform       TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    edited_at      TEXT,
    deleted_at     TEXT,
    UNIQUE (platform, message_id)
);
CREATE INDEX responses_by_cohort ON responses (cohort_id, session_id, created_at);
CREATE INDEX responses_by_participant ON responses (participant_id, created_at);

CREATE TABLE response_edits (
    id            INTEGER PRIMARY KEY,
    response_id   INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    previous_body TEXT NOT NULL,
    replaced_at   TEXT NOT NULL
);
CREATE INDEX response_edits_by_response ON response_edits (response_id);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    platform     TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    actor_name   TEXT NOT NULL DEFAULT '',
    community_id INTEGER REFERENCES communities (id) ON DELETE SET NULL,
    cohort_id    INTEGER REFERENCES cohorts (id) ON DELETE SET NULL,
    action       TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
    detail       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_by_time ON audit_log (at);
