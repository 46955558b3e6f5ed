"""A damaged encryption store (nio's SQLite file) stops `seminarbot run` with one sentence that
names the files to move away, exit 2; done as it says, the bot starts again as a new device.
Before, it ended with "internal error DatabaseError", exit 70."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MINI
from tests.matrix.synapse import Synapse


async def _run(env: dict[str, str], config: Path, log: Path, until: str) -> tuple[int, str]:
    """The process's exit code and output, once it exits or has written `until`."""
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "seminarbot", "--config", str(config), "run", env=env,
            stdout=out, stderr=subprocess.STDOUT)
        for _ in range(300):
            if process.returncode is not None or until in log.read_text():
                break
            await asyncio.sleep(0.1)
        if process.returncode is None:
            os.kill(process.pid, signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), 30)
    return code, log.read_text()


def _configured(synapse: Synapse, tmp_path: Path) -> tuple[dict[str, str], Path]:
    """The environment and config file of a bot with an account of its own on `synapse`,
    its data in tmp_path/data."""
    account = synapse.register("bot")
    config = tmp_path / "seminarbot.yaml"
    config.write_text(f"content_dir: {MINI.content}\nprompts_dir: {MINI.prompts}\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env.update(SEMINARBOT_DATA_DIR=str(tmp_path / "data"), MATRIX_HOMESERVER=synapse.url,
               MATRIX_USER_ID=account.user_id, MATRIX_PASSWORD=account.password)
    return env, config


async def test_a_damaged_encryption_store_is_one_sentence_and_moving_it_away_mends_it(
        synapse: Synapse, tmp_path: Path) -> None:
    env, config = _configured(synapse, tmp_path)
    code, _ = await _run(env, config, tmp_path / "first.log", "matrix: ready")
    assert code in (0, 130)
    matrix = tmp_path / "data" / "matrix"
    (store,) = (matrix / "store").iterdir()
    store.write_bytes(b"not a database " * 100)

    code, output = await _run(env, config, tmp_path / "damaged.log", "matrix: ready")
    assert code == 2, output
    said = [line for line in output.splitlines() if line.startswith("seminarbot: ")]
    assert len(said) == 1 and "Traceback" not in output, output
    assert f"{matrix / 'store'} cannot be read" in said[0]
    assert str(matrix / "login.json") in said[0]

    shutil.move(matrix / "store", tmp_path / "store.damaged")
    shutil.move(matrix / "login.json", tmp_path / "login.damaged")
    code, output = await _run(env, config, tmp_path / "mended.log", "matrix: ready")
    assert code in (0, 130) and "matrix: ready" in output, output


@pytest.mark.parametrize("wrong", ["matrix", "matrix/store", "matrix/login.json",
                                   "matrix/sync-token", "matrix/private.json", "link"])
async def test_a_path_that_holds_the_wrong_kind_of_thing_is_one_sentence(
        synapse: Synapse, tmp_path: Path, wrong: str) -> None:
    # A folder where a file belongs, or a file where a folder does. Before: exit 70 (the store
    # a file), or exit 1 naming a temporary file (sync-token a folder), or a new device made on
    # the homeserver before the bot stopped (login.json a folder).
    env, config = _configured(synapse, tmp_path)
    path = tmp_path / "data" / ("matrix/store" if wrong == "link" else wrong)
    path.parent.mkdir(parents=True, exist_ok=True)
    if wrong == "link":  # to nothing
        path.symlink_to(tmp_path / "gone")
    elif wrong.endswith("store") or wrong == "matrix":
        path.write_text("a file")
    else:
        path.mkdir()
    code, output = await _run(env, config, tmp_path / "run.log", "matrix: ready")
    said = [line for line in output.splitlines() if line.startswith("seminarbot: ")]
    assert code == 2 and len(said) == 1 and "Traceback" not in output, output
    assert f"{path} should be a " in said[0] and "move it away" in said[0]
    assert "logged in" not in output


async def test_a_store_moved_away_alone_is_said_and_the_bot_becomes_a_new_device(
        synapse: Synapse, tmp_path: Path) -> None:
    """helper-102: with login.json kept and the store gone, nio made new keys for the old
    device, which the homeserver already has keys for; nothing was said."""
    env, config = _configured(synapse, tmp_path)
    code, output = await _run(env, config, tmp_path / "first.log", "matrix: ready")
    assert code in (0, 130), output
    matrix = tmp_path / "data" / "matrix"
    first = json.loads((matrix / "login.json").read_text())["device_id"]
    shutil.move(matrix / "store", tmp_path / "store.moved")
    code, output = await _run(env, config, tmp_path / "again.log", "matrix: ready")
    assert code in (0, 130) and "matrix: ready" in output, output
    assert (f"matrix: the encryption keys of device {first} are not in {matrix / 'store'}; "
            "logging in as a new device") in output, output
    second = json.loads((matrix / "login.json").read_text())["device_id"]
    assert second != first and "Traceback" not in output
