"""Property: whatever is typed after /seminar respond in the console is recorded as typed minus
only the documented normalisation, every export gives it back (tests/words.py), and nothing
the console prints holds a raw control character."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings

from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver
from tests.words import TYPED, check_exports, normalised, visible

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ready: set[int] = set()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TYPED.map(lambda text: text.replace("\n", " ")))  # the console reads lines
async def test_a_response_typed_in_the_console_is_kept_as_typed(
        console: ConsoleDriver, app: Services, typed: str) -> None:
    if id(app) not in _ready:
        await console.say("/seminar setup tue 19:00 UTC")
        await console.say("/seminar post")
        _ready.add(id(app))
    before = await app.db.scalar("SELECT COALESCE(MAX(id), 0) FROM responses")
    # Each example typed by someone new: the same words twice are one response (README).
    await console.say(f"/as person{before}")
    printed = await console.say(f"/seminar respond 1.1 {typed}")
    printed += await console.say("/seminar mine")
    assert not RAW_CONTROL.search(printed), printed
    text = normalised(typed.strip())
    row = await app.db.fetchone("SELECT message_id FROM responses WHERE id > ?", (before,))
    if not typed.strip() or not visible(text):
        assert row is None, printed
        # Nothing typed but the space bar's spaces is missing text; anything else typed (a
        # no-break space, a control character) is text with nothing visible in it.
        said = "`text` is missing" if not typed.strip(" \t\r\n") else r"visible\s+text"
        assert re.search(said, printed), printed
        return
    assert row is not None, printed
    await check_exports(app, "console", row[0], text)
