"""Two servers, one bot: each seminar sees only its own people. Autocomplete runs the
command's permission check first; participant look-ups answer "no participant here" for anyone
outside the seminar, whatever they chose about their own privacy."""

from __future__ import annotations

from typing import Any

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.adapters.discord.sync import sync_commands
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect
from tests.discord_adapter.test_slash_commands import embed, everything
from tests.discord_fake import FakeDiscord
from tests.discord_fake.state import MANAGE_GUILD, MEMBER, Guild

Json = dict[str, Any]


async def two_seminars(connect: Connect, fake: FakeDiscord, app: Services) -> Guild:
    """Reading Group (ann moderates; bob answers) and History Circle (cat moderates; dan and
    dora answer, then dan opts out), each with its first session posted."""
    other = fake.world.add_guild("History Circle", "kronstadt", {
        "cat": MEMBER | MANAGE_GUILD, "dan": MEMBER, "dora": MEMBER})
    bot: SeminarClient = await connect()
    await sync_commands(app.settings, str(other.id), app.registry)
    assert bot.is_ready()
    for moderator in ("ann", "cat"):
        setup = await fake.slash(moderator, "seminar-mod setup", weekday="tue", time="19:00",
                                 timezone="UTC")
        assert embed(setup)["title"] == "Seminar set up"
        assert "Posted session 1" in everything(await fake.slash(moderator, "seminar-mod post"))
    for person, words in (("bob", "Councils first."), ("dan", "Parties first."),
                          ("dora", "Neither.")):
        answer = await fake.slash(person, "seminar respond", prompt="1.1", text=words)
        assert "Recorded your response" in everything(answer)
    assert "Opted out" in everything(await fake.slash("dan", "seminar optout"))
    return other


def values(choices: list[Json]) -> list[str]:
    return [c["value"] for c in choices]


async def test_participant_autocomplete_lists_only_this_seminars_people_and_only_to_moderators(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    await two_seminars(connect, fake, app)
    bob, dora = fake.person("bob")["id"], fake.person("dora")["id"]
    assert values(await fake.complete("ann", "seminar-mod export", "participant",
                                      format="csv", participant="")) == [bob]
    # tia moderates Reading Group through the Tutors role.
    assert values(await fake.complete("tia", "seminar-mod export", "participant",
                                      format="csv", participant="d")) == []
    # History Circle's moderator sees dora; dan opted out and cannot be exported, bob is not
    # one of theirs.
    circle = await fake.complete("cat", "seminar-mod export", "participant", format="csv",
                                 participant="")
    assert [(c["value"], c["name"]) for c in circle] == [(dora, "dora")]
    # A member without Manage Server gets nothing from a moderator command's autocomplete.
    assert await fake.complete("bob", "seminar-mod export", "participant", format="csv",
                               participant="") == []
    assert await fake.complete("dan", "seminar-mod export", "session", format="csv",
                               session="") == []
    assert await fake.complete("bob", "seminar-mod setup", "timezone",
                               timezone="europe/lon") == []
    # Participants' own commands still complete for them.
    assert values(await fake.complete("bob", "seminar reading", "session", session="1")) == ["1"]


async def test_participant_look_ups_answer_no_participant_here_for_other_servers_people(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    await two_seminars(connect, fake, app)
    dan, bob = fake.person("dan")["id"], fake.person("bob")["id"]
    for wanted in (dan, f"<@{dan}>", "dan", "dora"):
        answer = await fake.slash("ann", "seminar-mod export", format="csv", participant=wanted)
        text = everything(answer)
        assert answer.ephemeral and embed(answer)["title"] == "Not found", text
        assert "No participant here is called" in text and "opted out" not in text
        assert not answer.files
    refused = await fake.slash("cat", "seminar-mod export", format="csv", participant=bob)
    assert "No participant here is called" in everything(refused)
    # In their own seminar the moderator is told, as before.
    own = await fake.slash("cat", "seminar-mod export", format="csv", participant=dan)
    assert "dan has opted out" in everything(own)
    mine = await fake.slash("ann", "seminar-mod export", format="csv", participant=bob)
    [(name, data, _)] = mine.files
    assert name.endswith(".csv")
    csv = data.decode("utf-8-sig")
    assert "Councils first." in csv and "Parties first." not in csv and "Neither." not in csv


async def test_a_channel_of_another_server_is_not_named_to_a_moderator_here(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    """helper-147's 3: setup with another server's channel id answered with that channel's
    name ("got 'hidden-plans'"), to a moderator who is no member there."""
    other = fake.world.add_guild("Secret Circle", "hidden-plans", {"cat": MEMBER | MANAGE_GUILD})
    await connect()
    for channel in (other.seminar_channel, other.system_channel):
        said = everything(await fake.slash("ann", "seminar-mod setup", weekday="tue",
                                           time="19:00", timezone="UTC", channel=str(channel)))
        assert f"This server has no channel {channel}" in said, said
        assert "hidden-plans" not in said and "general" not in said, said
    assert await app.db.scalar("SELECT count(*) FROM cohorts") == 0
