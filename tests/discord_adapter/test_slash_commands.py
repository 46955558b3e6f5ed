"""Slash commands: the synced payload, every command through INTERACTION_CREATE, autocomplete,
moderators and participants, ephemeral replies and deferred ones."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.core.commands import Command, Param
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import Flag
from seminarbot.core.replies import Reply
from seminarbot.domain.errors import Conflict
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect, eventually
from tests.discord_fake import FakeDiscord
from tests.discord_fake.rest import EPHEMERAL, InteractionLog

Json = dict[str, Any]


def embed(log: InteractionLog) -> Json:
    embeds: list[Json] = log.message["embeds"]
    assert len(embeds) == 1
    return embeds[0]


def everything(log: InteractionLog) -> str:
    """All the text of an answer's first embed."""
    e = embed(log)
    parts = [e.get("title", ""), e.get("description", ""), e.get("footer", {}).get("text", "")]
    parts += [f"{f['name']} {f['value']}" for f in e.get("fields", [])]
    return "\n".join(parts)


def options(command: Json) -> dict[str, Json]:
    return {o["name"]: o for o in command.get("options", [])}


async def test_the_sync_payload_groups_types_and_guards_the_commands(
        bot: SeminarClient, fake: FakeDiscord) -> None:
    synced = {c["name"]: c for c in fake.rest.commands[str(fake.world.guild_id)]}
    assert sorted(synced) == ["help", "seminar", "seminar-mod", "term"]
    seminar, moderators = options(synced["seminar"]), options(synced["seminar-mod"])
    assert sorted(seminar) == ["forget-me", "mine", "optin", "optout", "prompt", "reading",
                               "respond", "roles", "schedule", "search", "stats", "timeline"]
    assert sorted(moderators) == ["events", "export", "min-open", "move", "pause", "post",
                                  "reminders",
                                  "reschedule", "resume", "retention", "setup", "skip"]
    assert all(o["type"] == 1 for o in [*seminar.values(), *moderators.values()])
    # Moderator commands default to Manage Server; everyone sees the rest.
    assert synced["seminar-mod"]["default_member_permissions"] == "32"
    assert all("default_member_permissions" not in synced[n] for n in ("seminar", "term", "help"))
    assert all(c["contexts"] == [0] and c["type"] == 1 for c in synced.values())

    setup = [(o["name"], o["type"], o["required"]) for o in moderators["setup"]["options"]]
    assert setup == [("weekday", 3, True), ("time", 3, True), ("timezone", 3, True),
                     ("start_date", 3, False), ("channel", 7, False)]
    # A forum cannot take a slash command: setup names the text or forum channel instead.
    assert options(moderators["setup"])["channel"]["channel_types"] == [0, 15]
    weekday = options(moderators["setup"])["weekday"]  # one day or several: tue,thu
    assert weekday["autocomplete"] is True and "choices" not in weekday
    assert options(moderators["setup"])["timezone"]["autocomplete"] is True
    query = options(synced["term"])["query"]
    assert (query["type"], query["autocomplete"], query["max_length"]) == (3, True, 100)
    respond = options(seminar["respond"])
    assert respond["prompt"]["autocomplete"] is True
    assert respond["text"]["max_length"] == 6000  # Discord's longest string option
    assert options(seminar["reading"])["session"]["required"] is False


