-- 0016: when the version recorded was edited, as exactly as the platform gives it (Discord's
-- edited_timestamp has microseconds; edited_at keeps whole seconds). A thread read again after
-- a new Discord gateway session shows each message with its edit time: the same time is the
-- version recorded, whose text read again may differ only in what is read anew (a mention's
-- name now, a file's link signed again), while a later edit in the same second is another
-- (services/reconcile.py). NULL: not known (never edited, or recorded before this).
ALTER TABLE responses ADD COLUMN edited_exact TEXT;
