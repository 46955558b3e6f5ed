"""`seminarbot run` with no platform configured: on a terminal it explains and starts the
console; without one (a container, a service) it says how to configure a platform and exits 2,
rather than start a console that reads end of input and exits 0 to be restarted forever."""

from __future__ import annotations

import os
import shutil
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
                           "person at a terminal. To run on a platform, set DISCORD_TOKEN")
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


def _person_free_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env["TERM"] = "xterm"
    return env


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0,
                    reason="a process of its own as PID 1 needs unshare as root")
def test_as_pid_1_on_a_terminal_it_refuses_rather_than_wait(config: Path) -> None:
    """`docker run -dt IMAGE` with no token: a terminal nobody types at. `run` as a container's
    main process (PID 1) never starts the console by itself; `console` does."""
    terminal = Terminal(["unshare", "--pid", "--fork", "--mount-proc", *BIN, "--config",
                         str(config), "run"], _person_free_env())
    try:
        terminal.wait_for(lambda: terminal.process.poll() is not None, "run to refuse", 60)
        assert terminal.process.returncode == 2, terminal.text()
        shown = "".join(terminal.text().splitlines())
        assert "no platform is configured, and the console needs a person at a terminal" in shown
        assert "docker run -it IMAGE console" in shown
    finally:
        terminal.close()


@pytest.mark.parametrize(("env", "named"), [
    ({"MATRIX_HOMESERVER": "http://127.0.0.1:9", "MATRIX_USER_ID": "@bot:localhost"},
     "Matrix is partly configured: MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN is missing or blank "
     "(given: MATRIX_HOMESERVER, MATRIX_USER_ID;"),
    ({"MATRIX_HOMESERVER": "http://127.0.0.1:9", "MATRIX_PASSWORD": "x"},
     "Matrix is partly configured: MATRIX_USER_ID is missing or blank"),
    ({"DISCORD_TOKEN": "   "},
     "Discord is partly configured: DISCORD_TOKEN (or discord.token in the config file) is "
     "blank"),
])
def test_a_platform_configured_in_part_is_named_and_exit_2(
        config: Path, env: dict[str, str], named: str) -> None:
    result = cli("run", config=config, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"seminarbot: {named}"), result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_a_platform_configured_in_part_on_a_terminal_is_refused_too(tmp_path: Path,
                                                                    config: Path) -> None:
    with config.open("a") as file:
        file.write("matrix:\n  homeserver: http://127.0.0.1:9\n")
    terminal = Terminal([*BIN, "--config", str(config), "run"], _person_free_env())
    try:
        terminal.wait_for(lambda: terminal.process.poll() is not None, "run to refuse", 60)
        assert terminal.process.returncode == 2
        shown = "".join(terminal.text().splitlines())  # as typed, without the wrapping
        assert ("Matrix is partly configured: MATRIX_USER_ID and MATRIX_PASSWORD or "
                "MATRIX_ACCESS_TOKEN are missing") in shown
    finally:
        terminal.close()


def test_with_log_format_json_the_refusal_is_a_json_line(config: Path) -> None:
    import json

    with config.open("a") as file:
        file.write("log_format: json\n")
    result = cli("run", config=config)
    assert result.returncode == 2
    entry = json.loads(result.stderr)
    assert entry["level"] == "ERROR" and entry["logger"] == "seminarbot"
    assert entry["message"].startswith("no platform is configured")
