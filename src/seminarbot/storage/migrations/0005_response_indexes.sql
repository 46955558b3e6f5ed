-- 0005: cheaper response writes. Every stored response updates each index on the table, and
-- an index keyed by participant is touched at a random place by every insert.
-- responses_by_cohort repeated the leading columns of responses_transcript, which serves the
-- same look-ups. The participant index keeps only the participant: forget-me, "what do you
-- store about me" and the participants foreign key need nothing more, and the smaller entries
-- mean fewer pages rewritten per commit.
DROP INDEX responses_by_cohort;
DROP INDEX responses_by_participant;
CREATE INDEX responses_by_participant ON responses (participant_id);
