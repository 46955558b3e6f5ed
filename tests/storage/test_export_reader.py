"""Keyset pages: every row once, in order, across pages of any size, with equal timestamps."""

from datetime import timedelta

from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.domain.exports import ExportScope
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_message
from seminarbot.storage.exports import ExportReader
from tests.conftest import ConsoleDriver


async def test_pages_of_any_size_return_every_row_once_in_order(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    post = (await app.outbox.for_cohort(1))[0]
    people = [Actor("console", f"console:p{i}", f"p{i}") for i in range(3)]
    for i in range(60):
        if i % 7 == 0:
            clock.advance(timedelta(seconds=1))  # runs of equal timestamps
        await record_message(app, InboundMessage(
            "console", f"x{i}", people[i % 3], "w " * (i % 5 + 1), clock.now(),
            reply_to=post.message_id))
    await app.responses.delete("console", "x5", clock.now())
    expected = [r[0] for r in await app.db.fetchall(
        "SELECT id FROM responses WHERE deleted_at IS NULL ORDER BY created_at, id")]
    (key,) = await ExportReader(app.db).threads(1)
    assert key.thread_id == post.thread_id
    for first, budget in ((1, 1), (3, 10), (7, 40), (500, 4096)):
        reader = ExportReader(app.db, page_bytes=budget, first_page=first)
        pages = [page async for page in reader.entries(1, key, ExportScope())]
        assert [e.response_id for page in pages for e in page] == expected
        lines = [n async for n, _ in reader.csv_lines(1, key, ExportScope(), "p,")]
        assert sum(lines) == len(expected)
        lines = [n async for n, _ in reader.jsonl_lines(1, key, ExportScope(), "{")]
        assert sum(lines) == len(expected)
        raw = [row async for page in reader.raw_entries(1, key, ExportScope()) for row in page]
        assert [int(row[0]) for row in raw] == expected
        assert all(isinstance(field, bytes) for row in raw for field in row)
        if first < 60:
            assert len(pages) > 1
    first = await app.participants.find("console", people[0].user_id)
    second = await app.participants.find("console", people[1].user_id)
    assert first is not None and second is not None
    # A NUL in a display name (never in a text) does not split evenly: read row by row.
    await app.db.execute("UPDATE participant_names SET display_name = ? WHERE participant_id = ?",
                         ("p\x000", first.id))
    raw = [row async for page in ExportReader(app.db, first_page=7).raw_entries(
        1, key, ExportScope()) for row in page]
    assert [int(row[0]) for row in raw] == expected
    assert {row[2] for row in raw} == {b"p\x000", b"p1", b"p2"}
    only = ExportScope(participant_id=second.id, since=clock.now() - timedelta(seconds=4))
    found = [e async for page in ExportReader(app.db, first_page=2).entries(1, key, only)
             for e in page]
    assert found and all(e.participant_id == second.id for e in found)
    assert all(e.written_at >= "2026-01-05T09:00:05Z" for e in found)
