"""A moderator's /seminar post survives the process dying half-way (issue 13, item 7): a real
process is killed while posting; the next start posts the rest of the session once, tells the
moderators what happened, and the other sessions keep their dates."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from seminarbot.clock import to_iso
from seminarbot.domain.models import OutboxState
from tests.scheduler.test_exactly_once import ROOT, say, start

MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)
ASKED = datetime(2026, 1, 8, 10, tzinfo=UTC)  # Thursday: session 1 has been open two days


def post_in_a_process(tmp_path: Path, crash: str, line: str = "seminar post 2") -> int:
    result = subprocess.run(
        [sys.executable, "-m", "tests.scheduler.crash_post", str(tmp_path),
         str(tmp_path / "platform.jsonl"), to_iso(ASKED), crash, line],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    return result.returncode


async def first_session_posted(tmp_path: Path) -> None:
    app, clock, _ = await start(tmp_path, MONDAY)
    try:
        await say(app, "seminar setup tue 19:00 Europe/London")
        clock.set(datetime(2026, 1, 6, 19, tzinfo=UTC))
        await app.scheduler.run_due()
    finally:
        await app.close()


@pytest.mark.parametrize(("crash", "out_before"), [
    ("after-send", 1),     # the platform shows 2.1; we never recorded it
    ("before-second", 1),  # 2.1 recorded; the process dies asking for 2.2
    ("before-send", 0),    # 2.1 claimed, nothing sent
])
@pytest.mark.parametrize("down_for", [timedelta(minutes=5), timedelta(days=2)])
async def test_a_post_interrupted_by_a_dying_process_is_finished_on_restart(
        tmp_path: Path, crash: str, out_before: int, down_for: timedelta) -> None:
    await first_session_posted(tmp_path)
    assert post_in_a_process(tmp_path, crash) == 3
    back = ASKED + down_for  # two days is far beyond the grace window: it is posted anyway
    app, _, poster = await start(tmp_path, back)
    try:
        assert await app.db.scalar("SELECT COUNT(*) FROM post_requests") == 1
        # the moderator's name as the platform shows typed words (Poster.literal)
        poster.literal = lambda text: f"«{text}»"  # type: ignore[method-assign]
        await app.scheduler.run_due()
        rows = {i.item: i for i in await app.outbox.for_cohort(1) if i.session_id == "w2"
                and i.kind == "prompt"}
        assert {r.state for r in rows.values()} == {OutboxState.POSTED}
        keys = Counter(p["key"] for p in poster.posts())
        assert set(keys.values()) == {1}, keys  # nothing reached the platform twice
        assert [p["ref"] for p in poster.posts()] == ["1.1", "1.2", "2.1", "2.2"]
        told = [n for n in poster.notices if "was being posted" in n]
        assert told == [
            f"Session 2, “Week 2”, was being posted, as «mod» asked (Thu 08 Jan 2026 "
            f"10:00 GMT), when the bot stopped: "
            f"{'none' if out_before == 0 else out_before} of its 2 prompts had gone out. "
            f"{2 - out_before} more went out on restart, "
            f"{back.strftime('%a %d %b %Y %H:%M')} GMT."]
        assert await app.db.scalar("SELECT COUNT(*) FROM post_requests") == 0
        assert await app.db.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'post resumed' AND outcome = 'ok'") == 1
        # Session 2's meeting (13 Jan) stays empty: session 3 keeps 20 Jan.
        third = min(i.due_at for i in await app.outbox.for_cohort(1)
                    if i.session_id == "w3" and i.kind == "prompt")
        assert third == datetime(2026, 1, 20, 19, tzinfo=UTC)
        await app.scheduler.run_due()  # nothing more, nothing twice
        assert len(poster.posts()) == 4 and len(told) == 1
    finally:
        await app.close()


async def test_a_post_interrupted_while_paused_is_finished_too(tmp_path: Path) -> None:
    await first_session_posted(tmp_path)
    app, _, _ = await start(tmp_path, MONDAY + timedelta(days=2))
    try:
        await say(app, "seminar pause")
    finally:
        await app.close()
    assert post_in_a_process(tmp_path, "after-send") == 3
    app, _, poster = await start(tmp_path, ASKED + timedelta(minutes=1))
    try:
        await app.scheduler.run_due()
        assert [p["ref"] for p in poster.posts()] == ["1.1", "1.2", "2.1", "2.2"]
        assert any("was being posted" in n for n in poster.notices)
        assert "paused" in await say(app, "seminar schedule")  # still paused
    finally:
        await app.close()


async def test_a_finished_post_leaves_no_request(tmp_path: Path) -> None:
    await first_session_posted(tmp_path)
    assert post_in_a_process(tmp_path, "") == 0
    app, _, poster = await start(tmp_path, ASKED)
    try:
        assert await app.db.scalar("SELECT COUNT(*) FROM post_requests") == 0
        await app.scheduler.run_due()
        assert len(poster.posts()) == 4
        # Session 1 closed when session 2 opened: its digest, and nothing else.
        assert [n.split(":")[0] for n in poster.notices] == ["Digest for session 1, “Week 1”"]
    finally:
        await app.close()


async def test_a_session_half_posted_by_the_schedule_is_finished_however_late(
        tmp_path: Path) -> None:
    from tests.scheduler.test_exactly_once import crash_run

    app, _, _ = await start(tmp_path, MONDAY)
    try:
        await say(app, "seminar setup tue 19:00 UTC")
    finally:
        await app.close()
    due = datetime(2026, 1, 6, 19, 1, tzinfo=UTC)
    assert crash_run(tmp_path, due, "after-send") == 3  # 1.1 is out, unrecorded
    back = due + timedelta(days=1)  # far beyond the grace window
    app, _, poster = await start(tmp_path, back)
    try:
        await app.scheduler.run_due()
        rows = {i.item: i.state for i in await app.outbox.for_cohort(1) if i.kind == "prompt"
                and i.session_id == "w1"}
        assert rows == {"w1-p1": OutboxState.POSTED, "w1-p2": OutboxState.POSTED}
        assert [p["ref"] for p in poster.posts()] == ["1.1", "1.2"]
    finally:
        await app.close()
