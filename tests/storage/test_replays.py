"""A message is recorded once, whatever order it is handed over in, again and again: alone,
twice in one batch, after it was stored (a replay after a reconnect, a catch-up), and when
the responses table holds a rowid at or near SQLite's largest, after which a new row's rowid
is no longer larger than every other (sqlite.org/autoinc.html), so the writer cannot tell a
replay from a new row by its rowid."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from seminarbot.core.invocation import Actor
from seminarbot.domain.responses import Outcome
from seminarbot.services.responses import InboundMessage, record_messages
from seminarbot.storage.response_batch import LARGEST_ROWID
from tests.conftest import START
from tests.storage.test_edit_order import posted_seminar

ANN = Actor("console", "console:ann", "ann")
Batches = list[list[int]]


async def _outcomes(folder: Path, batches: Batches, largest: int | None
                    ) -> tuple[list[list[Outcome | None]], list[str]]:
    app, thread = await posted_seminar(folder)
    try:
        if largest is not None:  # another person's message, stored near the largest rowid
            await app.db.execute("INSERT INTO participants (id, platform, external_id,"
                                 " created_at) VALUES (99, 'console', 'console:bo',"
                                 " '2026-01-05T09:00:00Z')")
            await app.db.execute(
                "INSERT INTO responses (id, cohort_id, session_id, prompt_id, participant_id,"
                " platform, message_id, body, created_at) SELECT ?, cohort_id, session_id,"
                " item, 99, 'console', 'other', 'x',"
                " '2026-01-05T09:00:00Z' FROM outbox WHERE thread_id = ?",
                (LARGEST_ROWID - largest, thread))
        got = []
        for batch in batches:
            got.append(await record_messages(app, [
                InboundMessage("console", f"m{n}", ANN, f"Reply {n}.", START, thread_id=thread)
                for n in batch]))
        stored = [row[0] for row in await app.db.fetchall(
            "SELECT message_id FROM responses WHERE message_id != 'other' ORDER BY message_id")]
        return got, stored
    finally:
        await app.close()


@examples(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=6), min_size=1,
                        max_size=4),
       largest=st.none() | st.integers(0, 8))
@example(batches=[[0], [0, 1, 2, 3, 4]], largest=2)  # helper-92: a batch that crosses it
@example(batches=[[0], [1, 0]], largest=0)
def test_only_a_message_seen_for_the_first_time_is_created(batches: Batches,
                                                            largest: int | None) -> None:
    """`largest`: how far below the largest rowid another message's row is (None: none is);
    a batch that reaches it gets rowids below the newest (helper-92)."""
    with tempfile.TemporaryDirectory() as folder:
        got, stored = asyncio.run(_outcomes(Path(folder), batches, largest))
    seen: set[int] = set()
    expected = []
    for batch in batches:
        expected.append([])
        for n in batch:
            expected[-1].append(Outcome.UNCHANGED if n in seen else Outcome.CREATED)
            seen.add(n)
    assert got == expected
    assert stored == sorted(f"m{n}" for n in seen)
