"""`run` with a platform configured and something local unusable (a damaged database, damage
inside one of the tables it reads to start, content that does not load): one line, and not one
connection to the platform (no Matrix login, no Discord handshake: the adapters start only once
the database and the content are known good)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import MINI
from tests.failpaths.support import environment, one_line, seminarbot


class Listener:
    """A TCP port on loopback that counts the connections made to it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


PLATFORMS = {
    "discord": lambda port: {"DISCORD_TOKEN": "never.used.token",
                             "DISCORD_API_BASE": f"http://127.0.0.1:{port}/api/v10",
                             "DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}"},
    "matrix": lambda port: {"MATRIX_HOMESERVER": f"http://127.0.0.1:{port}",
                            "MATRIX_USER_ID": "@bot:localhost", "MATRIX_PASSWORD": "never used"},
}


def setup(folder: Path, broken: str) -> Path:
    content = folder / "content"
    shutil.copytree(MINI.content, content)
    db = folder / "seminar.db"
    if broken == "database":
        db.write_bytes(b"SQLite format 3\0" + b"\xff" * 4080)
    elif broken == "a table's pages":  # the header and schema read well; a table does not
        asyncio.run(_made(db))
        with sqlite3.connect(db) as conn:
            (root,) = conn.execute("SELECT rootpage FROM sqlite_master"
                                   " WHERE name = 'writer_epoch'").fetchone()
            (size,) = conn.execute("PRAGMA page_size").fetchone()
        conn.close()
        with db.open("r+b") as file:
            file.seek((root - 1) * size)
            file.write(b"\x0d\xff\xff" + b"\xa5" * (size - 3))
    else:
        (content / "glossary.yaml").write_text("entries:\n  - term: [unclosed\n")
    config = folder / "seminarbot.yaml"
    config.write_text(f"data_dir: {folder / 'data'}\ncontent_dir: {content}\n"
                      f"prompts_dir: {MINI.prompts}\ndatabase: {db}\n")
    return config


async def _made(db: Path) -> None:
    from seminarbot.storage.db import Database

    await (await Database.open(db)).close()


@pytest.mark.parametrize("broken", ["database", "a table's pages", "content"])
@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_nothing_reaches_the_platform_when_something_local_is_unusable(
        tmp_path: Path, listener: Listener, platform: str, broken: str) -> None:
    config = setup(tmp_path, broken)
    result = seminarbot("run", conf=config,
                        env=environment(**PLATFORMS[platform](listener.port)))
    assert result.returncode in (1, 2), result.stderr
    line = one_line(result)
    assert ("glossary.yaml" in line) if broken == "content" else ("is damaged" in line), line
    assert listener.accepted == 0
