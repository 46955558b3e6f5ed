"""How the log reads: seminarbot's lines at log_level, the libraries' only their warnings
(everything at DEBUG but the wholesale ones), as text or JSON lines, secrets redacted."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from seminarbot.cli.logs import configure
from seminarbot.config.settings import Settings, load_settings

TOKEN = "fake.0123456789abcdef"


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in ("discord.gateway", "peewee")}
    yield load_settings(None, {"SEMINARBOT_DATA_DIR": str(tmp_path), "DISCORD_TOKEN": TOKEN})
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("seminarbot").setLevel(logging.NOTSET)
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_json_lines_with_our_info_and_the_libraries_warnings(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    configure(dataclasses.replace(settings, log_format="json"))
    logging.getLogger("seminarbot.scheduling").info("posted session %d", 1)
    logging.getLogger("discord.client").info("logging in using static token")
    logging.getLogger("nio.client").warning("sync failed with token %s", TOKEN)
    found = [json.loads(line) for line in lines(capsys)]
    assert [(e["level"], e["logger"], e["message"]) for e in found] == [
        ("INFO", "seminarbot.scheduling", "posted session 1"),
        ("WARNING", "nio.client", "sync failed with token [redacted]")]
    assert all(e["time"].endswith("Z") for e in found)


def test_text_at_debug_lets_the_libraries_through_but_for_the_wholesale_ones(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    configure(dataclasses.replace(settings, log_level="DEBUG"))
    logging.getLogger("seminarbot.core").debug("a detail")
    logging.getLogger("discord.client").debug("a library detail")
    logging.getLogger("discord.gateway").debug("a raw event with someone's words")
    logging.getLogger("discord.gateway").info("a gateway line")
    said = lines(capsys)
    assert [line.split(" ", 2)[2] for line in said] == [
        "DEBUG seminarbot.core: a detail", "DEBUG discord.client: a library detail",
        "INFO discord.gateway: a gateway line"]


def test_a_wrong_log_format_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("log_format: xml\n")
    with pytest.raises(Exception, match="log_format: expected one of text, json, got 'xml'"):
        load_settings(str(config), {})
