-- 0015: each opt-out and opt-in as the person chose it, dated when they sent it (features/
-- privacy.py, Invocation.sent): the periods of opt_out_periods are made from these in the order
-- they were sent, whatever order the bot read them in (after it was down, one sync may hand
-- over two rooms' commands either way), and the latest sent decides whether they are opted out
-- now. The id orders two chosen in the same second: the one read last holds.
CREATE TABLE opt_choices (
    id           INTEGER PRIMARY KEY,
    platform     TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    chosen_at    TEXT NOT NULL,
    opted_out    INTEGER NOT NULL
);
CREATE INDEX opt_choices_person ON opt_choices (platform, external_id);
-- The choices the periods kept so far tell of.
INSERT INTO opt_choices (platform, external_id, chosen_at, opted_out)
    SELECT platform, external_id, opted_out_at, 1 FROM opt_out_periods ORDER BY opted_out_at;
INSERT INTO opt_choices (platform, external_id, chosen_at, opted_out)
    SELECT platform, external_id, opted_in_at, 0 FROM opt_out_periods
    WHERE opted_in_at IS NOT NULL ORDER BY opted_in_at;
