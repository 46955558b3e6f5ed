"""A data directory this user cannot write (a host folder mounted on /data that the image's
user may not write, say): `run` and `console` say so in one line naming the folder, the user
and the fix, and exit 2, before anything else (README: Docker)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import MINI
from tests.failpaths.support import environment, one_line, read_only, seminarbot


@pytest.mark.parametrize("command", [("console",), ("run",)])
def test_a_data_directory_that_cannot_be_written_is_one_line_and_exit_2(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    config = tmp_path / "c.yaml"
    config.write_text(f"data_dir: {data}\ncontent_dir: {MINI.content}\n"
                      f"prompts_dir: {MINI.prompts}\n")
    env = environment(DISCORD_TOKEN="never.used.token",
                      DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
                      DISCORD_GATEWAY_URL="ws://127.0.0.1:9") if command == ("run",) else None
    with read_only(data):
        result = seminarbot(*command, stdin="/term soviet\n", conf=config, env=env)
    assert result.returncode == 2, result.stderr
    uid, gid = os.getuid(), os.getgid()
    line = one_line(result)
    assert line.startswith(f"seminarbot: the data directory {data} cannot be written by this "
                           f"user (uid {uid}, gid {gid}: "), line
    assert line.endswith(f"give the folder to that user (`chown {uid}:{gid} {data}`), or set "
                         "data_dir or SEMINARBOT_DATA_DIR to a folder it may write"), line
    assert sorted(p.name for p in data.iterdir()) == []  # nothing was made there
