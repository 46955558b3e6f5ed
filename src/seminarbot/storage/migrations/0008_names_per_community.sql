-- 0008: a person's display name belongs to the community where they use it (a Discord server,
-- a Matrix room, the console): what one community calls someone is never shown in another's
-- seminars. participants.display_name held one name for all of them, the latest seen anywhere.
-- It is kept here only for a person whose responses are all in one community, where it can
-- have come from; anyone else goes by their platform id until they next write in each
-- community. Opting out no longer records a name at all.
CREATE TABLE participant_names (
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    community_id   INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    display_name   TEXT NOT NULL,
    PRIMARY KEY (participant_id, community_id)
);

INSERT INTO participant_names (participant_id, community_id, display_name)
    SELECT p.id, MIN(c.community_id), p.display_name
    FROM participants p
    JOIN responses r ON r.participant_id = p.id
    JOIN cohorts c ON c.id = r.cohort_id
    WHERE p.display_name <> ''
    GROUP BY p.id
    HAVING COUNT(DISTINCT c.community_id) = 1;

ALTER TABLE participants DROP COLUMN display_name;
