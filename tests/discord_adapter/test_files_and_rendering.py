"""Files as attachments, charts as embedded images, long answers over several messages, and the
Discord names of moved commands."""

from __future__ import annotations

from seminarbot.adapters.discord.render import (
    DESCRIPTION_MAX,
    EMBED_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    render_reply,
    within_upload_limit,
)
from seminarbot.adapters.discord.slash import SlashCommands
from seminarbot.core.commands import Command, Permission
from seminarbot.core.invocation import Invocation
from seminarbot.core.registry import Registry
from seminarbot.core.replies import Attachment, Reply, Table
from seminarbot.features import all_commands
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect, eventually
from tests.discord_fake import FakeDiscord
from tests.discord_fake.rest import EPHEMERAL

CSV = b'prompt,participant,text\n1.1,bob,"It kept minutes."\n'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def _export(inv: Invocation) -> Reply:
    return Reply(title="Export", paragraphs=("Two files.",), attachments=(
        Attachment("responses.csv", CSV, "text/csv"), Attachment("chart.png", PNG, "image/png")))


async def test_exports_arrive_as_attachments_and_a_chart_as_an_image(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    export = Command(("seminar", "export-test"), "Test-only export", _export,
                     permission=Permission.MODERATOR, private=True)
    await connect([export])
    answer = await fake.slash("ann", "seminar-mod export-test")
    assert answer.ephemeral
    assert [(name, data) for name, data, _ in answer.files] == [
        ("responses.csv", CSV), ("chart.png", PNG)]
    assert answer.message["attachments"] == [{"id": 0, "filename": "responses.csv"},
                                             {"id": 1, "filename": "chart.png"}]
    assert answer.message["embeds"][0]["image"] == {"url": "attachment://chart.png"}


async def _long(inv: Invocation) -> Reply:
    return Reply(title="Long", paragraphs=tuple(f"Part {n}. " + "word " * 700
                                                   for n in range(6)), private=True)


async def test_a_long_answer_arrives_as_several_private_messages(
        connect: Connect, fake: FakeDiscord) -> None:
    await connect([Command(("seminar", "long-test"), "Test-only long answer", _long)])
    answer = await fake.slash("bob", "seminar long-test")
    # Each part is ~3,500 characters: one per message, as two exceed a description's 4,096.
    await eventually(lambda: len(answer.followups) == 5)
    assert answer.ephemeral and all(f["flags"] == EPHEMERAL for f in answer.followups)
    parts = [answer.message, *answer.followups]
    assert [p["embeds"][0]["title"] for p in parts] == ["Long"] + ["Long (continued)"] * 5
    text = " ".join(p["embeds"][0]["description"] for p in parts)
    assert all(f"Part {n}." in text for n in range(6))


def test_a_long_answer_is_split_within_discords_limits_and_loses_nothing() -> None:
    paragraphs = tuple(f"Paragraph {n}. " + "word " * 300 for n in range(12))
    fields = tuple((f"Field {n}", f"value {n} " + "x" * 1500) for n in range(30))
    rows = tuple((str(n), f"row {n}", "posted") for n in range(200))
    reply = Reply(title="A very long answer", paragraphs=paragraphs, fields=fields,
                        table=Table(("#", "session", "state"), rows), footer="The footer.")
    pages = render_reply(reply)
    assert len(pages) > 3
    for page in pages:
        embed = page.embed
        assert len(embed) <= EMBED_MAX
        assert len(embed.description or "") <= DESCRIPTION_MAX
        assert len(embed.fields) <= FIELDS_MAX
        assert all(len(f.value or "") <= FIELD_VALUE_MAX for f in embed.fields)
    text = " ".join((p.embed.description or "") + " ".join(f.value or "" for f in p.embed.fields)
                    for p in pages)
    assert all(f"Paragraph {n}." in text for n in range(12))
    assert all(f"value {n} " in text for n in range(30))
    assert all(f"**{n}** — row {n} · state: posted" in text for n in range(200))
    assert pages[0].embed.title == "A very long answer"
    assert pages[1].embed.title == "A very long answer (continued)"
    assert pages[-1].embed.footer.text == "The footer." and pages[0].embed.footer.text is None


def test_moderator_commands_are_named_the_discord_way_in_replies() -> None:
    names = SlashCommands(Registry(all_commands()))
    assert names.rename("Run /seminar setup, then /seminar schedule; /seminar setupx stays.") \
        == "Run /seminar-mod setup, then /seminar schedule; /seminar setupx stays."
    assert names.rename("/seminar pause and /seminar resume") == \
        "/seminar-mod pause and /seminar-mod resume"


def test_every_registered_command_is_reachable_from_its_interaction() -> None:
    registry = Registry(all_commands())
    names = SlashCommands(registry)
    for command in registry:
        words = names.discord_name(command).split()
        data: dict[str, object] = {"name": words[0], "options": []}
        if len(words) == 2:
            data["options"] = [{"type": 1, "name": words[1], "options": []}]
        assert names.read(data).command is command


async def test_files_over_the_servers_upload_limit_are_left_off_with_a_note(
        connect: Connect, fake: FakeDiscord) -> None:
    export = Command(("seminar", "export-test"), "Test-only export", _export,
                     permission=Permission.MODERATOR, private=True)
    await connect([export])
    fake.world.upload_limit = len(PNG) + 5  # the chart fits; the CSV beside it would not
    answer = await fake.slash("ann", "seminar-mod export-test")
    assert [name for name, _, _ in answer.files] == ["chart.png"]
    embed = answer.message["embeds"][0]
    assert "Not attached" in embed["description"] and "responses.csv" in embed["description"]
    assert "seminarbot export" in embed["description"]


def test_no_more_than_ten_files_go_in_one_message() -> None:
    files = tuple(Attachment(f"part-{n}.csv", CSV, "text/csv") for n in range(12))
    fitted = within_upload_limit(Reply(title="Parts", attachments=files), 10 * 1024 * 1024)
    assert [a.filename for a in fitted.attachments] == [f"part-{n}.csv" for n in range(10)]
    assert "part-10.csv" in fitted.paragraphs[-1] and "part-11.csv" in fitted.paragraphs[-1]
    untouched = Reply(title="One", attachments=files[:1])
    assert within_upload_limit(untouched, 1024) is untouched
