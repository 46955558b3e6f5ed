"""What one server calls someone stays in that server (issue 18's second try-out, finding A),
opted-out people are neither counted nor named (B), the opt-out says where it applies (F), and
autocomplete labels are isolated like every reply (H): two servers on the fake Discord, the
real client, a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from seminarbot.clock import ManualClock
from seminarbot.domain.display import FSI, PDI, isolate
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect, eventually
from tests.discord_adapter.seminar import response_count_is
from tests.discord_adapter.test_slash_commands import embed, everything
from tests.discord_adapter.test_two_servers import two_seminars
from tests.discord_fake import FakeDiscord
from tests.discord_fake.state import Guild

Json = dict[str, Any]
NICK = "Bob-SecretCircleNick"
REMINDER_DUE = datetime(2026, 1, 12, 19, 0, tzinfo=UTC)  # a day before session 1 closes
SESSION_CLOSES = datetime(2026, 1, 13, 19, 0, tzinfo=UTC)


async def prompt_thread(app: Services, cohort_id: int, ref: str = "1.1") -> int:
    prompt = app.syllabus.plan.prompt(ref)
    item = next(i for i in await app.outbox.for_cohort(cohort_id)
                if i.kind == "prompt" and i.item == prompt.id)
    assert item.thread_id is not None
    return int(item.thread_id)


def bot_lines(fake: FakeDiscord, channel_id: int) -> list[str]:
    return [m["content"] for m in fake.messages_in(channel_id)
            if m["author"]["id"] == fake.world.bot["id"] and m["content"]]


async def bob_in_the_circle_too(connect: Connect, fake: FakeDiscord, app: Services) -> Guild:
    """The two seminars; then bob joins History Circle, where his nickname is NICK, and answers
    there (a command and a message in the prompt's thread)."""
    circle = await two_seminars(connect, fake, app)
    fake.world.join("bob", circle.id, nick=NICK)
    answer = await fake.slash("bob", "seminar respond", in_channel=circle.seminar_channel,
                              prompt="1.1", text="Soviets second.")
    assert "Recorded your response" in everything(answer)
    await fake.say("bob", await prompt_thread(app, 2, "1.2"), "And the party third.")
    await eventually(lambda: response_count_is(app, 5))  # the thread's message recorded too
    return circle


async def test_a_name_from_another_server_never_shows_in_this_one(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    await bob_in_the_circle_too(connect, fake, app)
    bob = fake.person("bob")["id"]
    # Reading Group's moderator: autocomplete, look-ups, statistics and the export know him as
    # bob, and never by his History Circle name.
    choices = await fake.complete("ann", "seminar-mod export", "participant", format="csv",
                                  participant="")
    assert [(c["value"], c["name"]) for c in choices] == [(bob, "bob")]
    assert await fake.complete("ann", "seminar-mod export", "participant", format="csv",
                               participant="Bob-S") == []
    for wanted in (NICK, NICK.lower()):
        found = await fake.slash("ann", "seminar-mod export", format="csv", participant=wanted)
        assert embed(found)["title"] == "Not found" and not found.files
    stats = everything(await fake.slash("ann", "seminar stats", view="participants"))
    assert "bob" in stats and "Secret" not in stats
    [(_, data, _)] = (await fake.slash("ann", "seminar-mod export", format="csv")).files
    csv = data.decode("utf-8-sig")
    assert '"bob"' in csv and "Secret" not in csv and "Soviets second." not in csv
    # Reminders naming who responded, in each server's thread: bob as he is called there.
    for moderator in ("ann", "cat"):
        await fake.slash(moderator, "seminar-mod reminders", before="1d", names=True)
    clock.set(REMINDER_DUE)
    await app.scheduler.run_due()
    [reminder] = bot_lines(fake, await prompt_thread(app, 1))
    assert "Responded: bob." in reminder and "Secret" not in reminder
    [circle_reminder] = bot_lines(fake, await prompt_thread(app, 2))
    assert circle_reminder.endswith(f"(2 responses). Responded: {NICK}, dora.")
    # In History Circle he is known by his name there, and only by it.
    circle_choices = await fake.complete("cat", "seminar-mod export", "participant",
                                         format="csv", participant="")
    assert (bob, NICK) in [(c["value"], c["name"]) for c in circle_choices]
    nobody = await fake.slash("cat", "seminar-mod export", format="csv", participant="bob")
    assert embed(nobody)["title"] == "Not found"
    own = await fake.slash("cat", "seminar-mod export", format="csv", participant=NICK)
    [(_, circle_csv, _)] = own.files
    assert f'"{NICK}"' in circle_csv.decode("utf-8-sig")


async def test_opted_out_people_are_neither_counted_nor_named_in_reminders_and_digests(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    fake.world.add_person("carol")
    await two_seminars(connect, fake, app)  # bob has answered 1.1 in Reading Group
    opted = await fake.slash("bob", "seminar optout")
    assert "Opted out" in everything(opted)
    assert "Recorded" in everything(await fake.slash("carol", "seminar respond", prompt="1.1",
                                                     text="The chair rotates."))
    await fake.slash("ann", "seminar-mod reminders", before="1d", names=True)
    clock.set(REMINDER_DUE)
    await app.scheduler.run_due()
    [reminder] = bot_lines(fake, await prompt_thread(app, 1))
    assert "1 participant has responded so far (1 response). Responded: carol." in reminder
    assert "bob" not in reminder
    clock.set(SESSION_CLOSES)
    await app.scheduler.run_due()
    [digest] = [line for line in bot_lines(fake, fake.world.seminar_channel) if "Digest" in line]
    assert "1 participant responded" in digest and "1 response from 1 participant" in digest
    # The operator's overview counts what an export would hold.
    overview = {row.id: row.responses for row in await app.cohorts.overview()}
    assert overview[1] == 1


async def test_the_opt_out_says_where_it_applies_and_who_can_see_it(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    circle = await bob_in_the_circle_too(connect, fake, app)
    opted = everything(await fake.slash("bob", "seminar optout",
                                        in_channel=circle.seminar_channel))
    assert "in every seminar of this bot on Discord, in every server" in opted
    assert "this seminar's threads" not in opted
    assert "moderators of the seminars you answered in can see that you opted out" in opted
    # As documented (docs/THREAT-MODEL.md): Reading Group's moderator, whose seminar he
    # answered in, sees that he opted out, by the name he has there; nothing more.
    told = everything(await fake.slash("ann", "seminar-mod export", format="csv",
                                       participant="bob"))
    assert "bob has opted out" in told and "Secret" not in told and "Circle" not in told
    back = everything(await fake.slash("bob", "seminar optin"))
    assert "in every seminar of this bot on Discord, in every server" in back


async def test_autocomplete_labels_are_isolated_like_every_reply(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    fake.world.add_person("eve")
    fake.world.people["eve"].nicks[fake.world.guild_id] = "\u202eevil" + "x" * 120
    await two_seminars(connect, fake, app)
    assert "Recorded" in everything(await fake.slash("eve", "seminar respond", prompt="1.1",
                                                     text="Mine."))
    # (what shows nothing is not compared: the control typed alone would be a blank prefix)
    choices = await fake.complete("ann", "seminar-mod export", "participant", format="csv",
                                  participant="\u202eev")
    [label] = [c["name"] for c in choices]
    assert label.startswith(FSI + "\u202eevil") and label.endswith(PDI)
    assert len(label) <= 100 and label == isolate(label)
