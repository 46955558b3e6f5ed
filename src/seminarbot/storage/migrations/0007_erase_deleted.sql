-- 0007: deleted means deleted. A response its author deleted (Discord) or redacted (Matrix)
-- keeps only a tombstone: its ids and times, an empty body and no earlier versions, so a
-- replay of the message cannot bring it back. Responses marked deleted before this still held
-- their text and edit history; they are erased here the same way.
DELETE FROM response_edits
    WHERE response_id IN (SELECT id FROM responses WHERE deleted_at IS NOT NULL);
UPDATE responses SET body = '' WHERE deleted_at IS NOT NULL AND body <> '';
