"""Property: whatever someone types on Discord, in a prompt's thread or with /seminar respond,
is recorded as typed minus only the documented normalisation, and every export gives it back
(tests/words.py). The real discord.py client against the fake Discord."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.core.limits import PARTICIPANTS
from seminarbot.domain.textfold import as_read
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.seminar import first_session_posted
from tests.discord_fake import FakeDiscord
from tests.words import TYPED, check_exports, normalised, visible

_seminars: dict[int, int] = {}  # id(app) → the first prompt's thread, set up once per test


# Long enough for the per-person limit to let the next command through (core.limits).
EXAMPLE_GAP = 60 / PARTICIPANTS.per_minute


async def thread_of(fake: FakeDiscord, app: Services, clock: ManualClock) -> int:
    if id(app) not in _seminars:
        items = await first_session_posted(fake, app, clock)
        _seminars[id(app)] = int(items[0].thread_id or 0)
    return _seminars[id(app)]


async def recorded(app: Services, message_id: str) -> bool:
    return await app.responses.get("discord", message_id) is not None


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TYPED)
async def test_a_thread_message_is_kept_as_typed_in_every_export(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        typed: str) -> None:
    thread = await thread_of(fake, app, clock)
    message = await fake.say("bob", thread, typed)
    if not visible(normalised(typed)):
        barrier = await fake.say("bob", thread, "Barrier.")
        await eventually(lambda: recorded(app, barrier["id"]))
        assert not await recorded(app, message["id"])
        return
    await eventually(lambda: recorded(app, message["id"]))
    await check_exports(app, "discord", message["id"], normalised(typed))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TYPED)
async def test_a_slash_respond_is_kept_as_typed_in_every_export(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        typed: str) -> None:
    await thread_of(fake, app, clock)
    clock.advance(timedelta(seconds=EXAMPLE_GAP))  # one command an example, within the limits
    answer = await fake.slash("bob", "seminar respond", prompt="1.2", text=typed)
    interaction = str(answer.id)
    stored = normalised(typed.strip())
    if not typed.strip() or not visible(stored):
        assert "text" in str(answer.message) and not await recorded(app, interaction)
        return
    said = _said.setdefault(id(app), set())
    if as_read(stored) in said:  # an earlier example's words: the same response (README)
        assert "already recorded" in str(answer.message), answer.message
        return
    said.add(as_read(stored))
    assert "Recorded your response to 1.2" in str(answer.message), answer.message
    await check_exports(app, "discord", interaction, stored)


_said: dict[int, set[str]] = {}  # the words bob sent with /seminar respond, by app
