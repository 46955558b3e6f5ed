-- 0019: a reminder sent again. A session's close can move after its reminder went out (a
-- pause, a skip, a move, a post now), which left the threads with a close that no longer held
-- (helper-149's 4, helper-188's 1). The re-planner then sends it again, stating the new close,
-- as a row of its own: kind 'reminder:N' for the Nth time (storage/outbox.py reads it as a
-- reminder and its round), so the unique key (cohort, session, kind, item) keeps each once.
-- `announced`: the close a sent reminder stated, in UTC; NULL for every other row.
ALTER TABLE outbox ADD COLUMN announced TEXT;
