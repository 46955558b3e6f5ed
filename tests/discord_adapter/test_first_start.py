"""A first `run` that Discord refuses before any session began leaves nothing: the data folder
it made, the database, the locks, the syllabus cache and the heartbeat all went on being there
(a wrong token left a 200 kB database), and the next start was no first start. A run on a
database that existed, or one refused after a session began, leaves everything
(cli/leftovers.py)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from seminarbot.cli.leftovers import Before
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.test_unreachable import (
    STARTUP,
    bot_saying,
    environment,
    start_bot,
)
from tests.discord_fake import FakeDiscord


def refuse(fake: FakeDiscord, how: str) -> None:
    if how == "token at the log-in":
        fake.rest.token = "fake.other"
    elif how == "token at the gateway":
        fake.gateway.token = "fake.other"
    elif how == "intent":
        fake.gateway.message_content_allowed = False
    else:
        fake.gateway.identify_closes = 4011


async def refused(tmp_path: Path, fake: FakeDiscord) -> str:
    process = await start_bot(tmp_path, fake)
    _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    assert process.returncode == 2, err.decode()
    return err.decode()


@pytest.mark.parametrize("how", ["token at the log-in", "token at the gateway", "intent",
                                 "sharding required"])
async def test_a_first_start_refused_leaves_nothing(tmp_path: Path, bare_fake: FakeDiscord,
                                                    how: str) -> None:
    refuse(bare_fake, how)
    said = await refused(tmp_path, bare_fake)
    assert "Traceback" not in said
    assert sorted(os.listdir(tmp_path)) == ["bot.yaml"], said


async def test_a_folder_that_was_there_keeps_what_it_held(tmp_path: Path,
                                                          bare_fake: FakeDiscord) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.txt").write_text("mine")
    refuse(bare_fake, "token at the log-in")
    await refused(tmp_path, bare_fake)
    assert os.listdir(tmp_path / "data") == ["notes.txt"]


async def test_a_database_that_was_there_is_left_as_it_was(tmp_path: Path,
                                                           bare_fake: FakeDiscord) -> None:
    async with bot_saying(tmp_path, bare_fake) as (process, _):
        await eventually(lambda: bare_fake.gateway.identifies == 1, within=STARTUP)
        process.terminate()
        await asyncio.wait_for(process.wait(), STARTUP)
    refuse(bare_fake, "token at the log-in")
    await refused(tmp_path, bare_fake)
    left = set(os.listdir(tmp_path / "data"))
    assert {"seminarbot.db", "heartbeat"} <= left, left



async def test_a_heartbeat_that_was_there_says_the_run_stopped(tmp_path: Path,
                                                               bare_fake: FakeDiscord) -> None:
    """An earlier run's heartbeat, a new database: the refused run wrote the heartbeat while
    connecting, and left it saying so (`health` said healthy)."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "heartbeat").write_text('{"at": 0, "platforms": {}}')
    refuse(bare_fake, "token at the log-in")
    process = await start_bot(tmp_path, bare_fake, environment(bare_fake) | {
        "SEMINARBOT_DB": str(tmp_path / "other" / "new.db")})
    _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    assert process.returncode == 2, err.decode()
    assert os.listdir(tmp_path / "data") == ["heartbeat"]
    assert not (tmp_path / "other").exists()
    beat = json.loads((tmp_path / "data" / "heartbeat").read_text())
    assert beat["platforms"]["discord"]["state"] == "stopped", beat

async def test_a_refusal_after_a_session_began_leaves_everything(
        tmp_path: Path, bare_fake: FakeDiscord) -> None:
    """The token reset in the portal while the first run is connected: what it stored stays."""
    async with bot_saying(tmp_path, bare_fake) as (process, said):
        await eventually(lambda: bare_fake.gateway.identifies == 1, within=STARTUP)
        refuse(bare_fake, "token at the gateway")
        await bare_fake.gateway.drop(resumable=False, hold=False)
        await asyncio.wait_for(process.wait(), STARTUP)
    assert process.returncode == 2, "".join(said)
    left = set(os.listdir(tmp_path / "data"))
    assert {"seminarbot.db", "heartbeat"} <= left, left


