"""The bot's own small files (heartbeat, syllabus cache, Matrix's login and lists) are written
by one helper, config/files.py `replace_private`: replaced whole, mode 0600 whatever was there,
never through a link a crash or someone else left at the partial file's name, and nothing left
behind when the write fails."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from seminarbot.adapters.matrix.files import MatrixFiles
from seminarbot.cli.heartbeat import read, write
from seminarbot.config.files import replace_private


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def partial_of(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def test_a_file_is_replaced_whole_and_private(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")
    target.chmod(0o644)
    replace_private(target, b"new", durable=True)
    assert target.read_bytes() == b"new" and mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_link_at_the_partial_name_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    target = tmp_path / "state.json"
    partial_of(target).symlink_to(victim)
    replace_private(target, b"new")
    assert victim.read_text() == "untouched" and target.read_bytes() == b"new"
    assert not target.is_symlink() and mode(target) == 0o600


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")

    def full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space left"):
        replace_private(target, b"new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_the_heartbeat_is_private(tmp_path: Path) -> None:
    beat = tmp_path / "data" / "heartbeat"
    write(beat, {"discord": {"state": "connected"}})
    assert mode(beat) == 0o600 and read(beat)["platforms"] == {"discord": {"state": "connected"}}


def test_matrix_files_are_private_and_whole(tmp_path: Path) -> None:
    files = MatrixFiles(tmp_path / "matrix")
    files.prepare()
    files.save_sync_token("s1_2_3")
    files.save_sync_token("s4_5_6")
    assert files.load_sync_token() == "s4_5_6" and mode(files.token_file) == 0o600
    assert [p.name for p in files.directory.iterdir() if p.name.endswith(".partial")] == []
