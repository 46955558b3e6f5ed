"""`seminarbot run` with the MATRIX_* environment variables starts the Matrix adapter."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import MINI
from tests.matrix.conftest import People
from tests.matrix.synapse import Synapse


async def test_seminarbot_run_answers_in_a_room_when_matrix_is_configured(
        synapse: Synapse, people: People, tmp_path: Path) -> None:
    account = synapse.register("bot")
    config = tmp_path / "seminarbot.yaml"
    config.write_text(f"content_dir: {MINI.content}\nprompts_dir: {MINI.prompts}\n"
                      "matrix:\n  command_prefix: '?'\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env.update(SEMINARBOT_DATA_DIR=str(tmp_path / "data"), MATRIX_HOMESERVER=synapse.url,
               MATRIX_USER_ID=account.user_id, MATRIX_PASSWORD=account.password)
    log = (tmp_path / "run.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "seminarbot", "--config", str(config), "run", env=env,
        stdout=log, stderr=subprocess.STDOUT)
    try:
        mod = await people("mod")
        room = await mod.create_room(invite=[account.user_id])
        await mod.wait_member(room, account.user_id)
        reply = await mod.command(room, "?term soviet", account.user_id)
        assert reply.startswith("soviet") and "A council of delegates." in reply
        assert (tmp_path / "data" / "matrix" / "login.json").exists()
        assert (tmp_path / "data" / "matrix" / "sync-token").exists()
    finally:
        if process.returncode is None:
            os.kill(process.pid, signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                os.kill(process.pid, signal.SIGKILL)
                await asyncio.wait_for(process.wait(), 15)
        log.close()
    assert process.returncode in (0, 130), (tmp_path / "run.log").read_text()[-2000:]
