"""The latest edit wins, whatever order edits arrive in: a Matrix edit whose room key came late
is decrypted after a later edit, and a Discord live edit can be taken in after the catch-up
applied a newer one. The Matrix spec (Event replacements) applies the replacement with the
most recent origin_server_ts; Discord shows the message as of its last edited_timestamp."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.domain.responses import Outcome
from seminarbot.services.container import Services
from seminarbot.services.responses import (
    InboundMessage,
    record_edit,
    record_message,
    record_redaction,
)
from tests.conftest import START, ConsoleDriver, make_settings

ANN = Actor("console", "console:ann", "ann")
State = tuple[str, str | None, list[str]]  # the text, when last edited, the earlier versions


async def posted_seminar(folder: Path) -> tuple[Services, str]:
    """The services of a console seminar whose first session is posted, and its first
    prompt's thread."""
    clock = ManualClock(START)
    app = await open_services(make_settings(folder), clock)
    console = ConsoleDriver(app, clock)
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    thread = (await app.outbox.for_cohort(1))[0].thread_id
    assert thread
    return app, thread


async def _seminar(folder: Path) -> tuple[Services, str]:
    app, thread = await posted_seminar(folder)
    await record_message(app, InboundMessage("console", "m1", ANN, "v0", START, thread_id=thread))
    return app, thread


async def _state(app: Services) -> State:
    row = await app.db.fetchone(
        "SELECT id, body, edited_at FROM responses WHERE message_id = 'm1'")
    assert row is not None
    history = await app.responses.history(row["id"])
    return row["body"], row["edited_at"], [text for text, _ in history]


async def _edited(edits: list[tuple[int, str]], with_ids: bool,
                  redacted: set[int] | None = None) -> tuple[State, bool]:
    """After edit (minute, text) after edit, in turn, each made that many minutes after the
    message (with the id "e{minute}" if `with_ids`), then the redaction of each edit in
    `redacted`: the state, and whether the response is withdrawn."""
    with tempfile.TemporaryDirectory() as folder:
        app, _ = await _seminar(Path(folder))
        try:
            for minute, text in edits:
                await record_edit(app, "console", "m1", text, START + timedelta(minutes=minute),
                                  edit_id=f"e{minute}" if with_ids else None)
            for minute in sorted(redacted or ()):
                assert await record_redaction(app, "console", f"e{minute}",
                                              START) is Outcome.UPDATED
            withdrawn = await app.db.scalar(
                "SELECT deleted_at IS NOT NULL FROM responses WHERE message_id = 'm1'")
            return await _state(app), bool(withdrawn)
        finally:
            await app.close()


def _after(arrivals: list[int], withdrawn: set[int], with_ids: bool) -> State:
    """Edit k (k = 1, 2, ...) is made k minutes after the message, with the text "v{k}"."""
    return asyncio.run(_edited([(k, f"v{k}") for k in arrivals], with_ids, withdrawn))[0]


@examples(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.integers(1, 5).flatmap(lambda n: st.permutations(range(1, n + 1))),
       with_ids=st.booleans(), data=st.data())
def test_any_arrival_order_gives_what_the_edits_in_time_order_give(
        edits: list[int], with_ids: bool, data: st.DataObject) -> None:
    """Text, edit time and history depend on when each edit was made, never on when it came;
    and (Matrix) withdrawing edits leaves what the others alone would have given."""
    withdrawn = data.draw(st.sets(st.sampled_from(edits))) if with_ids else set()
    kept = sorted(set(edits) - withdrawn)
    got = _after(list(edits), withdrawn, with_ids)
    assert got == _after(kept, set(), with_ids)
    latest = max(kept, default=0)
    assert got[0] == f"v{latest}"
    assert got[2] == [f"v{k}" for k in [0, *kept] if k != latest]


async def test_an_older_edit_that_withdraws_it_leaves_the_newer_text(tmp_path: Path) -> None:
    # Edited to nothing at 10:01, then to "v2" at 10:02; the blank edit arrives last.
    app, _ = await _seminar(tmp_path)
    try:
        await record_edit(app, "console", "m1", "v2", START + timedelta(minutes=2))
        assert await record_edit(app, "console", "m1", "  ",
                                 START + timedelta(minutes=1)) is Outcome.UNCHANGED
        assert (await _state(app))[:2] == ("v2", "2026-01-05T09:02:00Z")
        # Once withdrawn at 10:03, an edit made before that brings nothing back.
        assert await record_edit(app, "console", "m1", "",
                                 START + timedelta(minutes=3)) is Outcome.DELETED
        assert await record_edit(app, "console", "m1", "v1",
                                 START + timedelta(minutes=1)) is Outcome.UNCHANGED
        assert (await _state(app))[0] == ""
        assert await record_edit(app, "console", "m1", "v4",
                                 START + timedelta(minutes=4)) is Outcome.UPDATED
        assert (await _state(app))[:2] == ("v4", "2026-01-05T09:04:00Z")
    finally:
        await app.close()


@examples(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.sampled_from(["v0", "a", "b", ""]), min_size=1, max_size=5),
       with_ids=st.booleans(), data=st.data())
def test_any_arrival_order_shows_the_text_of_the_latest_edit(
        texts: list[str], with_ids: bool, data: st.DataObject) -> None:
    """With texts that repeat, edits back to the first text and edits that leave nothing
    visible (withdrawing it), what is shown is what the latest edit gave."""
    edits = list(enumerate(texts, start=1))
    arrivals = data.draw(st.permutations(edits))
    latest = texts[-1]
    state, withdrawn = asyncio.run(_edited(arrivals, with_ids))
    assert (state[0], withdrawn) == (latest, False) if latest else withdrawn


@examples(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.sampled_from(["v0", "a", "b"]), min_size=1, max_size=5),
       with_ids=st.booleans(), data=st.data())
def test_edits_back_to_an_earlier_text_show_the_latest_in_any_order(
        texts: list[str], with_ids: bool, data: st.DataObject) -> None:
    """Texts that repeat (an edit back to the first text, Discord's catch-up reading a
    message's last edit before the live edits that came between): text and edit time are
    those of the edits in time order; with Matrix's ids, the history too. (Without ids, an
    edit back to the same text is no version of its own: one that came between it and the
    version before, arriving late, is not kept in the history.)"""
    edits = list(enumerate(texts, start=1))
    arrivals = data.draw(st.permutations(edits))
    got, expected = (asyncio.run(_edited(order, with_ids))[0] for order in (arrivals, edits))
    assert got[:2] == expected[:2]
    if with_ids:
        assert got == expected
