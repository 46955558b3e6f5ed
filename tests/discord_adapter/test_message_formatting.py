"""A response is stored as the person saw it in Discord, not as Discord's markup (Discord API
docs, Reference → Message Formatting): a mention of a person is their name in the server, a
role's and a channel's mention their names, a custom emoji its name, a command its name and a
timestamp its time in UTC; what Discord did not resolve for that message is kept as typed.
Before, `I agree with <@80351110224678912>` reached every export. Live messages, edits and the
history read back after an outage give the same text."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.adapters.discord.formatting import as_shown
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect, eventually
from tests.discord_adapter.seminar import first_session_posted, response_count_is, rows
from tests.discord_fake import WAIT, FakeDiscord
from tests.discord_fake.state import MANAGE_GUILD, MEMBER, VIEW_CHANNEL


def typed(fake: FakeDiscord, bob_name: str = "Bobby") -> tuple[str, str]:
    """A message with every kind of formatting, and how it reads in Discord's client (Bob's
    nickname in the server is `bob_name`)."""
    world = fake.world
    bob, tia = world.people["bob"].id, world.people["tia"].id
    return (f"As <@{bob}> and <@!{tia}> said in <#{world.seminar_channel}> to <@&"
            f"{world.tutors_role}> and <@&{world.guild_id}> at <t:1700000000:F> (<t:0:R>) "
            "<:soviet:1234567890> <a:flag:1234567891> </seminar respond:987654321> "
            "— not <@123456789012345678>, <#123456789012345678>, <@&123456789012345678> "
            "or <t:99999999999999>",
            f"As @{bob_name} and @tia said in #soviet-democracy to @Tutors and @everyone at "
            "2023-11-14 22:13:20 UTC (1970-01-01 00:00 UTC) :soviet: :flag: /seminar respond "
            "— not <@123456789012345678>, <#123456789012345678>, <@&123456789012345678> "
            "or <t:99999999999999>")


async def test_a_live_message_and_its_edit_are_stored_as_shown(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    items = await first_session_posted(fake, app, clock)
    thread, prompt = int(items[0].thread_id or 0), int(items[0].message_id or 0)
    # The posts are read back once recorded; a message that read-back meets is stored as
    # Discord's history shows it, its mentions without nicknames (below): live ones here.
    await asyncio.wait_for(bot.handlers.inbound.drained(), WAIT)
    fake.world.people["bob"].nicks[fake.world.guild_id] = "Bobby"
    text, shown = typed(fake)
    await fake.say("ann", thread, text)
    await fake.say("ann", fake.world.seminar_channel, f"Reply to <@{fake.world.people['bob'].id}>",
                   reply_to=prompt)
    await eventually(lambda: response_count_is(app, 2))
    assert [row[2] for row in await rows(app)] == [shown, "Reply to @Bobby"]

    first = fake.messages_in(thread)[-1]
    clock.advance(timedelta(minutes=1))
    await fake.edit(int(first["id"]), f"Edited, still <@{fake.world.people['tia'].id}>.")
    await eventually(lambda: _first_body_is(app, "Edited, still @tia."))


async def _first_body_is(app: Services, wanted: str) -> bool:
    """The first response written (by its snowflake: one read back once its post was recorded
    may be recorded before one written earlier) reads `wanted`."""
    return bool(await app.db.scalar("SELECT body FROM responses ORDER BY length(message_id),"
                                    " message_id LIMIT 1") == wanted)


async def test_history_read_back_gives_the_same_text_as_live(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    items = await first_session_posted(fake, app, clock)
    thread, prompt = int(items[0].thread_id or 0), int(items[0].message_id or 0)
    fake.world.people["bob"].nicks[fake.world.guild_id] = "Bobby"
    await fake.say("ann", thread, typed(fake)[0])  # live: Bob's name in the server
    await eventually(lambda: response_count_is(app, 1))
    # Read back through the REST API, a message's mentions carry no member, so no nickname:
    # the person's global name, as for an author read back (test_names_from_history.py).
    text, shown = typed(fake, "bob")
    await fake.gateway.drop(resumable=False, hold=True)
    await fake.say("ann", thread, text)
    await fake.say("ann", fake.world.seminar_channel, text, reply_to=prompt)
    fake.gateway.release()
    await eventually(lambda: response_count_is(app, 3))
    assert [row[2] for row in await rows(app)] == [typed(fake)[1], shown, shown]


async def test_another_servers_names_are_never_given(connect: Connect, fake: FakeDiscord,
                                                     app: Services, clock: ManualClock) -> None:
    """Discord resolves a mention only within the message's server: a role or channel of
    another server the bot is in stays as typed, and so does a person of another server."""
    other = fake.world.add_guild("History Circle", "kronstadt", {
        "cat": MEMBER | MANAGE_GUILD, "dan": MEMBER})
    await connect()
    items = await first_session_posted(fake, app, clock)
    thread = int(items[0].thread_id or 0)
    dan = fake.world.people["dan"].id
    text = (f"<@&{other.tutors_role}> <#{other.seminar_channel}> <#{other.system_channel}> "
            f"<@{dan}>")
    await fake.say("ann", thread, text)
    await eventually(lambda: response_count_is(app, 1))
    # Dan is a user Discord knows, so it lists him as mentioned, without a member here.
    assert [row[2] for row in await rows(app)] == [
        f"<@&{other.tutors_role}> <#{other.seminar_channel}> <#{other.system_channel}> @dan"]


@pytest.mark.parametrize(("content", "shown"), [
    ("no markup at all", "no markup at all"),
    ("<@>", "<@>"),
    ("<@12a>", "<@12a>"),
    ("< @1 >", "< @1 >"),
    ("<@1>", "@Ann"),
    ("<@!1><@1>", "@Ann@Ann"),
    ("<<@1>>", "<@Ann>"),
    ("</x:1> </ bad:1> </a b c:2>", "/x </ bad:1> /a b c"),
    ("<t:1700000000> <t:1700000000:Q> <t:-1:d>", "2023-11-14 22:13:20 UTC <t:1700000000:Q> "
                                                "1969-12-31 23:59:59 UTC"),
    ("<t:253402300800>", "<t:253402300800>"),  # the year 10000: past what datetime holds
    ("<:a:1> <a:b_c:2> <:d:>", ":a: :b_c: <:d:>"),
    # helper-121's 6: Discord shows markup in code, and after a backslash, as typed
    ("`<@1>` ``a <@1> b`` ```\n<@1>\n``` \\<@1> <@1>",
     "`<@1>` ``a <@1> b`` ```\n<@1>\n``` \\<@1> @Ann"),
    ("`unclosed <@1>", "`unclosed @Ann"),
    ("<@&1> <#1>", "<@&1> <#1>"),  # no server: no role or channel is known
])
def test_each_kind_of_formatting(content: str, shown: str) -> None:
    assert as_shown(content, {1: "Ann"}, None) == shown



async def test_seminar_respond_stores_its_text_as_shown(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """A slash command's text option holds the same markup; Discord resolves no person in it
    (an interaction resolves users only for options of the user type), so a person stays as
    typed there."""
    await first_session_posted(fake, app, clock)
    world = fake.world
    bob = world.people["bob"].id
    await fake.slash("ann", "seminar respond", prompt="1.1",
                     text=f"See <#{world.seminar_channel}> and <@&{world.tutors_role}> at "
                          f"<t:1700000000:F> <:soviet:1234567890>, <@{bob}>")
    assert [row[2] for row in await rows(app)] == [
        f"See #soviet-democracy and @Tutors at 2023-11-14 22:13:20 UTC :soviet:, <@{bob}>"]


async def test_an_edit_of_the_text_alone_names_whom_it_mentions(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-120's 9: a MESSAGE_UPDATE with only the text (an older client's edit) carries no
    `mentions`; the message is read again from Discord, which lists them."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    written = await fake.say("ann", thread, "First words.")
    await eventually(lambda: response_count_is(app, 1))
    clock.advance(timedelta(minutes=1))
    await fake.partial_update(int(written["id"]), content=f"Now <@{fake.world.people['bob'].id}>",
                              edited_timestamp=fake.world.messages[int(written["id"])]["timestamp"])
    await eventually(lambda: _first_body_is(app, "Now @bob"))


@pytest.mark.parametrize(("content", "shown"), [
    ("<@2>", "@@everyone"),  # a person so nicknamed is not the role
    ("<@１> <t:１>", "<@１> <t:１>"),  # Discord reads ASCII digits only, and shows these as typed
    ("<t:-62135596800>", "0001-01-01 00:00 UTC")])
def test_names_and_digits_are_taken_as_discord_takes_them(content: str, shown: str) -> None:
    assert as_shown(content, {1: "Ann", 2: "@everyone"}, None) == shown


async def test_a_private_channel_is_not_named(connect: Connect, fake: FakeDiscord,
                                              app: Services, clock: ManualClock) -> None:
    """helper-120's 12: a channel that not every member may see keeps its markup, so its name
    reaches no one through a response that typed its id."""
    world = fake.world
    private = world.new_id()
    world.channels[private] = {
        **world.channels[world.system_channel], "id": str(private), "name": "staff-only",
        "permission_overwrites": [{"id": str(world.guild_id), "type": 0, "allow": "0",
                                   "deny": str(VIEW_CHANNEL)}]}
    await connect()
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await fake.say("ann", thread, f"See <#{private}> and <#{world.system_channel}>")
    await eventually(lambda: response_count_is(app, 1))
    assert [row[2] for row in await rows(app)] == [f"See <#{private}> and #general"]


async def test_a_participant_s_words_and_name_are_shown_as_typed_in_replies(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-148's 1 and 5: `/seminar mine` and `/seminar stats participants` read commands
    in participants' words and names and renamed them (`/seminar setup` became `/seminar-mod
    setup`), and drew the mentions and channels kept as typed as chips."""
    items = await first_session_posted(fake, app, clock)
    thread = int(items[0].thread_id or 0)
    typed = "Run /seminar setup, /seminar pause; @everyone <@1> <#5>"
    await fake.say("bob", thread, typed)
    await eventually(lambda: response_count_is(app, 1))
    mine = await fake.slash("bob", "seminar mine")
    shown = " ".join(str(e.get("description")) for e in mine.message.get("embeds", []))
    assert "seminar-mod" not in shown and "Run \\/seminar setup, \\/seminar pause;" in shown
    assert "\\@everyone \\<\\@1> \\<#5>" in shown, shown
    fake.world.people["bob"].nicks[fake.world.guild_id] = "**Bo** /seminar pause"
    await fake.say("bob", thread, "second")
    await eventually(lambda: response_count_is(app, 2))
    clock.advance(timedelta(minutes=1))
    stats = await fake.slash("ann", "seminar stats", view="participants")
    shown = " ".join(str(e.get("description")) for m in [stats.message, *stats.followups]
                     for e in m.get("embeds", []))
    assert "\\*\\*Bo\\*\\* \\/seminar pause" in shown and "seminar-mod" not in shown, shown
    # helper-153's 1: the reminder naming them, in the prompt's thread for all to see
    await fake.slash("ann", "seminar-mod reminders", before="1d", names=True)
    clock.set(datetime(2026, 1, 12, 19, 0, tzinfo=UTC))
    await app.scheduler.run_due()
    (reminder,) = [m["content"] for m in fake.messages_in(thread)
                   if m["content"].startswith("Reminder:")]
    assert "Responded: \\*\\*Bo\\*\\* \\/seminar pause." in reminder, reminder


