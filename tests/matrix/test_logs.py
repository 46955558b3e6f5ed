"""A whole session of `seminarbot run` on Matrix at DEBUG: the log names no secret it used (the
password, the access token the login returned, a forget-me code), and the database holds
neither the password nor the token."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.bot_process import clean_environment, seminarbot_run
from tests.conftest import MINI
from tests.matrix.conftest import People
from tests.matrix.synapse import Synapse


async def test_a_debug_log_holds_no_password_token_or_code(
        synapse: Synapse, people: People, tmp_path: Path) -> None:
    account = synapse.register("bot")
    config = tmp_path / "seminarbot.yaml"
    config.write_text(f"content_dir: {MINI.content}\nprompts_dir: {MINI.prompts}\n"
                      "log_level: DEBUG\n")
    env = clean_environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data"),
                            MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=account.user_id,
                            MATRIX_PASSWORD=account.password)
    log = tmp_path / "run.log"
    async with seminarbot_run(config, env, log):
        mod = await people("mod")
        room = await mod.create_room(invite=[account.user_id])
        await mod.wait_member(room, account.user_id)
        bot = account.user_id
        assert "Seminar set up" in await mod.command(room, "!seminar setup tue 19:00 UTC", bot)
        assert "Posted session 1" in await mod.command(room, "!seminar post", bot)
        assert "Recorded" in await mod.command(room, "!seminar respond 1.1 Councils.", bot)
        asked = await mod.command(room, "!seminar forget-me", bot)
        code = re.search(r"forget-me ([A-Z0-9]{6}) within", asked)
        assert code, asked
        assert "Forgotten" in await mod.command(room, f"!seminar forget-me {code.group(1)}", bot)
    saved = json.loads((tmp_path / "data" / "matrix" / "login.json").read_text())
    text = log.read_text()
    secrets = {"password": account.password, "access token": saved["access_token"],
               "forget-me code": code.group(1)}
    leaked = [name for name, secret in secrets.items() if secret in text]
    assert leaked == [], f"the log holds the {', '.join(leaked)}"
    # Nor does the database (the login is kept apart, in matrix/login.json, mode 600).
    stored = b"".join(f.read_bytes() for f in (tmp_path / "data").glob("seminarbot.db*"))
    assert stored and account.password.encode() not in stored
    assert saved["access_token"].encode() not in stored
    # It did log at DEBUG; the homeserver's answers (every sync, the login's token) and the key
    # store stayed quiet.
    assert " DEBUG nio.crypto.log: " in text and " nio.responses: " not in text
    assert " peewee: " not in text


async def test_codes_typed_any_way_after_a_restart_stay_out_of_a_debug_log(
        synapse: Synapse, people: People, tmp_path: Path) -> None:
    """Codes asked for before a restart, typed after it with four spaces, a tab, a no-break
    space, and in backticks (Element's <code>, refused as a wrong code while the right one is
    still pending): no code, and no participant's words, reach the log."""
    account = synapse.register("bot")
    config = tmp_path / "seminarbot.yaml"
    config.write_text(f"content_dir: {MINI.content}\nprompts_dir: {MINI.prompts}\n"
                      "log_level: DEBUG\n")
    env = clean_environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data"),
                            MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=account.user_id,
                            MATRIX_PASSWORD=account.password)
    bot, logs = account.user_id, [tmp_path / "first.log", tmp_path / "restarted.log"]
    mod, ann, dan = await people("mod"), await people("ann"), await people("dan")
    codes = {}
    async with seminarbot_run(config, env, logs[0]):
        room = await mod.create_room(invite=[bot, ann.user_id, dan.user_id])
        await mod.wait_member(room, bot)
        for person in (ann, dan):
            await person.join(room)
        assert "Seminar set up" in await mod.command(room, "!seminar setup tue 19:00 UTC", bot)
        assert "Posted session 1" in await mod.command(room, "!seminar post", bot)
        for person in (mod, ann, dan):
            assert "Recorded" in await person.command(
                room, f"!seminar respond 1.1 Words of {person.user_id[1:4]} alone.", bot)
            asked = await person.command(room, "!seminar forget-me", bot)
            found = re.search(r"forget-me ([A-Z0-9]{6}) within", asked)
            assert found, asked
            codes[person.user_id] = found.group(1)
    async with seminarbot_run(config, env, logs[1]):
        assert "soviet" in await mod.command(room, "!term soviet", bot)  # it is back
        for code, said in ((codes[dan.user_id], "That code is wrong"),  # another's: a try
                           (codes[ann.user_id], "Forgotten")):  # the backticks are dropped
            pasted = {"msgtype": "m.text", "body": f"!seminar forget-me `{code}`",
                      "format": "org.matrix.custom.html",
                      "formatted_body": f"!seminar forget-me <code>{code}</code>"}
            answer = await ann.answer_to(room, await ann.send(room, pasted), bot)
            assert said in answer["content"]["body"], answer
        for person, gap in ((dan, "    \t"), (mod, "\u00a0")):
            done = await person.command(room, f"!seminar forget-me{gap}{codes[person.user_id]}",
                                        bot)
            assert "Forgotten" in done, done
    text = "".join(log.read_text() for log in logs)
    leaked = [code for code in codes.values() if code in text or code.lower() in text]
    assert leaked == [], "the log holds forget-me codes"
    assert "Words of" not in text and " nio.responses: " not in text
    assert " DEBUG nio.crypto.log: " in text  # it did log at DEBUG
