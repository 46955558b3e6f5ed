"""Keyset pages: every row once, in order, across pages of any size, with equal timestamps;
every fast path linking each response as its Python reference does."""

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.domain.exports import (
    ExportMeta,
    ExportScope,
    Thread,
    csv_line,
    csv_prefix,
    jsonl_lines,
    jsonl_prefix,
)
from seminarbot.domain.links import Links, links_for
from seminarbot.domain.transcript import HtmlTranscript, MarkdownTranscript
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_message
from seminarbot.storage.exports import ExportReader, ThreadLinks
from tests.conftest import ConsoleDriver

T = TypeVar("T")


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
        lines = [n async for n, _ in reader.csv_lines(1, [ThreadLinks(key, prefix="p,")],
                                                       ExportScope())]
        assert sum(lines) == len(expected)
        lines = [n async for n, _ in reader.jsonl_lines(1, [ThreadLinks(key, prefix="{")],
                                                         ExportScope())]
        assert sum(lines) == len(expected)
        raw = [row async for _, page in reader.raw_entries(1, [ThreadLinks(key)], ExportScope())
               for row in page.rows]
        assert [int(row[0]) for row in raw] == expected
        assert all(isinstance(field, bytes) for row in raw for field in row)
        if first < 60:
            assert len(pages) > 1
    first = await app.participants.find("console", people[0].user_id)
    second = await app.participants.find("console", people[1].user_id)
    assert first is not None and second is not None
    # A NUL in a display name (never in a text) does not split evenly: read row by row, and
    # the NUL dropped as the write path drops it.
    await app.db.execute("UPDATE participant_names SET display_name = ? WHERE participant_id = ?",
                         ("p\x000", first.id))
    raw = [row async for _, page in ExportReader(app.db, first_page=7).raw_entries(
        1, [ThreadLinks(key)], ExportScope()) for row in page.rows]
    assert [int(row[0]) for row in raw] == expected
    assert {row[2] for row in raw} == {b"p0", b"p1", b"p2"}
    only = ExportScope(participant_id=second.id, since=clock.now() - timedelta(seconds=4))
    found = [e async for page in ExportReader(app.db, first_page=2).entries(1, key, only)
             for e in page]
    assert found and all(e.participant_id == second.id for e in found)
    assert all(e.written_at >= "2026-01-05T09:00:05Z" for e in found)


async def test_every_fast_path_links_each_response_as_the_references_do(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    post = (await app.outbox.for_cohort(1))[0]
    people = [Actor("console", f"console:p{i}", f"p{i}") for i in range(2)]
    # Plain and marked text, bidirectional controls (the CSV and JSON Lines fallbacks), ids
    # with "/" and "%" (escaped in a Matrix link), responses with and without a channel.
    texts = ["plain", "*marked* <b>", "right\u202eto left", '=1+1 "quoted"']
    channels = {}
    for i, text in enumerate(texts * 3):
        channels[f"$e{i}/x%"] = None if i % 3 == 0 else f"c{i}"
        await record_message(app, InboundMessage(
            "console", f"$e{i}/x%", people[i % 2], text, clock.now(), reply_to=post.message_id))
    # Written where the post is (the write path checks it), then stored as of channels apart.
    await app.db.executemany("UPDATE responses SET channel_id = ? WHERE message_id = ?",
                             [(channel, message) for message, channel in channels.items()])
    (key,) = await ExportReader(app.db).threads(1)
    thread = Thread(1, key.session_id, "One", "1.1", key.prompt_id, "kind", "What?", (),
                    key.thread_id)
    meta = ExportMeta("T", "s", "all", clock.now(), ZoneInfo("Europe/London"))
    everything = ExportScope()
    for links in (Links(), links_for("discord", "111", "222", "333", "333"),
                  links_for("discord", "111", "222", "333", None),
                  links_for("matrix", "!r:example.org", "!r:example.org", "$p", "$p"),
                  links_for("matrix", "!r", "!r", "$p", "$p", ("example.org", "b.org"))):
        reader = ExportReader(app.db, first_page=5)
        pages = [page async for page in reader.entries(1, key, everything, links)]
        entries = [e for page in pages for e in page]
        assert [e.link for e in entries] == [links.response(e.message_id, channels[e.message_id])
                                             for e in entries] and len(entries) == 12
        thread = thread._replace(link=links.thread)
        csv_data = b"".join([data async for _, data in reader.csv_lines(
            1, [ThreadLinks(key, links, csv_prefix(thread))], everything)])
        assert csv_data.decode() == "".join(csv_line(thread, e) for e in entries)
        jsonl_data = b"".join([data async for _, data in reader.jsonl_lines(
            1, [ThreadLinks(key, links, jsonl_prefix(thread))], everything)])
        assert jsonl_data.decode() == jsonl_lines(thread, entries)
        # Pages of one row first: the first ("plain") holds no bidirectional control.
        raw_pages = [page async for _, page in ExportReader(app.db, first_page=1).raw_entries(
            1, [ThreadLinks(key, links)], everything)]
        assert {page.controls for page in raw_pages} == {False, True}
        for kind in (MarkdownTranscript, HtmlTranscript):
            fast, reference = kind(meta), kind(meta)
            written = b"".join([fast.encoded(thread, page.rows, controls=page.controls)
                                for page in raw_pages])
            assert written.decode() == "".join(reference.entries(thread, page)
                                               for page in pages)


async def test_a_key_that_is_not_utf8_ends_the_pages_in_one_sentence_never_a_loop(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    # The bot's connections read such text as U+FFFD (storage/db.py read_text); read back as a
    # keyset position, it names a key before the stored one, and the same page came back.
    import asyncio

    from seminarbot.domain.errors import Damaged

    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    post = (await app.outbox.for_cohort(1))[0]
    someone = Actor("console", "console:p", "p")
    for i in range(30):
        clock.advance(timedelta(seconds=1))
        await record_message(app, InboundMessage("console", f"x{i}", someone, "w", clock.now(),
                                                 reply_to=post.message_id))
    (key,) = await ExportReader(app.db).threads(1)
    refused = 0
    # Sorting first, then last (a page's end: the position read back).
    for stamp, damaged in (("3230323FFF", 5), ("39FF", 12), ("39FF", 29)):
        await app.db.execute(f"UPDATE responses SET created_at = CAST(X'{stamp}' AS TEXT)"
                             f" WHERE message_id = 'x{damaged}'")
        for first, budget in ((2, 1), (500, 4096)):
            reader = ExportReader(app.db, page_bytes=budget, first_page=first)
            readings = (
                _count(reader.entries(1, key, ExportScope()), len),
                _count(reader.csv_lines(1, [ThreadLinks(key, prefix="p,")], ExportScope()),
                       lambda page: page[0]),
                _count(reader.jsonl_lines(1, [ThreadLinks(key, prefix="{")], ExportScope()),
                       lambda page: page[0]),
                _count(reader.raw_entries(1, [ThreadLinks(key)], ExportScope()),
                       lambda page: len(page[1].rows)))
            for counting in readings:
                try:
                    assert await asyncio.wait_for(counting, 10) == 30  # never a loop
                except Damaged as error:
                    assert "created_at cannot be read: it is stored damaged" in error.message
                    refused += 1
    assert refused


async def _count(pages: AsyncIterator[T], rows: Callable[[T], int]) -> int:
    return sum([rows(page) async for page in pages])
