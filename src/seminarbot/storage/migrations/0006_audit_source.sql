-- 0006: one audit entry per command event. A platform may deliver the same command again (a
-- Matrix sync replayed after a crash); its event id, kept here, lets the second entry be
-- recognised and dropped. Entries written before this, and those with no event behind them
-- (console, scheduler), have none.
ALTER TABLE audit_log ADD COLUMN source_id TEXT;
CREATE UNIQUE INDEX audit_log_by_source ON audit_log (platform, source_id)
    WHERE source_id IS NOT NULL;
