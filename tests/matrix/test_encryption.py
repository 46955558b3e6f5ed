"""An end-to-end encrypted room: the bot reads commands and replies, answers encrypted, sends
encrypted files, and its keys (the same device) survive a restart."""

from __future__ import annotations

from nio.crypto import decrypt_attachment

from seminarbot.core.commands import Command
from seminarbot.core.invocation import Invocation
from seminarbot.core.replies import Attachment, Reply
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, eventually


async def test_an_encrypted_room_works_and_keeps_working_after_a_restart(
        bot: BotHarness, people: People) -> None:
    data = b"participant,words\nann,3\n"

    async def export(inv: Invocation) -> Reply:
        return Reply(title="Export", attachments=(Attachment("r.csv", data, "text/csv"),))

    bot.setup_hooks.append(lambda app: app.registry.add(
        Command(("testexport",), "Send a file (test only)", export)))
    bot.services.registry.add(Command(("testexport",), "Send a file (test only)", export))
    mod, ann = await people("mod"), await people("ann")
    room = await mod.create_room(invite=[bot.user_id, ann.user_id], encrypted=True)
    await mod.wait_member(room, bot.user_id)
    await ann.join(room)

    setup = await mod.say(room, "!seminar setup tuesday 19:00 Europe/Berlin")
    answer = await mod.answer_to(room, setup, bot.user_id)
    assert answer["decrypted"] and "✓ Seminar set up" in answer["content"]["body"]
    await mod.command(room, "!seminar post", bot.user_id)
    prompt = await ann.wait_for(room, lambda e: "prompt 1.1" in e["content"].get("body", ""),
                                "the encrypted prompt")
    assert prompt["decrypted"] and prompt["sender"] == bot.user_id
    app = bot.services
    first = await ann.say(room, "Read in the clear by the bot only.", thread=prompt["event_id"])

    async def recorded(count: int) -> bool:
        return await bot.services.db.scalar("SELECT COUNT(*) FROM responses") == count
    await eventually(lambda: recorded(1), "the encrypted reply recorded")
    record = await app.responses.get("matrix", first)
    assert record is not None and record.body == "Read in the clear by the bot only."

    # Files go out encrypted: the event carries the key, the upload is ciphertext.
    command = await ann.say(room, "!testexport")
    file_event = await ann.answer_to(room, command, bot.user_id, msgtype="m.file")
    info = file_event["content"]["file"]
    ciphertext = await ann.download(info["url"])
    assert ciphertext != data
    assert decrypt_attachment(ciphertext, info["key"]["k"], info["hashes"]["sha256"],
                              info["iv"]) == data

    # Restarted, the same device reads new messages and answers them, still encrypted.
    await bot.stop()
    await bot.start()
    second = await ann.say(room, "After the restart.", thread=prompt["event_id"])
    await eventually(lambda: recorded(2), "the reply after the restart recorded")
    assert (await bot.services.responses.get("matrix", second)) is not None
    term = await mod.say(room, "!term otryv")
    answer = await mod.answer_to(room, term, bot.user_id)
    assert answer["decrypted"] and answer["content"]["body"].startswith("otryv")
    store = bot.settings.data_dir / "matrix" / "store"
    assert any(store.iterdir())
