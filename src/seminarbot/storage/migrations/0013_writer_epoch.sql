-- 0013: what the response writer remembers between batches (prompt posts and their cohorts,
-- participants, their names, forget-me and opt-out records) is kept until one of those tables
-- changes, whoever changes it: every change bumps this one counter, which the writer reads
-- inside its write transaction (storage/response_batch.py: Known). Commits to other tables (an
-- audit row, a reminder in the outbox) leave its memory alone, as SQLite's data_version cannot.
-- A migration that rebuilds one of these tables must create its triggers again.
CREATE TABLE writer_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    epoch INTEGER NOT NULL
);
INSERT INTO writer_epoch (id, epoch) VALUES (1, 0);
CREATE TRIGGER cohorts_epoch_insert AFTER INSERT ON cohorts BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER cohorts_epoch_update AFTER UPDATE ON cohorts BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER cohorts_epoch_delete AFTER DELETE ON cohorts BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER participants_epoch_insert AFTER INSERT ON participants BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER participants_epoch_update AFTER UPDATE ON participants BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER participants_epoch_delete AFTER DELETE ON participants BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER participant_names_epoch_insert AFTER INSERT ON participant_names BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER participant_names_epoch_update AFTER UPDATE ON participant_names BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER participant_names_epoch_delete AFTER DELETE ON participant_names BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER forgotten_epoch_insert AFTER INSERT ON forgotten BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER forgotten_epoch_update AFTER UPDATE ON forgotten BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER forgotten_epoch_delete AFTER DELETE ON forgotten BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER opt_out_periods_epoch_insert AFTER INSERT ON opt_out_periods BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER opt_out_periods_epoch_update AFTER UPDATE ON opt_out_periods BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER opt_out_periods_epoch_delete AFTER DELETE ON opt_out_periods BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
-- Only prompt posts are remembered: reminders and other outbox rows come and go freely.
CREATE TRIGGER outbox_epoch_insert AFTER INSERT ON outbox WHEN NEW.kind = 'prompt' BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER outbox_epoch_update AFTER UPDATE ON outbox WHEN OLD.kind = 'prompt' OR NEW.kind = 'prompt' BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
CREATE TRIGGER outbox_epoch_delete AFTER DELETE ON outbox WHEN OLD.kind = 'prompt' BEGIN
    UPDATE writer_epoch SET epoch = epoch + 1;
END;
