-- 0018: an id is never given to a second row. SQLite gives a new row the largest rowid in its
-- table plus one (sqlite.org/autoinc.html), so deleting the newest row (a forget-me, a
-- retention sweep, a re-plan's pending posts) handed its id to the next one: a newcomer took
-- a forgotten person's participant and response numbers, which earlier exports show, and a
-- new outbox row could take the idempotency key a dropped post was tried with. Each table's
-- largest deleted id is kept here, and new rows are numbered above it (storage/ids.py).
-- AUTOINCREMENT would do the same, but only a table rebuilt anew can take it.
CREATE TABLE id_floors (
    name TEXT PRIMARY KEY,  -- the table
    last INTEGER NOT NULL   -- the largest id deleted from it (from this migration on)
) WITHOUT ROWID;
INSERT INTO id_floors (name, last) SELECT 'participants', coalesce(max(id), 0) FROM participants;
INSERT INTO id_floors (name, last) SELECT 'responses', coalesce(max(id), 0) FROM responses;
INSERT INTO id_floors (name, last) SELECT 'outbox', coalesce(max(id), 0) FROM outbox;
CREATE TRIGGER participants_id_floor AFTER DELETE ON participants
WHEN OLD.id > (SELECT last FROM id_floors WHERE name = 'participants')
BEGIN
    UPDATE id_floors SET last = OLD.id WHERE name = 'participants';
END;
CREATE TRIGGER responses_id_floor AFTER DELETE ON responses
WHEN OLD.id > (SELECT last FROM id_floors WHERE name = 'responses')
BEGIN
    UPDATE id_floors SET last = OLD.id WHERE name = 'responses';
END;
CREATE TRIGGER outbox_id_floor AFTER DELETE ON outbox
WHEN OLD.id > (SELECT last FROM id_floors WHERE name = 'outbox')
BEGIN
    UPDATE id_floors SET last = OLD.id WHERE name = 'outbox';
END;
