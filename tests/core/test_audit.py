"""A command event delivered twice is audited once; commands without an event id each count."""

from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver

MOD = Actor("matrix", "@mod:hs", "mod", is_moderator=True)
ROOM = Place("matrix", "hs", "!room:hs")


async def test_a_replayed_command_event_is_audited_once(console: ConsoleDriver,
                                                        app: Services) -> None:
    await run_line(app, "seminar setup tue 19:00 UTC", MOD, ROOM, source_id="$setup")
    for _ in range(2):  # the same event, delivered again after a crash
        await run_line(app, "seminar pause", MOD, ROOM, source_id="$pause")
    await run_line(app, "seminar resume", MOD, ROOM)
    await run_line(app, "seminar resume", MOD, ROOM)  # typed twice: two entries
    rows = await app.db.fetchall("SELECT action, outcome FROM audit_log ORDER BY id")
    assert [tuple(row) for row in rows] == [
        ("seminar setup", "ok"), ("seminar pause", "ok"),
        ("seminar resume", "ok"), ("seminar resume", "failed")]
