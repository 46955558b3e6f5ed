"""What a newcomer found going through the README (helper-114): skipping and restoring meetings
said what it had not done, the empty meetings were named obscurely, and the command line took
less than the console. Each kind is covered, not only the input that showed it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from seminarbot.core.zones import TimeZone
from seminarbot.domain.errors import BadArgument
from tests.conftest import ConsoleDriver
from tests.failpaths.support import environment, one_line, seminar_database, seminarbot
from tests.scheduler.invariants import flat, outbox_of
from tests.scheduler.support import console_seminar


@pytest.fixture
async def seminar(tmp_path: Path) -> AsyncIterator[ConsoleDriver]:
    async with console_seminar(tmp_path) as driver:
        await driver.say("/seminar setup tue 19:00 UTC")  # session 1 on Tue 06 Jan 2026
        yield driver


async def says(console: ConsoleDriver, line: str) -> str:
    return flat(await console.say(line))


async def test_a_skip_lists_what_moved_and_a_date_past_the_sessions_moves_none(
        seminar: ConsoleDriver) -> None:
    said = await says(seminar, "/seminar skip 2026-01-13")
    assert "the sessions after it move one meeting later" in said
    assert "Session 2 moves to Tue 20 Jan 2026 19:00 UTC." in said
    assert "Session 1 moves" not in said
    said = await says(seminar, "/seminar skip 2027-01-12")
    assert "no session was due on it or after it, so none moves" in said
    assert "moves to" not in said


@pytest.mark.parametrize("first", ["/seminar skip 2026-01-13", "/seminar skip"])
async def test_a_date_skipped_twice_is_refused_and_changes_nothing(
        seminar: ConsoleDriver, first: str) -> None:
    await seminar.say(first)
    skipped = "2026-01-13" if first.endswith("13") else "2026-01-06"
    before = await outbox_of(seminar.app)
    said = await says(seminar, f"/seminar skip {skipped}")
    assert "is already skipped" in said and f"skip {skipped} --undo" in said
    assert await outbox_of(seminar.app) == before


@pytest.mark.parametrize(("how", "why"), [
    ("/seminar post", "session 1, due then, was posted early"),
    ("/seminar move 1 2026-01-05 20:00", "session 1, due then, was moved")])
async def test_a_meeting_a_session_left_is_named_by_how_and_cannot_be_skipped_again(
        seminar: ConsoleDriver, how: str, why: str) -> None:
    await seminar.say(how)
    assert f"No meeting on Tue 06 Jan 2026 ({why})." in await says(seminar, "/seminar schedule")
    before = await outbox_of(seminar.app)
    said = await says(seminar, "/seminar skip 2026-01-06")
    assert f"Tue 06 Jan 2026 is already empty ({why})" in said
    assert await outbox_of(seminar.app) == before


async def test_undo_without_a_date_restores_the_one_skipped_date_else_says_which(
        seminar: ConsoleDriver) -> None:
    said = await says(seminar, "/seminar skip --undo")
    assert "No meeting still to come is skipped, so there is nothing to restore." in said
    await seminar.say("/seminar skip 2026-01-13")
    await seminar.say("/seminar skip 2026-02-03")
    before = await outbox_of(seminar.app)
    said = await says(seminar, "/seminar skip --undo")
    assert "`date` is missing" in said and "Skipped: 2026-01-13 and 2026-02-03." in said
    assert await outbox_of(seminar.app) == before
    await seminar.say("/seminar skip 2026-02-03 --undo")
    said = await says(seminar, "/seminar skip --undo")
    assert "2026-01-13 is a meeting again." in said
    assert "Session 2 moves to Tue 13 Jan 2026 19:00 UTC." in said


async def test_a_skipped_meeting_gone_by_is_not_restored(seminar: ConsoleDriver) -> None:
    await seminar.say("/seminar skip 2026-01-13")
    assert "Simulated time" in await says(seminar, "/clock advance 8d11h")  # Tue 13 Jan, 20:00
    before = await outbox_of(seminar.app)
    said = await says(seminar, "/seminar skip 2026-01-13 --undo")
    assert "`date` expects a skipped meeting that has not happened yet" in said
    said = await says(seminar, "/seminar skip --undo")
    assert "nothing to restore" in said
    assert await outbox_of(seminar.app) == before


@pytest.mark.parametrize("command", ["prompt", "reading", "roles"])
async def test_a_prompt_reference_given_for_a_session_names_its_session(
        seminar: ConsoleDriver, command: str) -> None:
    said = await says(seminar, f"/seminar {command} 2.1")
    assert "2.1 is shaped as a prompt's reference; its session is 2." in said
    said = await says(seminar, f"/seminar {command} 99.1")
    assert "`session` expects" in said and "shaped as" not in said


async def test_the_console_is_named_in_a_sentence_as_one_is_written(
        seminar: ConsoleDriver) -> None:
    await seminar.say("/seminar post")
    await seminar.say("/seminar respond 1.1 My answer.")
    said = await says(seminar, "/seminar forget-me")
    assert "in this computer" in said and "This computer" not in said


def test_the_command_line_takes_an_export_format_in_any_case(tmp_path: Path) -> None:
    db = seminar_database(tmp_path)
    for typed in ("CSV", "Markdown", " html"):
        result = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", typed,
                            "--out", "-")
        assert result.returncode == 0, (typed, result.stderr)
    result = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", "XLS",
                        "--out", "-")
    assert result.returncode == 2
    assert "expected csv, jsonl, markdown or html (got 'XLS')" in one_line(result)


@pytest.mark.parametrize(("typed", "hint"), [
    ("Europe/Berln", "Did you mean Europe/Berlin"), ("America/New York City", ""),
    ("+02:00", "An offset is not a time zone")])
def test_a_refused_zone_is_called_an_offset_only_when_it_is_one(typed: str, hint: str) -> None:
    with pytest.raises(BadArgument) as caught:
        TimeZone().parse(typed, "timezone")
    said = caught.value.message
    assert hint in said and ("offset" in said) == typed.startswith("+"), said


def test_health_without_a_heartbeat_says_the_bot_has_not_run_there(tmp_path: Path) -> None:
    result = seminarbot("health", env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "d")))
    assert result.returncode == 1
    assert "`seminarbot run` has not run with this data directory" in one_line(result)