def _said(log: object) -> str:
    messages = [log.message, *log.followups]  # type: ignore[attr-defined]
    return " ".join(f"{e.get('title')} {e.get('description')}" for m in messages
                    for e in m.get("embeds", []))


async def test_what_a_person_typed_is_echoed_as_typed(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-153's 1: the private echoes of what a person typed (`/term`'s query, search's,
    an export's participant, an argument quoted in an error) were drawn as markup and their
    `/seminar setup` renamed to `/seminar-mod setup`. Each is now marked where the core
    quotes it (domain/typed.py) and shown literally; the bot's own words around it are
    renamed as before."""
    await first_session_posted(fake, app, clock)
    words = "**soviet** /seminar setup @everyone <#5>"
    shown = "\\*\\*soviet\\*\\* \\/seminar setup \\@everyone \\<#5>"
    # (`/term` looks a term up without the mentions typed with it: helper-191's 7)
    term = _said(await fake.slash("bob", "term", query=words))
    assert "\\*\\*soviet\\*\\* \\/seminar setup”" in term and "seminar-mod" not in term, term
    for log in (await fake.slash("bob", "seminar search", words=words),
                await fake.slash("ann", "seminar-mod export", format="csv", participant=words),
                await fake.slash("bob", "seminar reading", session=words)):
        said = _said(log)
        assert shown in said and "seminar-mod setup" not in said, said
        assert "\ufdd0" not in said and "\ufdd1" not in said
    # helper-154's 1: the markup inside a link was left as it was (escape_markdown's
    # ignore_links), while its escaped slashes made it no link: drawn in bold, as a spoiler
    said = _said(await fake.slash("bob", "term", query="https://e.com/**b**||s||"))
    assert "https:\\/\\/e.com\\/\\*\\*b\\*\\*\\|\\|s\\|\\|" in said, said


async def test_a_forward_an_embed_alone_and_a_sticker_alone_are_not_responses(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """As the README says (helper-185's 5 and 6): none holds words of its sender's own. A
    forward (message_reference type 1) carries another message's in `message_snapshots`,
    its own content empty (Discord's API docs, Message Snapshot object)."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    member = {"roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "deaf": False,
              "mute": False, "flags": 0}
    source = await fake.say("ann", fake.world.seminar_channel, "Words of another message.")
    kinds = (
        {"message_reference": {"type": 1, "message_id": source["id"],
                               "channel_id": source["channel_id"],
                               "guild_id": source["guild_id"]},
         "message_snapshots": [{"message": {k: source[k] for k in (
             "type", "content", "embeds", "attachments", "timestamp", "edited_timestamp",
             "flags", "mentions", "mention_roles")}}]},
        {"embeds": [{"type": "rich", "title": "A title", "description": "An embed's words."}]},
        {"sticker_items": [{"id": "749054660769218631", "name": "Wave", "format_type": 1}]})
    for extra in kinds:
        message = fake.world.message(thread, fake.person("bob"), "")
        message.update(extra)
        await fake.gateway.dispatch("MESSAGE_CREATE", {**message, "member": member})
    await fake.say("tia", thread, "Words of her own.")
    await eventually(lambda: response_count_is(app, 1))
    await asyncio.wait_for(bot.handlers.inbound.drained(), WAIT)
    assert [row[2] for row in await rows(app)] == ["Words of her own."]
