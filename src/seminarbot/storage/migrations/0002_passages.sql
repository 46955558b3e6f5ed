-- 0002: an operator's own copy of a text, split into passages and indexed with FTS5 for
-- /seminar search. Only the operator's database holds these; the project never ships them.

CREATE TABLE text_copies (
    text_id     TEXT PRIMARY KEY,
    source_name TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    passages    INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);

CREATE TABLE passages (
    id         INTEGER PRIMARY KEY,
    text_id    TEXT NOT NULL REFERENCES text_copies (text_id) ON DELETE CASCADE,
    section_id TEXT NOT NULL,
    ordinal    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    UNIQUE (text_id, ordinal)
);
CREATE INDEX passages_by_section ON passages (section_id);

CREATE VIRTUAL TABLE passages_fts USING fts5 (
    body,
    content = 'passages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER passages_after_insert AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER passages_after_delete AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts (passages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
