"""A new edition of the reading plan under a running seminar: the sessions it adds get their
meetings, posts for what it no longer has are skipped with that reason (never a crash of the
loop), and the change is audited."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.domain.syllabus import Syllabus
from seminarbot.syllabus.loader import load_syllabus
from tests.conftest import MINI, ConsoleDriver, make_settings


def next_edition(syllabus: Syllabus) -> Syllabus:
    """Session 2 loses its last prompt; a session is added after it."""
    plan = syllabus.plan
    second = plan.sessions[1]
    trimmed = dataclasses.replace(second, prompts=second.prompts[:-1])
    added = dataclasses.replace(second, id="added", number=3, title="Added later",
                                prompts=tuple(dataclasses.replace(p, id=f"added-{i}",
                                                                  session_id="added",
                                                                  ref=f"3.{i + 1}")
                                              for i, p in enumerate(second.prompts)))
    rest = tuple(dataclasses.replace(s, number=s.number + 1) for s in plan.sessions[2:])
    sessions = (plan.sessions[0], trimmed, added, *rest)
    return dataclasses.replace(syllabus, plan=dataclasses.replace(plan, sessions=sessions))


async def test_a_new_edition_adds_sessions_and_drops_what_it_no_longer_has(
        tmp_path: Path, clock: ManualClock) -> None:
    settings = make_settings(tmp_path)
    app = await open_services(settings, clock)
    console = ConsoleDriver(app, clock)
    await console.console.start()
    await console.say("/seminar setup tue 19:00 UTC")
    dropped = app.syllabus.plan.sessions[1].prompts[-1].id
    await app.close()

    app = await open_services(settings, clock, next_edition(load_syllabus(MINI)))
    try:
        await app.scheduler.run_due()
        items = await app.outbox.for_cohort(1)
        assert {i.state for i in items if i.item == dropped} == {OutboxState.SKIPPED}
        assert all("no longer in the reading plan" in (i.last_error or "")
                   for i in items if i.item == dropped)
        added = [i for i in items if i.session_id == "added" and i.kind == "prompt"]
        assert added and all(i.state is OutboxState.PENDING for i in added)
        audit = [e for e in await app.audit.recent() if e.action == "plan changed"]
        assert audit and audit[0].detail["added"] == ["added"]
        console = ConsoleDriver(app, clock)
        await console.console.start()
        shown = await console.say("/seminar schedule")
        assert "Added later" in shown
    finally:
        await app.close()
