"""Stop signals on real processes (README: Command line, Stopping): the console, piped or on a
terminal, stops at once on SIGTERM and SIGHUP (exit 0) and, piped, on SIGINT (130, as Ctrl-C in
a shell), restoring the terminal and closing the database; `run` stopped from its first moment
exits 0 (cli.stopping)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests.conftest import MINI
from tests.console.terminal import Terminal
from tests.console.test_cli import BIN

DEADLINE = 60  # seconds: still running then is the failure (no timing is asserted)


@pytest.fixture
def mini_config(tmp_path: Path) -> Path:
    path = tmp_path / "seminarbot.yaml"
    path.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {MINI.content}\n"
                    f"prompts_dir: {MINI.prompts}\nconsole:\n  user: ann\n")
    return path


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    return {**env, **extra}


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 0), (signal.SIGHUP, 0),
                                                (signal.SIGINT, 130)])
def test_a_piped_console_waiting_for_input_stops_at_once(
        tmp_path: Path, mini_config: Path, signum: int, status: int) -> None:
    db = tmp_path / "s.db"
    process = subprocess.Popen([*BIN, "--config", str(mini_config), "console", "--db", str(db)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=environment())
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(b"/term soviet\n")
        process.stdin.flush()
        while b"soviet" not in process.stdout.readline().lower():
            pass  # the answer: the console now waits for the next line (input held open)
        process.send_signal(signum)
        assert process.wait(timeout=DEADLINE) == status
        assert process.stderr is not None and b"Traceback" not in process.stderr.read()
        assert not Path(f"{db}-wal").exists()  # the database was closed (SQLite folds its WAL)
    finally:
        process.kill()
        process.wait()
        process.stdin.close()
        process.stdout.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_console_on_a_terminal_stops_and_gives_the_terminal_back(
        tmp_path: Path, mini_config: Path, signum: int) -> None:
    db = tmp_path / "s.db"
    terminal = Terminal([*BIN, "--config", str(mini_config), "console", "--db", str(db)],
                        environment(TERM="xterm"))
    try:
        terminal.prompt()
        assert not termios.tcgetattr(terminal.controller)[3] & termios.ECHO  # raw while it runs
        terminal.process.send_signal(signum)
        terminal.wait_for(lambda: terminal.process.poll() is not None, "the console to stop",
                          DEADLINE)
        assert terminal.process.returncode == 0
        flags = termios.tcgetattr(terminal.controller)[3]
        assert flags & termios.ECHO and flags & termios.ICANON  # no `reset` needed
        assert "Traceback" not in terminal.text()
        assert not Path(f"{db}-wal").exists()
    finally:
        terminal.close()


def _catches(pid: int, signum: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (signum - 1) & 1)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_run_stopped_in_its_first_moment_exits_0(tmp_path: Path, mini_config: Path,
                                                 signum: int) -> None:
    """The signal is sent as soon as the process handles it, before the configuration is read
    and the database migrated (PID 1 in a container would otherwise ignore it). It is started
    with SIGINT ignored, as a shell script starts a background job: SIGINT still stops it
    (try32, 18)."""
    env = environment(SEMINARBOT_DB=str(tmp_path / "s.db"), DISCORD_TOKEN="never.used.token",
                      DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
                      DISCORD_GATEWAY_URL="ws://127.0.0.1:9")
    process = subprocess.Popen([*BIN, "--config", str(mini_config), "run"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        while not _catches(process.pid, signal.SIGTERM):  # cli.stopping.install has run
            assert process.poll() is None
        process.send_signal(signum)
        assert process.wait(timeout=DEADLINE) == 0
        assert process.stderr is not None and b"Traceback" not in process.stderr.read()
    finally:
        process.kill()
        process.wait()
        assert process.stderr is not None
        process.stderr.close()


AFTER_A_STOP = """
import asyncio, os, signal, sys
from seminarbot.cli import stopping

async def work():
    os.kill(os.getpid(), signal.SIGINT)
    await asyncio.sleep(30)

try:
    stopping.run(work())
except stopping.Stopped:
    pass
os.kill(os.getpid(), signal.SIGINT)  # a second Ctrl-C, after the loop, while the process ends
print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
"""


def test_a_signal_after_a_stop_changes_nothing_to_the_very_end() -> None:
    """A second Ctrl-C once the loop has ended (in logging's flush at exit, say) is ignored,
    where Python's default handler printed a traceback from the interpreter's clean-up."""
    done = subprocess.run([sys.executable, "-c", AFTER_A_STOP],
                          capture_output=True, text=True, timeout=DEADLINE)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "True", "")


def test_a_stop_whose_exception_python_dropped_still_stops_the_command() -> None:
    """A SIGTERM in a command's first milliseconds can raise where Python drops the exception
    ("Exception ignored in …", an import lock's callback): the command went on and finished
    (helper-84). The stop is remembered: `run` does not start the work, and the boundary
    says the command was stopped."""
    from seminarbot.cli import boundary, stopping

    saved = {signum: signal.getsignal(signum) for signum in stopping.STOP_SIGNALS}
    started: list[bool] = []

    async def work() -> int:
        started.append(True)
        return 0

    try:
        stopping.install()
        with contextlib.suppress(stopping.Stopped):  # dropped, as Python drops it there
            stopping._raise(signal.SIGTERM, None)
        with pytest.raises(stopping.Stopped):
            stopping.run(work())
        assert started == []
        assert boundary.guarded(lambda: 0, database=lambda: None, data_dir=lambda: None,
                                debug=False, stopped=lambda signum: 128 + signum) == 143
        assert boundary.guarded(lambda: int("wrapped, as __set_name__ wraps it"),
                                database=lambda: None, data_dir=lambda: None, debug=False,
                                stopped=lambda signum: 128 + signum) == 143
        stopping.install()  # the next command in this process starts afresh
        assert stopping.pending() is None and stopping.run(work()) == 0
    finally:
        stopping._Pending.signum = None
        for signum, handler in saved.items():
            signal.signal(signum, handler)
