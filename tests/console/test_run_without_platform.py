"""`seminarbot run` with no platform configured: on a terminal it explains and starts the
console; without one (a container, a service) it says how to configure a platform and exits 2,
rather than start a console that reads end of input and exits 0 to be restarted forever."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import MINI
from tests.console.terminal import Terminal
from tests.console.test_cli import BIN, cli


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "seminarbot.yaml"
    path.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {MINI.content}\n"
                    f"prompts_dir: {MINI.prompts}\n")
    return path


def test_without_a_terminal_it_says_how_to_configure_and_exits_2(config: Path) -> None:
    result = cli("run", config=config, stdin="/term soviet\n")
    assert result.returncode == 2
    assert result.stdout == ""
    said = result.stderr.strip()
    assert said.startswith("seminarbot: no platform is configured, and the console needs a "
                           "terminal. To run on a platform, set DISCORD_TOKEN")
    assert "`seminarbot console`" in said and len(said.splitlines()) == 1


def test_on_a_terminal_it_explains_and_starts_the_console(config: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env["TERM"] = "xterm"
    terminal = Terminal([*BIN, "--config", str(config), "run"], env)
    try:
        terminal.prompt()
        shown = " ".join(terminal.text().split())
        assert "No Discord or Matrix account is configured" in shown
        assert "set DISCORD_TOKEN" in shown
        terminal.type(b"/quit\r")
        assert terminal.process.wait(timeout=20) == 0
    finally:
        terminal.close()
