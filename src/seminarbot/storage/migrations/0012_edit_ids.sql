-- 0012: each earlier version of a response remembers the platform's id of the edit that
-- replaced it (a Matrix m.replace event), so that when that edit is redacted its text is
-- erased and the response goes back to the version clients show again. Edits recorded before
-- this have no id (NULL): a redaction of one of them changes nothing it can find.
ALTER TABLE response_edits ADD COLUMN replaced_by TEXT;
CREATE INDEX response_edits_by_edit ON response_edits (replaced_by)
    WHERE replaced_by IS NOT NULL;

-- A response an edit withdrew (nothing visible left) takes the text of a later edit, as one
-- edited while the bot was away does (the final state wins); a deleted one stays deleted.
-- Those withdrawn before this are marked 0 and stay withdrawn.
ALTER TABLE responses ADD COLUMN withdrawn_by_edit INTEGER NOT NULL DEFAULT 0;
