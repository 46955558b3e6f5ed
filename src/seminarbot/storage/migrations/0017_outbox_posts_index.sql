-- 0017: the outbox found by a post's message or thread id (storage/response_batch.py POSTS:
-- which prompt a message answers, for every message whose thread or reply is not known yet;
-- a thread's responses; a catch-up's prompt threads). Without them each such look-up read
-- every seminar's rows: 65 ms at 800,000 rows, 10 µs with them. Partial: rows not yet posted
-- have neither id.
CREATE INDEX outbox_by_message ON outbox (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX outbox_by_thread ON outbox (thread_id) WHERE thread_id IS NOT NULL;
