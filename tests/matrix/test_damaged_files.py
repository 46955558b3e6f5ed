"""Every file the Matrix adapter keeps under <data_dir>/matrix, damaged: what can be read of it
still counts, the rest is said at ERROR and left out, and nothing stops the bot (before, a
waiting event with a time that is no number, or a file nested too deep, stopped `run` as an
internal error, and one waiting answer that could not be sent held up every other)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from seminarbot.adapters.matrix.files import MatrixFiles
from seminarbot.adapters.matrix.private import PrivateAnswers
from seminarbot.adapters.matrix.undecrypted import Undecrypted
from tests.matrix.test_translation import KeysFor, _encrypted


def _files(tmp_path: Path) -> MatrixFiles:
    files = MatrixFiles(tmp_path / "matrix")
    files.prepare()
    return files


async def test_damaged_waiting_events_are_left_out_and_the_rest_still_count(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = _files(tmp_path)
    good = {"room_id": "!r:hs", "source": _encrypted("$m").source, "syncs": 0}
    source = good["source"]
    files.undecrypted_file.write_text(json.dumps([
        {**good, "syncs": float("inf")}, {**good, "syncs": "x"}, {**good, "source": 5},
        {**good, "source": {**source, "unsigned": "x"}},
        {**good, "source": {**source, "origin_server_ts": "x"}}, {"room_id": "!r:hs"}, good],
        allow_nan=True))
    assert [w.event.event_id for w in Undecrypted(KeysFor(), files).waiting] == ["$m"]
    assert "6 of the encrypted events waiting for keys in it left out" in caplog.text


@pytest.mark.parametrize("text", ["[" * 100_000, "\ufeff[", "{\"a\": 1}", "[1, \"x\"]", "null",
                                  None])  # None: a FIFO, whose open would wait for a writer
def test_a_file_that_cannot_be_read_as_a_list_is_said_and_left_out(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, text: str | None) -> None:
    files = _files(tmp_path)
    paths = [files.undecrypted_file, files.private_file, files.login_file]
    for path in paths + [files.token_file] * (text is None):
        if text is None:
            os.mkfifo(path)
        else:
            path.write_text(text)
    assert files.load_undecrypted() == [] and files.load_private() == []
    assert files.load_login() is None and files.load_sync_token() is None
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(said) == len(paths) + (text is None), said


def test_an_empty_sync_token_is_said(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = _files(tmp_path)
    files.token_file.write_text(" \n")  # written whole or not at all: cut short
    assert files.load_sync_token() is None and "carrying on from now" in caplog.text


class _Sender:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        if content.get("body") == "explodes":
            raise RuntimeError("nio refused it")
        self.sent.append(room_id)
        return "$sent"


async def test_one_waiting_answer_that_cannot_go_out_holds_up_no_other(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = _files(tmp_path)
    good = {"dm": "!carol:hs", "user": "@carol:hs", "contents": [{"body": "for carol"}],
            "origin": {"room_id": "!seminar:hs", "event_id": "$asked"}, "syncs": 0}
    files.save_private([
        {**good, "origin": {"key": "k", "event_id": "$x"}},  # says it answers, names no room
        {**good, "origin": {**good["origin"], "thread": 5}}, {**good, "contents": []},
        {**good, "dm": "!bob:hs", "contents": [{"body": "explodes"}]}, good])
    client = SimpleNamespace(rooms={room: SimpleNamespace(users={user: None}, encrypted=False)
                                    for room, user in (("!carol:hs", "@carol:hs"),
                                                       ("!bob:hs", "@carol:hs"))})
    sender = _Sender()
    answers = PrivateAnswers(client, sender, None, None, files)  # type: ignore[arg-type]
    assert len(answers.pending) == 2
    assert "3 of the answers waiting for a direct room in it left out" in caplog.text
    await answers.deliver()
    assert sender.sent == ["!carol:hs"] and answers.pending == [] and files.load_private() == []


@pytest.mark.parametrize("login", [
    "{\"homeserver\": 5", "[]", "{\"homeserver\": \"h\", \"user_id\": \"u\", \"device_id\": null,"
    " \"access_token\": \"t\"}"])
def test_a_damaged_login_is_said_and_the_bot_logs_in_again(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, login: str) -> None:
    files = _files(tmp_path)
    files.login_file.write_text(login)
    assert files.load_login() is None and "logging in again as a new device" in caplog.text
