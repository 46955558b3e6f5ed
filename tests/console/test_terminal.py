"""The interactive console on a real terminal (a pty it controls, read through a VT100
emulator): commands, posts as time passes, and the keys of a shell: Ctrl-C abandons the line
being typed, on an empty line says how to leave and a second one leaves; Ctrl-D leaves; Ctrl-C
during a command interrupts that command only."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from seminarbot.adapters.console.terminal import LEAVE_HINT, interruptible
from tests.conftest import MINI
from tests.console.terminal import CTRL_C, CTRL_D, Terminal

BIN = [sys.executable, "-m", "seminarbot"]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    config = tmp_path / "seminarbot.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {MINI.content}\n"
                      f"prompts_dir: {MINI.prompts}\nconsole:\n  user: ann\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MATRIX_"))}
    env["TERM"] = "xterm"
    console = Terminal([*BIN, "--config", str(config), "console", "--db",
                        str(tmp_path / "i.db"), "--clock", "2026-01-05T09:00Z"], env)
    try:
        console.prompt()
        yield console
    finally:
        console.close()


def test_a_seminar_on_a_terminal(terminal: Terminal) -> None:
    assert "acting as ann (moderator)" in terminal.text()
    terminal.type(b"/term otryv\r")
    terminal.prompt()
    assert "The gap between leaders and led." in terminal.text()
    terminal.type(b"/seminar setup tue 19:00 Europe/London\r")
    terminal.prompt()
    assert "Seminar set up" in terminal.text()
    terminal.type(b"/clock advance 2d\r")
    terminal.prompt()
    assert "prompt 1.3" in terminal.text()
    terminal.type(b"/quit\r")
    assert terminal.process.wait(timeout=20) == 0


def test_ctrl_c_abandons_the_line_being_typed(terminal: Terminal) -> None:
    terminal.type(b"/seminar setup tue 19:00 UTC")
    terminal.type(CTRL_C)
    terminal.prompt()  # a fresh, empty line at once: nothing waits for Enter
    assert terminal.process.poll() is None
    terminal.type(b"/seminar schedule\r")
    terminal.prompt()
    assert "Seminar set up" not in terminal.text()
    assert "not set up" in terminal.text().lower() or "no seminar" in terminal.text().lower()


def test_ctrl_c_twice_on_an_empty_line_leaves(terminal: Terminal) -> None:
    terminal.type(CTRL_C)
    terminal.prompt()
    assert LEAVE_HINT in terminal.text()
    assert terminal.process.poll() is None
    terminal.type(CTRL_C)
    assert terminal.process.wait(timeout=20) == 0


def test_a_sigint_sent_to_the_console_is_a_ctrl_c(terminal: Terminal) -> None:
    """helper-179's 5: `kill -INT` at the prompt only cleared the line, however often it came:
    never the hint, never the leave that the README promises (SIGINT is Ctrl-C there)."""
    terminal.process.send_signal(signal.SIGINT)
    terminal.prompt()
    assert LEAVE_HINT in terminal.text()
    assert terminal.process.poll() is None
    terminal.process.send_signal(signal.SIGINT)
    assert terminal.process.wait(timeout=20) == 0


def test_typing_between_two_ctrl_c_keeps_the_console(terminal: Terminal) -> None:
    terminal.type(CTRL_C)
    terminal.prompt()
    terminal.type(b"/term")
    terminal.type(CTRL_C)  # this line was not empty: abandoned, the console stays
    terminal.prompt()
    assert terminal.process.poll() is None
    terminal.type(b"/quit\r")
    assert terminal.process.wait(timeout=20) == 0


def test_ctrl_d_on_an_empty_line_leaves(terminal: Terminal) -> None:
    terminal.type(CTRL_D)
    assert terminal.process.wait(timeout=20) == 0


async def test_an_interrupt_during_a_command_stops_only_that_command() -> None:
    said: list[str] = []
    finished: list[str] = []

    async def slow() -> None:
        await asyncio.sleep(30)
        finished.append("slow")

    asyncio.get_running_loop().call_later(0.1, os.kill, os.getpid(), signal.SIGINT)
    await asyncio.wait_for(interruptible(slow(), said.append), timeout=10)
    assert said == ["Interrupted."] and finished == []

    async def quick() -> None:
        finished.append("quick")

    await interruptible(quick(), said.append)
    assert finished == ["quick"] and said == ["Interrupted."]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
