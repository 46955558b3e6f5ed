"""Property: whatever someone types on Matrix (as Element sends it in a prompt's thread, as an
older client sends a rich reply with its fallback, or as !seminar respond) is recorded as typed
minus only the documented normalisation, and every export gives it back (tests/words.py).
Real Synapse, real nio clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from seminarbot.core.limits import PARTICIPANTS
from seminarbot.core.parsing import is_command
from seminarbot.domain.textfold import as_read
from seminarbot.services.container import Services
from tests.matrix import element
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person
from tests.matrix.test_restart import posted_seminar
from tests.matrix.test_words import barrier, stored
from tests.words import TYPED, check_exports, normalised, visible

PROPERTY = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@dataclass
class Seminar:
    mod: Person
    ann: Person
    room: str
    thread: str
    prompt_body: str


_seminars: dict[int, Seminar] = {}  # id(bot) → the room, set up once per test


async def seminar_of(bot: BotHarness, people: People) -> Seminar:
    if id(bot) not in _seminars:
        mod, ann, room, thread = await posted_seminar(bot, people)
        prompt = await ann.wait_for(room, lambda e: e["event_id"] == thread, "the prompt")
        _seminars[id(bot)] = Seminar(mod, ann, room, thread, prompt["content"]["body"])
    return _seminars[id(bot)]


def names_a_command(bot: BotHarness, typed: str) -> bool:
    app = bot.services
    return typed.startswith("!") and is_command(app.registry, typed[1:].strip(), "!",
                                                app.clock.now().date())


async def not_recorded(app: Services, seminar: Seminar, event_id: str) -> None:
    await barrier(seminar.ann, seminar.room, seminar.thread, app)
    assert await app.responses.get("matrix", event_id) is None


@PROPERTY
@given(typed=TYPED | TYPED.map(lambda text: "> <@ann:hs> " + text), markdown=st.booleans())
async def test_a_thread_message_from_element_is_kept_as_typed(
        bot: BotHarness, people: People, typed: str, markdown: bool) -> None:
    assume(not names_a_command(bot, typed))
    seminar = await seminar_of(bot, people)
    app = bot.services
    event = await seminar.ann.send(seminar.room, element.in_thread(
        typed, seminar.thread, seminar.thread, markdown=markdown))
    if not visible(normalised(typed)):
        await not_recorded(app, seminar, event)
        return
    assert await stored(app, event) == normalised(typed)
    await check_exports(app, "matrix", event, normalised(typed))


@PROPERTY
@given(typed=TYPED)
async def test_a_rich_reply_with_a_fallback_keeps_only_what_was_typed(
        bot: BotHarness, people: People, typed: str) -> None:
    seminar = await seminar_of(bot, people)
    app = bot.services
    event = await seminar.mod.send(seminar.room, element.old_rich_reply(
        typed, seminar.room, seminar.thread, bot.user_id, seminar.prompt_body))
    if not visible(normalised(typed)):
        await not_recorded(app, seminar, event)
        return
    assert await stored(app, event) == normalised(typed)
    await check_exports(app, "matrix", event, normalised(typed))


@PROPERTY
@given(typed=TYPED)
async def test_seminar_respond_keeps_the_text_as_typed(
        bot: BotHarness, people: People, typed: str) -> None:
    seminar = await seminar_of(bot, people)
    app = bot.services
    # One command an example: long enough apart for the per-person limit (core.limits).
    bot.clock.advance(timedelta(seconds=60 / PARTICIPANTS.per_minute))
    event = await seminar.ann.say(seminar.room, f"!seminar respond 1.3 {typed}")
    answer = await seminar.ann.answer_to(seminar.room, event, bot.user_id)
    text = normalised(typed.strip())
    if not typed.strip() or not visible(text):
        assert "`text`" in answer["content"]["body"]
        assert await app.responses.get("matrix", event) is None
        return
    said = _said.setdefault(id(app), set())
    if as_read(text) in said:  # an earlier example's words: the same response (README)
        assert "already recorded" in answer["content"]["body"]
        return
    said.add(as_read(text))
    assert "Recorded your response to 1.3" in answer["content"]["body"]
    await check_exports(app, "matrix", event, text)


_said: dict[int, set[str]] = {}  # the words ann sent with !seminar respond, by app
