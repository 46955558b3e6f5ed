"""A cohort's row that cannot be read (another program's write, a damaged file) is said in one
sentence, naming the cohort and the column, wherever it is read, and stops nothing else: the
scheduler posts the other seminars' rows and leaves that cohort's pending (logged once), and a
command in its channel is answered with that sentence. Before, the first due row of a damaged
cohort failed every pass, so no seminar was posted, and a command was an internal error."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.services.container import Services
from seminarbot.storage import damage
from tests.conftest import ConsoleDriver

DAMAGES = {  # SET clause: what the sentence names
    "weekdays = 'xyz'": "cohort 1's weekdays cannot be read",
    "start_date = 'soon'": "cohort 1's start_date cannot be read",
    "name = X'41FF'": "cohort 1's name cannot be read",
    "reminder_before = 'an hour'": "cohort 1's reminder_before cannot be read",
    "timezone = 'Mars/Olympus'": "time zone 'Mars/Olympus' is not one",
}


@pytest.fixture(autouse=True)
def nothing_said_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """What this process logged already (storage/damage.py says each damage once), as if new:
    an earlier test may have met the same damage."""
    monkeypatch.setattr(damage, "_said", set())


async def _columns(app: Services, table: str, *left_out: str) -> str:
    rows = await app.db.fetch_tuples(f"SELECT name FROM pragma_table_info('{table}')")
    return ", ".join(row[0] for row in rows if row[0] not in left_out)


async def _second_seminar(app: Services) -> None:
    """Cohort 2: cohort 1 again in another channel, with its own outbox rows."""
    cohorts = await _columns(app, "cohorts", "id", "channel_id")
    await app.db.execute(f"INSERT INTO cohorts (id, channel_id, {cohorts})"
                         f" SELECT 2, 'second', {cohorts} FROM cohorts WHERE id = 1")
    outbox = await _columns(app, "outbox", "id", "cohort_id")
    await app.db.execute(f"INSERT INTO outbox (cohort_id, {outbox})"
                         f" SELECT 2, {outbox} FROM outbox WHERE cohort_id = 1")


@pytest.mark.parametrize("damage", DAMAGES)
async def test_a_damaged_cohort_stops_no_other_seminar(
        damage: str, app: Services, console: ConsoleDriver, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await _second_seminar(app)
    await app.db.execute(f"UPDATE cohorts SET {damage} WHERE id = 1")
    prompts = [i for i in await app.outbox.for_cohort(2) if i.kind == "prompt"]
    clock.set(min(i.due_at for i in prompts) + timedelta(minutes=1))
    caplog.set_level(logging.WARNING)
    for _ in range(2):
        await app.scheduler.run_due()  # raised, before
    due = {cohort: [i.state for i in await app.outbox.for_cohort(cohort)
                    if i.kind == "prompt" and i.due_at <= clock.now()] for cohort in (1, 2)}
    assert due[2] and set(due[2]) == {OutboxState.POSTED}
    if "timezone" not in damage:  # read in storage: said once, whatever the passes
        assert due[1] and set(due[1]) == {OutboxState.PENDING}  # it waits, untouched
        assert caplog.text.count("cohort 1's") == 1, caplog.text
    # A zone is read where a time is shown: the posts, set in UTC, go out.
    said = await console.say("/seminar schedule")
    assert DAMAGES[damage] in said and "Traceback" not in said and "internal" not in said
    await app.db.execute("UPDATE cohorts SET weekdays = '1', start_date = '2026-01-05',"
                         " name = '', reminder_before = NULL, timezone = 'UTC' WHERE id = 1")
    await app.scheduler.run_due()  # repaired, it posts what was due
    assert {i.state for i in await app.outbox.for_cohort(1)
            if i.kind == "prompt" and i.due_at <= clock.now()} == {OutboxState.POSTED}


async def test_an_outbox_row_of_no_kind_it_can_post_is_left_waiting_not_sent_as_a_digest(
        app: Services, console: ConsoleDriver, clock: ManualClock) -> None:
    # The fourth try-out: a damaged kind fell through to the digest: the moderators got a
    # digest in the prompt's place, and the row was marked posted.
    await console.say("/seminar setup tue 19:00 UTC")
    prompts = sorted((i for i in await app.outbox.for_cohort(1) if i.kind == "prompt"),
                     key=lambda i: (i.due_at, i.id))
    damaged = prompts[0]
    await app.db.execute("UPDATE outbox SET kind = 'bogus' WHERE id = ?", (damaged.id,))
    clock.set(damaged.due_at + timedelta(minutes=1))
    await app.scheduler.run_due()
    state = await app.db.scalar("SELECT state FROM outbox WHERE id = ?", (damaged.id,))
    assert state == "pending"
    others = [i for i in await app.outbox.for_cohort(1)
              if i.kind == "prompt" and i.due_at <= clock.now()]
    assert others and {i.state for i in others} == {OutboxState.POSTED}


async def test_a_cohort_whose_channel_is_stored_as_bytes_is_found_and_said_damaged(
        app: Services, console: ConsoleDriver) -> None:
    # The fourth try-out: the channel seemed to have no seminar, and setup made a second one.
    await console.say("/seminar setup tue 19:00 UTC")
    await app.db.execute("UPDATE cohorts SET channel_id = CAST(channel_id AS BLOB)")
    for command in ("/seminar schedule", "/seminar setup wed 18:00 UTC"):
        assert "cohort 1's channel_id cannot be read" in await console.say(command)
    assert await app.db.scalar("SELECT count(*) FROM cohorts") == 1