async def _sync(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "seminarbot", "discord", "sync", *args, env={**clean, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_command_line_syncs_globally_on_demand(fake: FakeDiscord, tmp_path: Any) -> None:
    code, _, err = await _sync("--global", env={"SEMINARBOT_DATA_DIR": str(tmp_path)})
    assert (code, err.strip()) == (2, "seminarbot: set DISCORD_TOKEN (or discord.token) to "
                                      "sync commands")
    code, out, err = await _sync("--global", env={
        "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url, "SEMINARBOT_DATA_DIR": str(tmp_path)})
    assert code == 0, err
    assert out.startswith("synced 4 commands globally: /help, /seminar, /seminar-mod, /term")
    assert sorted(c["name"] for c in fake.rest.commands["global"]) == [
        "help", "seminar", "seminar-mod", "term"]
    # Syncing is the only thing it did: no gateway connection, no other route (GET /gateway:
    # asked first, with no token, whether the base is Discord's, as `run` asks).
    assert fake.gateway.identifies == 0
    assert {(c.method, c.path.split("/")[1]) for c in fake.calls} == {
        ("GET", "gateway"), ("GET", "users"), ("GET", "oauth2"), ("PUT", "applications")}
    # A token Discord refuses is a configuration error, said as `run` says it (helper-144)
    code, _, err = await _sync("--global", env={
        "DISCORD_TOKEN": "not.the.token", "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url, "SEMINARBOT_DATA_DIR": str(tmp_path)})
    assert (code, err.strip()) == (2, "seminarbot: Discord refused the token (DISCORD_TOKEN): "
                                      "check it in the Developer Portal (Bot → Reset Token)")


async def test_a_moderator_runs_the_seminar_through_slash_commands(
        bot: SeminarClient, fake: FakeDiscord, app: Services) -> None:
    world = fake.world
    setup = await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="19:00",
                             timezone="Europe/London")
    assert setup.callback is not None and setup.callback["type"] == 4
    assert embed(setup)["title"] == "Seminar set up" and not setup.ephemeral
    assert "/seminar schedule lists every date" in everything(setup)
    row = await app.db.fetchone(
        "SELECT m.platform, m.external_id, m.name, c.channel_id, c.name FROM cohorts c"
        " JOIN communities m ON m.id = c.community_id")
    assert row is not None and tuple(row) == ("discord", str(world.guild_id), "Reading Group",
                                              str(world.seminar_channel), "soviet-democracy")

    post = await fake.slash("ann", "seminar-mod post")
    assert "Posted session 1" in everything(post)
    assert len(fake.threads()) == 3

    paused = await fake.slash("ann", "seminar-mod pause")
    assert "/seminar resume" not in everything(paused)
    assert "/seminar-mod resume" in everything(paused)  # named as Discord shows it
    resumed = await fake.slash("ann", "seminar-mod resume")
    assert everything(resumed).startswith("\nResumed.")
    audit = await app.db.fetchall("SELECT action, outcome, actor_id FROM audit_log ORDER BY id")
    ann = fake.person("ann")["id"]
    assert [tuple(r) for r in audit] == [(a, "ok", ann) for a in (
        "seminar setup", "seminar post", "seminar pause", "seminar resume")]


async def test_participants_read_search_respond_and_list_their_answers(
        bot: SeminarClient, fake: FakeDiscord, app: Services) -> None:
    await fake.slash("ann", "seminar-mod setup", weekday="tue", time="19:00", timezone="UTC")
    await fake.slash("ann", "seminar-mod post")

    schedule = await fake.slash("bob", "seminar schedule")
    assert embed(schedule)["description"].splitlines()[-2:] == [
        "**1** — Beginnings · date: Mon 05 Jan 2026 09:00 UTC · state: posted",
        "**2** — Later years · date: Tue 13 Jan 2026 19:00 UTC · state: scheduled"]
    # Session 1 was posted ahead of its meeting, which stays empty: session 2 keeps its date.
    assert ("No meeting on Tue 06 Jan 2026 (left empty when session 1 was posted early)."
            in everything(schedule))
    reading = await fake.slash("bob", "seminar reading", session="2")
    assert embed(reading)["title"] == "Session 2: Later years"
    prompts = await fake.slash("bob", "seminar prompt")
    assert embed(prompts)["fields"][0]["name"] == "1.1 · comprehension"
    search = await fake.slash("bob", "seminar search", words="council")
    assert embed(search)["title"].startswith("Search")

    answer = await fake.slash("bob", "seminar respond", prompt="1.2",
                              text="Yes, @everyone could speak <@&1> there.")
    assert answer.ephemeral and "Recorded your response to 1.2" in everything(answer)
    row = await app.db.fetchone("SELECT message_id, prompt_id, body FROM responses")
    assert row is not None and tuple(row) == (str(answer.id), "beginnings-interpretation",
                                              "Yes, @everyone could speak <@&1> there.")
    mine = await fake.slash("bob", "seminar mine")
    assert mine.ephemeral and "@everyone could speak" in embed(mine)["description"]
    assert mine.message["allowed_mentions"] == {"parse": []}

    term = await fake.slash("bob", "term", query="Glasnost")
    assert embed(term)["title"] == "glasnost'" and not term.ephemeral
    help_for_bob = await fake.slash("bob", "help")
    assert help_for_bob.ephemeral and "/seminar-mod" not in everything(help_for_bob)
    help_for_ann = await fake.slash("ann", "help")
    assert "/seminar-mod setup WEEKDAY" in everything(help_for_ann)
    assert "/seminar setup" not in everything(help_for_ann)
    one = await fake.slash("ann", "help", command="seminar-mod setup")
    assert embed(one)["title"] == "/seminar-mod setup WEEKDAY HH:MM TIMEZONE [START-DATE]"

    # Inside a prompt's thread, commands belong to the thread's seminar channel.
    thread = int(fake.threads()[0]["id"])
    in_thread = await fake.slash("bob", "seminar mine", in_channel=thread)
    assert embed(in_thread)["title"] == "Your responses (1)"


async def test_a_participant_is_refused_and_the_refusal_audited(
        bot: SeminarClient, fake: FakeDiscord, app: Services) -> None:
    refused = await fake.slash("bob", "seminar-mod setup", weekday="tuesday", time="19:00",
                               timezone="UTC")
    assert refused.ephemeral
    assert embed(refused)["title"] == "Not allowed"
    assert "Only moderators may use /seminar-mod setup" in everything(refused)
    assert await app.db.scalar("SELECT COUNT(*) FROM cohorts") == 0
    audit = await app.db.fetchone("SELECT action, outcome, actor_id FROM audit_log")
    assert audit is not None and tuple(audit) == ("seminar setup", "refused",
                                                  fake.person("bob")["id"])


async def test_the_configured_moderator_role_counts_as_moderator(
        bot: SeminarClient, fake: FakeDiscord, app: Services) -> None:
    # tia has the Tutors role (discord.moderator_role) but not Manage Server.
    done = await fake.slash("tia", "seminar-mod setup", weekday="friday", time="09:30",
                            timezone="Europe/Berlin")
    assert embed(done)["title"] == "Seminar set up"
    assert await app.db.scalar("SELECT timezone FROM cohorts") == "Europe/Berlin"


async def test_a_bad_argument_is_named_privately(bot: SeminarClient, fake: FakeDiscord,
                                                 app: Services) -> None:
    bad = await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="25:00",
                           timezone="UTC")
    assert bad.ephemeral and embed(bad)["title"] == "Bad argument"
    assert "`time` expects a 24-hour time" in everything(bad)
    assert await app.db.scalar("SELECT COUNT(*) FROM cohorts") == 0


async def test_terms_prompts_and_time_zones_autocomplete(bot: SeminarClient,
                                                         fake: FakeDiscord) -> None:
    terms = await fake.complete("bob", "term", "query", query="glas")
    assert [c["value"] for c in terms] == ["glasnost'"]
    prompts = await fake.complete("bob", "seminar respond", "prompt", prompt="2.")
    assert [c["value"] for c in prompts] == ["2.1", "2.2", "2.3"]
    assert all(len(c["name"]) <= 100 for c in prompts)
    zones = await fake.complete("ann", "seminar-mod setup", "timezone", timezone="europe/lon")
    assert [c["value"] for c in zones] == ["Europe/London"]
    sessions = await fake.complete("bob", "seminar reading", "session", session="lat")
    assert [c["value"] for c in sessions] == ["2"]


def slow_commands(tickets: asyncio.Queue[None]) -> list[Command]:
    """Test-only commands that answer when the test hands them a ticket."""

    async def slow(inv: Invocation) -> Reply:
        await tickets.get()
        if inv.arg("fail"):
            raise Conflict("Not now.")
        return Reply(title="Slow answer", paragraphs=("Took its time.",))

    fail = Param("fail", Flag(), "answer with an error", required=False)
    return [Command(("seminar", "slow"), "A slow command", slow, params=(fail,)),
            Command(("seminar", "slow-mine"), "A slow private command", slow, private=True)]


async def test_slow_answers_are_deferred_and_keep_their_privacy(
        connect: Connect, fake: FakeDiscord) -> None:
    tickets: asyncio.Queue[None] = asyncio.Queue()
    bot = await connect(slow_commands(tickets))
    bot.handlers.interactions.defer_after = 0.01

    public = await fake.slash("bob", "seminar slow", fail=False)
    assert public.callback == {"type": 5}  # "thinking…", in public
    tickets.put_nowait(None)
    await eventually(lambda: bool(public.edits))
    assert embed(public)["title"] == "Slow answer"
    assert public.edits[0]["allowed_mentions"] == {"parse": []}

    private = await fake.slash("bob", "seminar slow-mine")
    assert private.callback == {"type": 5, "data": {"flags": EPHEMERAL}}
    tickets.put_nowait(None)
    await eventually(lambda: bool(private.edits))
    assert embed(private)["title"] == "Slow answer"

    # Deferred in public, but the answer is an error for the caller only.
    failed = await fake.slash("bob", "seminar slow", fail=True)
    tickets.put_nowait(None)
    await eventually(lambda: bool(failed.followups))
    assert failed.deleted and not failed.edits
    assert failed.followups[0]["flags"] == EPHEMERAL
    assert failed.followups[0]["embeds"][0]["description"] == "Not now."
