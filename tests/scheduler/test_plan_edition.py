"""Each cohort records the edition of the plan its outbox was set against (migration 0014): a
start under the same edition reads no cohort's outbox for it, and whatever edition a cohort
missed (paused, or new since) it is set against at the next start where it is active."""

from __future__ import annotations

from pathlib import Path

import pytest

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.storage.outbox import OutboxRepository
from seminarbot.syllabus.loader import load_syllabus
from tests.conftest import MINI
from tests.scheduler.test_plan_change import next_edition, set_up


async def _edition_of(app: object, cohort_id: int) -> str | None:
    return await app.db.scalar(  # type: ignore[attr-defined, no-any-return]
        "SELECT plan_edition FROM cohorts WHERE id = ?", (cohort_id,))


async def test_a_start_under_the_same_edition_reads_no_cohorts_outbox_for_it(
        tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = await set_up(tmp_path, clock)
    app = await open_services(settings, clock)
    assert await _edition_of(app, 1) is None  # set up after the process's first pass
    await app.scheduler.run_due()  # the next start's first pass sets it against the edition
    assert await _edition_of(app, 1) == app.syllabus.plan.edition
    await app.close()
    app = await open_services(settings, clock)
    read: list[int] = []
    real = OutboxRepository.for_cohort

    async def for_cohort(self: OutboxRepository, cohort_id: int) -> object:
        read.append(cohort_id)
        return await real(self, cohort_id)

    monkeypatch.setattr(OutboxRepository, "for_cohort", for_cohort)
    try:
        await app.scheduler.run_due()
        assert read == []
    finally:
        await app.close()


async def test_a_new_edition_is_adopted_once_and_recorded(tmp_path: Path,
                                                           clock: ManualClock) -> None:
    settings = await set_up(tmp_path, clock)
    newer = next_edition(load_syllabus(MINI))
    assert newer.plan.edition != load_syllabus(MINI).plan.edition
    for _ in range(2):  # the second start finds it adopted: one audit entry in all
        app = await open_services(settings, clock, newer)
        try:
            await app.scheduler.run_due()
            assert await _edition_of(app, 1) == newer.plan.edition
            changes = [e for e in await app.audit.recent() if e.action == "plan changed"]
            assert len(changes) == 1
        finally:
            await app.close()


async def test_a_cohort_paused_through_a_new_edition_adopts_it_once_resumed(
        tmp_path: Path, clock: ManualClock) -> None:
    from tests.conftest import ConsoleDriver

    settings = await set_up(tmp_path, clock)
    app = await open_services(settings, clock)
    await ConsoleDriver(app, clock).say("/seminar pause")
    await app.close()
    newer = next_edition(load_syllabus(MINI))
    app = await open_services(settings, clock, newer)
    try:
        await app.scheduler.run_due()
        assert await _edition_of(app, 1) != newer.plan.edition  # paused: not set against it
        await ConsoleDriver(app, clock).say("/seminar resume")
    finally:
        await app.close()
    app = await open_services(settings, clock, newer)
    try:
        await app.scheduler.run_due()
        assert await _edition_of(app, 1) == newer.plan.edition
        added = [i for i in await app.outbox.for_cohort(1)
                 if i.session_id == "added" and i.kind == "prompt"]
        assert added and {i.state for i in added} == {OutboxState.PENDING}
    finally:
        await app.close()


async def test_a_cohort_planned_under_another_edition_is_set_against_the_next_starts(
        tmp_path: Path, clock: ManualClock) -> None:
    """Found by a try-out: paused under edition A, resumed under B (which plans B's sessions),
    then started under A again: its posts for B's sessions must be set against A."""
    from tests.conftest import ConsoleDriver

    settings = await set_up(tmp_path, clock)
    shipped, newer = load_syllabus(MINI), next_edition(load_syllabus(MINI))
    app = await open_services(settings, clock, shipped)
    await app.scheduler.run_due()  # set against A
    await ConsoleDriver(app, clock).say("/seminar pause")
    await app.close()
    app = await open_services(settings, clock, newer)
    try:
        await app.scheduler.run_due()
        await ConsoleDriver(app, clock).say("/seminar resume")  # planned from B
        added = [i for i in await app.outbox.for_cohort(1) if i.session_id == "added"]
        assert added and await _edition_of(app, 1) is None
    finally:
        await app.close()
    app = await open_services(settings, clock, shipped)
    try:
        await app.scheduler.run_due()
        assert await _edition_of(app, 1) == shipped.plan.edition
        rows = [i for i in await app.outbox.for_cohort(1) if i.session_id == "added"]
        assert rows and {i.state for i in rows} == {OutboxState.SKIPPED}
        assert [e for e in await app.audit.recent() if e.action == "plan changed"]
    finally:
        await app.close()


async def test_an_adoption_whose_audit_fails_is_made_again_and_told(
        tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    settings = await set_up(tmp_path, clock)
    newer = next_edition(load_syllabus(MINI))
    app = await open_services(settings, clock, newer)
    real, calls = app.audit.record, []

    async def record(**kwargs: object) -> object:
        if kwargs.get("action") == "plan changed":
            calls.append(kwargs)
            if len(calls) == 1:
                raise KeyError("a fault of ours")
        return await real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app.audit, "record", record)
    try:
        assert await app.scheduler.run_guarded() is None
        assert await _edition_of(app, 1) is None  # nothing of the change stands
        assert await app.scheduler.run_guarded() is not None
        assert await _edition_of(app, 1) == newer.plan.edition
        assert len([e for e in await app.audit.recent() if e.action == "plan changed"]) == 1
    finally:
        await app.close()
    caplog.clear()
