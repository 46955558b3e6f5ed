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
    # It did log at DEBUG, secrets included, which were redacted; the key store stayed quiet.
    assert " DEBUG nio.responses: " in text and "'access_token': '[redacted]'" in text
    assert "forget-me [redacted]" in text and " peewee: " not in text
