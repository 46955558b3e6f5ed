"""Every session posted exactly once, at the right instant: across DST changes, restarts in
every state of an outbox row, downtime, pauses, skips, moves and several cohorts."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from seminarbot.app import open_services
from seminarbot.clock import ManualClock, to_iso
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.core.replies import Tone
from seminarbot.domain.models import OutboxState
from seminarbot.services.container import Services
from tests.conftest import make_settings
from tests.scheduler.support import JournalPoster, long_syllabus

MODERATOR = Actor("console", "console:mod", "mod", is_moderator=True)
ROOT = Path(__file__).resolve().parents[2]


def place(channel: str = "seminar") -> Place:
    return Place("console", "local", channel)


async def say(app: Services, line: str, channel: str = "seminar") -> str:
    response = await run_line(app, line, MODERATOR, place(channel))
    text = " ".join([response.title, *response.paragraphs, *(v for _, v in response.fields)])
    assert response.tone is not Tone.ERROR, text
    return text


async def start(tmp_path: Path, now: datetime) -> tuple[Services, ManualClock, JournalPoster]:
    clock = ManualClock(now)
    app = await open_services(make_settings(tmp_path), clock, syllabus=long_syllabus())
    poster = JournalPoster(tmp_path / "platform.jsonl")
    app.scheduler.attach(poster)
    return app, clock, poster


@pytest.fixture
async def loop_runner() -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks: list[asyncio.Task[None]] = []
    yield tasks
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def settle(app: Services, done: int) -> None:
    """Let the running loop work until `done` prompt rows are posted (bounded)."""
    for _ in range(500):
        posted = await app.db.scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'prompt' AND state = 'posted'")
        if posted >= done:
            return
        await asyncio.sleep(0.002)
    raise AssertionError(f"only {posted} of {done} prompt posts happened")


async def posted_prompts(app: Services) -> list[tuple[str, str, str]]:
    rows = await app.db.fetchall(
        "SELECT session_id, item, posted_at FROM outbox WHERE kind = 'prompt'"
        " AND state = 'posted' ORDER BY posted_at, id")
    return [tuple(row) for row in rows]  # type: ignore[misc]


def expected(zone: str, first: datetime, weeks: int) -> list[datetime]:
    tz = ZoneInfo(zone)
    local = first.replace(tzinfo=tz)
    return [(local + timedelta(weeks=w)).replace(tzinfo=tz).astimezone(UTC) for w in range(weeks)]


@pytest.mark.parametrize(("zone", "weekday", "start_date", "first_local", "utc_hours"), [
    ("Europe/London", "tue", "2026-03-03", datetime(2026, 3, 3, 19), [19] * 4 + [18] * 6),
    ("Europe/London", "tue", "2026-10-06", datetime(2026, 10, 6, 19), [18] * 3 + [19] * 7),
    ("America/New_York", "tue", "2026-02-17", datetime(2026, 2, 17, 19), [0] * 3 + [23] * 7),
    ("America/New_York", "tue", "2026-10-13", datetime(2026, 10, 13, 19), [23] * 3 + [0] * 7),
])
async def test_ten_weeks_across_a_dst_change(tmp_path: Path, loop_runner: list[asyncio.Task[None]],
                                            zone: str, weekday: str, start_date: str,
                                            first_local: datetime, utc_hours: list[int]) -> None:
    begin = datetime.fromisoformat(start_date).replace(tzinfo=UTC) - timedelta(days=1)
    app, clock, poster = await start(tmp_path, begin)
    try:
        await say(app, f"seminar setup {weekday} 19:00 {zone} {start_date}")
        loop_runner.append(asyncio.create_task(app.scheduler.run_forever()))
        instants = expected(zone, first_local, 10)
        assert [i.hour for i in instants] == utc_hours
        for week, instant in enumerate(instants):
            clock.set(instant - timedelta(seconds=1))
            await asyncio.sleep(0.01)
            assert len(poster.posts()) == 2 * week, "posted early"
            clock.set(instant)
            await settle(app, 2 * (week + 1))
        posts = await posted_prompts(app)
        assert [p[2] for p in posts] == [to_iso(i) for i in instants for _ in range(2)]
        assert Counter(p["key"] for p in poster.posts()).most_common(1)[0][1] == 1
        assert len(poster.posts()) == 20
    finally:
        await app.close()


@pytest.mark.parametrize(("zone", "at", "start_date", "utc"), [
    # Spring: 01:30 does not exist on 29 March in London; it posts an hour later, 02:30 BST.
    ("Europe/London", "01:30", "2026-03-22", ["2026-03-22T01:30:00Z", "2026-03-29T01:30:00Z",
                                             "2026-04-05T00:30:00Z"]),
    # Autumn: 01:30 happens twice on 25 October; it posts at the first, still BST.
    ("Europe/London", "01:30", "2026-10-18", ["2026-10-18T00:30:00Z", "2026-10-25T00:30:00Z",
                                             "2026-11-01T01:30:00Z"]),
    ("America/New_York", "02:30", "2026-03-01", ["2026-03-01T07:30:00Z", "2026-03-08T07:30:00Z",
                                                "2026-03-15T06:30:00Z"]),
    ("America/New_York", "01:30", "2026-10-25", ["2026-10-25T05:30:00Z", "2026-11-01T05:30:00Z",
                                                "2026-11-08T06:30:00Z"]),
])
async def test_post_times_inside_the_skipped_and_repeated_hours(tmp_path: Path, zone: str,
                                                               at: str, start_date: str,
                                                               utc: list[str]) -> None:
    begin = datetime.fromisoformat(start_date).replace(tzinfo=UTC) - timedelta(days=1)
    app, _, _ = await start(tmp_path, begin)
    try:
        await say(app, f"seminar setup sun {at} {zone} {start_date}")
        due = await app.db.fetchall(
            "SELECT DISTINCT due_at FROM outbox WHERE kind = 'prompt' ORDER BY due_at LIMIT 3")
        assert [row[0] for row in due] == utc
    finally:
        await app.close()


def crash_run(tmp_path: Path, now: datetime, crash: str) -> int:
    result = subprocess.run(
        [sys.executable, "-m", "tests.scheduler.crash_run", str(tmp_path),
         str(tmp_path / "platform.jsonl"), to_iso(now), crash],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    return result.returncode


@pytest.mark.parametrize("crash", ["before-send", "after-send", ""])
async def test_a_restart_in_every_state_of_an_outbox_row(tmp_path: Path, crash: str) -> None:
    monday = datetime(2026, 1, 5, 9, tzinfo=UTC)
    app, _, _ = await start(tmp_path, monday)
    await say(app, "seminar setup tue 19:00 Europe/London")
    # Session 1 is posted; session 2's first prompt is made to fail for good; the rest wait.
    await say(app, "seminar post 1")
    failing = (await app.outbox.for_cohort(1))
    second = next(i for i in failing if i.session_id == "w2" and i.kind == "prompt")
    await app.outbox.claim(second.id, monday)
    await app.outbox.release(second.id, "missing permission", None)
    await app.close()

    due = datetime(2026, 1, 20, 19, 5, tzinfo=UTC)  # session 3's time has come
    code = crash_run(tmp_path, due, crash)
    assert code == (3 if crash else 0)
    states = {}
    reopened, _, poster = await start(tmp_path, due)
    try:
        for item in await reopened.outbox.for_cohort(1):
            states[(item.session_id, item.item)] = item.state
        if crash:  # the first prompt of session 3 was claimed when the process died
            assert states[("w3", "w3-p1")] is OutboxState.CLAIMED
        await reopened.scheduler.run_due()
        final = {(i.session_id, i.item): i for i in await reopened.outbox.for_cohort(1)
                 if i.kind == "prompt"}
    finally:
        await reopened.close()
    keys = Counter(p["key"] for p in poster.posts())
    assert set(keys.values()) == {1}, keys  # nothing reached the platform twice
    assert final[("w2", "w2-p1")].state is OutboxState.FAILED  # failed stays failed
    assert final[("w2", "w2-p2")].state is OutboxState.SKIPPED  # two weeks late: beyond grace
    for prompt in ("w3-p1", "w3-p2"):
        row = final[("w3", prompt)]
        assert row.state is OutboxState.POSTED
        assert keys[row.idempotency_key] == 1
        sent = next(p for p in poster.posts() if p["key"] == row.idempotency_key)
        assert row.message_id == sent["id"]
    assert all(final[(f"w{n}", f"w{n}-p{k}")].state is OutboxState.PENDING
               for n in range(4, 11) for k in (1, 2))


async def test_downtime_inside_and_beyond_the_grace_window(tmp_path: Path) -> None:
    monday = datetime(2026, 1, 5, 9, tzinfo=UTC)
    app, _, _ = await start(tmp_path, monday)
    await say(app, "seminar setup tue,fri 19:00 UTC")
    await app.close()
    # Down from Monday until Friday 23:00: Tuesday's slot is 76h late, Friday's 4h late.
    back = datetime(2026, 1, 9, 23, tzinfo=UTC)
    app, _, poster = await start(tmp_path, back)
    try:
        outcomes = await app.scheduler.run_due()
        by_session = {(o.item.session_id, o.item.kind): o.state for o in outcomes}
        assert by_session[("w1", "prompt")] is OutboxState.SKIPPED
        assert by_session[("w2", "prompt")] is OutboxState.POSTED
        assert [p["ref"] for p in poster.posts()] == ["2.1", "2.2"]
        told = [n for n in poster.notices if n.startswith("Skipped")]
        assert len(told) == 1 and "session 1's prompts (due Tue 06 Jan 2026 19:00 UTC)" \
            in told[0], poster.notices
        assert await app.scheduler.run_due() == []  # nothing more, nothing twice
    finally:
        await app.close()


async def test_pause_resume_skip_move_and_reschedule(tmp_path: Path) -> None:
    monday = datetime(2026, 1, 5, 9, tzinfo=UTC)
    app, clock, poster = await start(tmp_path, monday)
    try:
        await say(app, "seminar setup tue 19:00 Europe/Berlin")

        async def dues() -> dict[str, str]:
            rows = await app.db.fetchall(
                "SELECT session_id, MIN(due_at) FROM outbox WHERE kind = 'prompt'"
                " AND state = 'pending' GROUP BY session_id")
            return {row[0]: row[1] for row in rows}

        assert (await dues())["w1"] == "2026-01-06T18:00:00Z"
        assert "No session on Tue 13 Jan 2026" in await say(app, "seminar skip 2026-01-13")
        assert (await dues())["w2"] == "2026-01-20T18:00:00Z"
        assert (await dues())["w3"] == "2026-01-27T18:00:00Z"
        assert "moves to Fri 16 Jan 2026 10:00 CET" in await say(
            app, "seminar move 4 2026-01-16 10:00")
        assert (await dues())["w4"] == "2026-01-16T09:00:00Z"
        assert (await dues())["w5"] == "2026-02-10T18:00:00Z"  # the others keep their dates
        clock.set(datetime(2026, 1, 6, 18, tzinfo=UTC))
        await app.scheduler.run_due()
        await say(app, "seminar pause")
        clock.set(datetime(2026, 2, 2, 12, tzinfo=UTC))
        assert await app.scheduler.run_due() == []
        assert "session 2 (Week 2) on Tue 03 Feb 2026 19:00 CET" in await say(
            app, "seminar resume")
        await say(app, "seminar reschedule thu 08:15 Asia/Tokyo")
        assert (await dues())["w2"] == "2026-02-04T23:15:00Z"  # Thursday 08:15 in Tokyo
        # A skipped meeting gone by, on a weekday the seminar no longer meets, is not
        # restored (it would change nothing but the notes).
        refused = await run_line(app, "seminar skip 2026-01-13 --undo", MODERATOR,
                                 place("seminar"))
        assert refused.tone is Tone.ERROR and "a meeting date (Thursdays" in refused.paragraphs[0]
        assert [p["ref"] for p in poster.posts()] == ["1.1", "1.2"]
    finally:
        await app.close()


async def test_two_cohorts_in_different_zones(tmp_path: Path,
                                              loop_runner: list[asyncio.Task[None]]) -> None:
    monday = datetime(2026, 3, 2, 0, tzinfo=UTC)
    app, clock, poster = await start(tmp_path, monday)
    try:
        await say(app, "seminar setup tue 19:00 America/Los_Angeles", channel="west")
        await say(app, "seminar setup wed 09:00 Asia/Kolkata", channel="east")
        loop_runner.append(asyncio.create_task(app.scheduler.run_forever()))
        for _ in range(20):  # three weeks: wake at each due instant, as a running bot would
            due = await app.outbox.next_due_at()
            assert due is not None
            if due > datetime(2026, 3, 19, tzinfo=UTC):
                break
            clock.set(due)
            for _ in range(500):
                if not await app.outbox.due(clock.now()):
                    break
                await asyncio.sleep(0.002)
        rows = await app.db.fetchall(
            "SELECT c.channel_id, o.due_at, o.posted_at FROM outbox o"
            " JOIN cohorts c ON c.id = o.cohort_id WHERE o.kind = 'prompt'"
            " AND o.state = 'posted' ORDER BY o.posted_at, o.id")
        # Tuesday 19:00 in Los Angeles is Wednesday 03:00Z (02:00Z once its DST starts on
        # 8 March); Wednesday 09:00 in Kolkata is always 03:30Z.
        assert [(r[0], r[1]) for r in rows][::2] == [
            ("west", "2026-03-04T03:00:00Z"), ("east", "2026-03-04T03:30:00Z"),
            ("west", "2026-03-11T02:00:00Z"), ("east", "2026-03-11T03:30:00Z"),
            ("west", "2026-03-18T02:00:00Z"), ("east", "2026-03-18T03:30:00Z"),
        ]
        assert all(due_at == posted_at for _, due_at, posted_at in rows)
        assert len({p["key"] for p in poster.posts()}) == len(poster.posts()) == 12
    finally:
        await app.close()


async def test_reminders_and_digest(tmp_path: Path) -> None:
    from seminarbot.services.responses import InboundMessage, record_message

    monday = datetime(2026, 1, 5, 9, tzinfo=UTC)
    app, clock, poster = await start(tmp_path, monday)
    try:
        await say(app, "seminar setup tue 19:00 UTC")
        assert "naming who has responded" in await say(app, "seminar reminders 1d on --names")
        clock.set(datetime(2026, 1, 6, 19, tzinfo=UTC))
        await app.scheduler.run_due()
        thread = (await app.outbox.for_cohort(1))[0].thread_id
        for who in ("ann", "bob"):
            await record_message(app, InboundMessage(
                "console", f"m-{who}", Actor("console", who, who), "A reply.", clock.now(),
                thread_id=thread))
        clock.set(datetime(2026, 1, 12, 19, tzinfo=UTC))  # a day before the session closes
        await app.scheduler.run_due()
        reminders = [n for n in poster.notices if "Reminder" in n]
        assert len(reminders) == 2
        assert reminders[0] == (f"{thread}: Reminder: this discussion closes Tue 13 Jan 2026 "
                                "19:00 UTC. 2 participants have responded so far (2 responses)."
                                " Responded: ann, bob.")
        assert "Nobody has responded yet" in reminders[1]
        clock.set(datetime(2026, 1, 13, 19, tzinfo=UTC))
        await app.scheduler.run_due()
        digest = next(n for n in poster.notices if n.startswith("Digest"))
        assert digest.startswith("Digest for session 1, “Week 1”: 2 participants responded.")
        assert "1.1: 2 responses from 2 participants" in digest
        await app.scheduler.run_due()
        assert sum(n.startswith("Digest") for n in poster.notices) == 1
        assert "No reminders." in await say(app, "seminar reminders off off")
        assert await app.db.scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"
                                   " AND kind IN ('reminder', 'digest')") == 0
    finally:
        await app.close()


async def test_the_loop_sleeps_until_due_and_wakes_on_changes(
        tmp_path: Path, loop_runner: list[asyncio.Task[None]]) -> None:
    monday = datetime(2026, 1, 5, 9, tzinfo=UTC)
    app, clock, _ = await start(tmp_path, monday)
    try:
        await say(app, "seminar setup tue 19:00 UTC")
        # A process's first pass sets the seminar against the plan's edition (a commit): done
        # here, so that the loop's own first pass is over within the 10 ms waited below.
        await app.scheduler.run_due()
        loop_runner.append(asyncio.create_task(app.scheduler.run_forever()))
        await asyncio.sleep(0.01)
        passes = app.scheduler.passes
        for _ in range(50):  # time passes, nothing is due: the loop must not look
            clock.advance(timedelta(minutes=1))
            await asyncio.sleep(0)
        assert app.scheduler.passes == passes
        clock.advance(timedelta(minutes=11))  # past the hourly housekeeping wake: one pass
        await asyncio.sleep(0.01)
        assert app.scheduler.passes == passes + 1
        passes = app.scheduler.passes
        await say(app, "seminar skip")  # a schedule change wakes it once
        await asyncio.sleep(0.01)
        assert passes < app.scheduler.passes <= passes + 2
    finally:
        await app.close()