def test_only_what_the_run_makes_goes(tmp_path: Path) -> None:
    """Its own files, by name, and folders it made only when empty: a file another process
    put in the new data folder meanwhile stays, with the folders that hold it."""
    data = tmp_path / "a" / "b" / "data"
    before = Before.look(data, data / "seminarbot.db", matrix=True)
    data.mkdir(parents=True)
    for name in ("seminarbot.db", "seminarbot.db-wal", "seminarbot.db.lock", "heartbeat",
                 "syllabus.cache"):
        (data / name).write_text("x")
    (data / "matrix" / "store").mkdir(parents=True)
    (data / "matrix" / "store" / "keys").write_text("x")
    (tmp_path / "a" / "theirs").write_text("made meanwhile by someone else")
    before.undo()
    assert sorted(os.listdir(tmp_path / "a")) == ["theirs"]

    before = Before.look(data, data / "seminarbot.db")
    data.mkdir(parents=True)
    (data / "seminarbot.db").write_text("x")
    (data / "try.db").write_text("a console's, started meanwhile")
    before.undo()
    assert os.listdir(data) == ["try.db"]


def test_a_matrix_login_that_succeeded_stays(tmp_path: Path) -> None:
    """The homeserver made a device: the next start uses it, where logging in again would
    leave the account a device for each refused start."""
    before = Before.look(tmp_path / "data", tmp_path / "data" / "seminarbot.db", matrix=True)
    (tmp_path / "data" / "matrix" / "store").mkdir(parents=True)
    (tmp_path / "data" / "matrix" / "login.json").write_text("{}")
    (tmp_path / "data" / "seminarbot.db").write_text("x")
    before.undo()
    assert os.listdir(tmp_path / "data") == ["matrix"]


def test_a_matrix_folder_is_none_of_a_run_without_matrix(tmp_path: Path) -> None:
    """helper-98: one made by someone else during a Discord run went, keys and all."""
    before = Before.look(tmp_path / "data", tmp_path / "data" / "seminarbot.db")
    (tmp_path / "data" / "matrix").mkdir(parents=True)
    (tmp_path / "data" / "matrix" / "keys.txt").write_text("theirs")
    (tmp_path / "data" / "seminarbot.db").write_text("x")
    before.undo()
    assert os.listdir(tmp_path / "data") == ["matrix"]


def test_a_path_through_a_folder_not_yet_made_is_resolved_as_it_will_be(tmp_path: Path) -> None:
    """helper-98: `new/../data` did not resolve before `new` was made, so the database in
    `data` was taken for none, and went."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "seminarbot.db").write_text("precious")
    for data_dir, database in (
            (tmp_path / "new" / ".." / "data", tmp_path / "new" / ".." / "data" / "seminarbot.db"),
            (tmp_path / "x", tmp_path / "tmp" / ".." / "data" / "seminarbot.db")):
        before = Before.look(data_dir, database)
        (tmp_path / "new").mkdir(exist_ok=True)
        (tmp_path / "tmp").mkdir(exist_ok=True)
        before.undo()
        assert (tmp_path / "data" / "seminarbot.db").read_text() == "precious"
    before = Before.look(tmp_path / "b" / ".." / "c", tmp_path / "b" / ".." / "c" / "new.db")
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "new.db").write_text("x")
    before.undo()  # the folders it made, `b` and `c`, went; so did the new database
    assert sorted(os.listdir(tmp_path)) == ["data", "new", "tmp"]  # the runs on `data` left all

def test_a_database_outside_the_data_folder(tmp_path: Path) -> None:
    """Its folders made for it go when empty; files beside it that were there stay."""
    outside = tmp_path / "db" / "deep" / "bot.db"
    before = Before.look(tmp_path / "data", outside)
    (tmp_path / "data").mkdir()
    outside.parent.mkdir(parents=True)
    for path in (outside, Path(f"{outside}-wal"), Path(f"{outside}.lock")):
        path.write_text("x")
    before.undo()
    assert sorted(os.listdir(tmp_path)) == []

    outside.parent.mkdir(parents=True)
    (outside.parent / "other.db").write_text("x")
    Path(f"{outside}.lock").write_text("an earlier run's, whose database was moved away")
    Path(f"{outside}-journal").write_text("x")
    before = Before.look(tmp_path / "data", outside)
    for path in (outside, Path(f"{outside}-wal"), Path(f"{outside}.lock")):
        path.write_text("x")
    before.undo()
    assert sorted(os.listdir(outside.parent)) == ["bot.db-journal", "bot.db.lock", "other.db"]
    assert not (tmp_path / "data").exists()


def test_a_database_that_was_there_keeps_everything(tmp_path: Path) -> None:
    (tmp_path / "seminarbot.db").write_text("x")
    before = Before.look(tmp_path, tmp_path / "seminarbot.db")
    (tmp_path / "heartbeat").write_text("x")
    before.undo()
    assert sorted(os.listdir(tmp_path)) == ["heartbeat", "seminarbot.db"]
