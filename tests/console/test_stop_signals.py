"""Stop signals on real processes (README: Command line, Stopping): the console, piped or on a
terminal, stops at once on SIGTERM and SIGHUP (exit 0) and, piped, on SIGINT (130, as Ctrl-C in
a shell), restoring the terminal and closing the database; `run` stopped from its first moment
exits 0 (cli.stopping)."""

from __future__ import annotations

import contextlib
import importlib.abc
import json
import os
import re
import runpy
import signal
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import MINI
from tests.console.terminal import Terminal
from tests.console.test_cli import BIN
from tests.pipes import filled_pipe

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


def test_a_console_whose_standard_error_nobody_reads_answers_and_stops(
        tmp_path: Path, mini_config: Path) -> None:
    """A full pipe on standard error (a paused terminal, a log driver that blocks) froze the
    console at its first log line, and the stop signal was never taken (cli.standard_error)."""
    mini_config.write_text(mini_config.read_text() + "log_level: debug\n")
    unread, full = filled_pipe()
    process = subprocess.Popen([*BIN, "--config", str(mini_config), "console"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=full,
                               env=environment())
    os.close(full)
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(b"/term soviet\n")
        process.stdin.flush()
        answered = threading.Event()
        out = process.stdout

        def read() -> None:
            while b"soviet" not in out.readline().lower():
                pass
            answered.set()

        threading.Thread(target=read, daemon=True).start()
        assert answered.wait(DEADLINE), "the console never answered"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=DEADLINE) == 0
    finally:
        process.kill()
        process.wait()
        os.close(unread)
        process.stdin.close()
        process.stdout.close()


@pytest.mark.parametrize(("words", "status"), [
    (["console"], 2),  # the configuration refused (log_level: bogus)
    (["export", "--cohort", "1"], 2),  # argparse's usage error
    (["health"], 1),  # no heartbeat
    (["db", "check", "--db", "{folder}"], 1)])  # a database that is a folder
def test_a_command_whose_standard_error_nobody_reads_still_ends_with_its_status(
        tmp_path: Path, mini_config: Path, words: list[str], status: int) -> None:
    """helper-106: the one line such a command ends with was written straight to a standard
    error that took nothing, and the command never ended; `run` with a wrong token neither,
    and stop signals were ignored by then. Every write there now waits at most a second
    (cli.standard_error)."""
    if words == ["console"]:
        mini_config.write_text(mini_config.read_text() + "log_level: bogus\n")
    unread, full = filled_pipe()
    try:
        done = subprocess.run(
            [*BIN, "--config", str(mini_config),
             *(word.format(folder=tmp_path) for word in words)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=full,
            env=environment(), timeout=DEADLINE, check=False)
    finally:
        os.close(full)
        os.close(unread)
    assert done.returncode == status


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


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2])
def test_run_stopped_while_it_starts_says_it_stopped(tmp_path: Path, mini_config: Path,
                                                     delay: float) -> None:
    """helper-151's 6: a stop between "connecting to" and the services' opening ended with
    exit 0 and no "stopping" or "stopped" line, where one once ready says both."""
    env = environment(SEMINARBOT_DB=str(tmp_path / "s.db"), DISCORD_TOKEN="never.used.token",
                      DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
                      DISCORD_GATEWAY_URL="ws://127.0.0.1:9")
    process = subprocess.Popen([*BIN, "--config", str(mini_config), "run"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env, text=True)
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if "connecting to" in line:
                break
        time.sleep(delay)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=DEADLINE) == 0
        said = process.stderr.read()
        assert said.rstrip().endswith("stopped"), said
    finally:
        process.kill()
        process.wait()
        assert process.stderr is not None
        process.stderr.close()


MIGRATING_STOPPED = """
import os, signal, sys
from seminarbot.cli.main import main
from seminarbot.storage import migrate
read = migrate.statements
calls = []
def statements(sql):
    calls.append(sql)
    if len(calls) == 5:  # a stop in the middle of a new database's migrations
        os.kill(os.getpid(), signal.SIGTERM)
    return read(sql)
migrate.statements = statements
sys.exit(main(sys.argv[1:]))
"""


def test_a_first_run_stopped_while_it_migrates_leaves_nothing_and_says_so(
        tmp_path: Path, mini_config: Path) -> None:
    """helper-152's 5: a stop while a first `run` migrated its new database ended with exit 0,
    no line, and the database half migrated (2 migrations missing)."""
    data = tmp_path / "data"
    env = environment(SEMINARBOT_DATA_DIR=str(data), DISCORD_TOKEN="never.used.token",
                      DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
                      DISCORD_GATEWAY_URL="ws://127.0.0.1:9")
    done = subprocess.run([sys.executable, "-c", MIGRATING_STOPPED, "--config", str(mini_config),
                           "run"], capture_output=True, text=True, env=env, timeout=DEADLINE,
                          check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stderr.rstrip().endswith("stopped while starting, before any platform was "
                                         "asked"), done.stderr
    assert not (data / "seminarbot.db").exists(), sorted(p.name for p in data.iterdir())


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
        # A command whose outcome was settled since (a backup in place and said so) keeps
        # its status: exit 143 after "backed up" was a failure to a script (helper-140's 9)
        def settled_since() -> int:
            stopping.settle()
            return 0

        assert boundary.guarded(settled_since, database=lambda: None, data_dir=lambda: None,
                                debug=False, stopped=lambda signum: 128 + signum) == 0
        stopping.install()  # the next command in this process starts afresh
        assert stopping.pending() is None and stopping.run(work()) == 0
    finally:
        stopping._Pending.signum = None
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def last_heartbeat() -> None:
    """STUCK's last words at the limit, written as every line on standard error is (in order)."""
    from seminarbot.cli import standard_error

    standard_error.write("the last heartbeat\n")


def json_log() -> None:
    """STUCK's log as `log_format: json` makes it, when its second argument says so."""
    if sys.argv[2:] == ["json"]:
        import dataclasses

        from seminarbot.cli.logs import configure
        from seminarbot.config.settings import load_settings

        configure(dataclasses.replace(load_settings(None, {}), log_format="json"))


STUCK = """
import asyncio, logging, os, signal, sys, time
from seminarbot.cli import stopping; from tests.console import test_stop_signals as here

stopping.STOP_LIMIT = 0.5
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s"); here.json_log()
stopping.install()
stopping.at_the_limit(lambda: 1 / 0)  # what one of them raises stops none after it
stopping.at_the_limit(here.last_heartbeat)

async def deaf():
    while True:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            pass  # swallowed: the stop never ends this

async def work():
    task = asyncio.create_task(deaf(), name="deaf")
    await asyncio.sleep(0)
    os.kill(os.getpid(), signal.SIGTERM)
    try:
        await asyncio.sleep(30)
    finally:
        if sys.argv[1] == "blocked":
            time.sleep(30)
        await task

stopping.run(work())
"""


@pytest.mark.parametrize("how", ["swallowed", "blocked"])
def test_a_stop_that_hangs_says_what_it_waits_for(how: str) -> None:
    """A stop still unwinding at the limit ends the process (128 + the signal) after the log
    names what it waits for (cli.stuck): each task and the line it waits at, or the line the
    event loop's thread is blocked at. One line each, no traceback. What must be done even
    then (`run`'s last heartbeat: cli.main) is done, in the order asked."""
    done = subprocess.run([sys.executable, "-c", STUCK, how],
                          capture_output=True, text=True, timeout=DEADLINE)
    assert done.returncode == 128 + signal.SIGTERM
    lines = done.stderr.splitlines()
    assert lines[-2:] == ["the last heartbeat",
                          "seminarbot: still stopping after 0.5 s; ending now"]
    lines = lines[:-1]
    if how == "swallowed":
        # innermost first: where each task waits, and the awaits that led there
        assert [re.sub(r":\d+ \((sleep|_stoppable)\)", ":N (\\1)", line)
                for line in sorted(lines[:-1])] == [
            "WARNING the stop still waits for task 'Task-1' at __main__:27 (work), "
            "in seminarbot.cli.stopping:N (_stoppable)",
            "WARNING the stop still waits for task 'deaf' at asyncio.tasks:N (sleep), "
            "in __main__:14 (deaf)"]
    else:
        assert lines[:-1] == ["WARNING the stop is stuck: the event loop does not answer; its "
                              "thread is at __main__:26 (work)"]
    assert "Traceback" not in done.stderr


def test_a_stop_that_hangs_says_so_in_json_lines_when_the_log_is_json() -> None:
    """The limit's last line was plain text under `log_format: json`."""
    done = subprocess.run([sys.executable, "-c", STUCK, "swallowed", "json"],
                          capture_output=True, text=True, timeout=DEADLINE)
    assert done.returncode == 128 + signal.SIGTERM
    lines = [line for line in done.stderr.splitlines() if line != "the last heartbeat"]
    entries = [json.loads(line) for line in lines]
    assert [entry["level"] for entry in entries] == ["WARNING", "WARNING", "ERROR"], lines
    assert entries[-1]["message"] == "still stopping after 0.5 s; ending now"


class _InterruptedImport(importlib.abc.MetaPathFinder):
    """One Ctrl-C while `name` is being imported, as in the first milliseconds of a start."""

    def __init__(self, name: str) -> None:
        self.name: str | None = name

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname == self.name:
            self.name = None
            raise KeyboardInterrupt


@pytest.mark.parametrize(("words", "status"), [(["run"], 0), (["console"], 130),
                                               (["db", "check"], 130)])
def test_a_ctrl_c_before_the_handlers_are_in_is_a_stop_not_a_traceback(
        monkeypatch: pytest.MonkeyPatch, words: list[str], status: int) -> None:
    """Ctrl-C while the command line imports what handles the stop signals (`signal` itself
    among it) ends the command with the status a stop after would give (cli.exits), where it
    printed a traceback from inside `enum`."""
    from seminarbot import cli

    main = runpy.run_path(str(cli.__file__))["main"]  # (see the test below)
    for name in ("seminarbot.cli.stopping", "seminarbot.cli.exits", "signal"):
        monkeypatch.delitem(sys.modules, name, raising=False)
        monkeypatch.delattr(cli, name.rpartition(".")[2], raising=False)
        finder = _InterruptedImport(name)
        monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
        assert main(words) == status
        assert finder.name is None  # the Ctrl-C came


class _WrappedStop(importlib.abc.MetaPathFinder):
    """A stop while `seminarbot.cli.main` is imported that Python hands on as another error,
    as it does one raised in a class's __set_name__ (a RuntimeError, on Python 3.11)."""

    def __init__(self, signum: int | None) -> None:
        self.signum = signum

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname == "seminarbot.cli.main":
            from seminarbot.cli import stopping

            if self.signum is not None:
                with contextlib.suppress(stopping.Stopped, KeyboardInterrupt):
                    (stopping._raise if self.signum != signal.SIGINT
                     else stopping._interrupt)(self.signum, None)
            raise RuntimeError("Error calling __set_name__")


@pytest.mark.parametrize(("words", "signum", "status"), [
    (["run"], signal.SIGTERM, 0), (["db", "check"], signal.SIGTERM, 143),
    (["db", "check"], signal.SIGINT, 130), (["run"], None, None)])
def test_a_stop_python_wrapped_in_another_error_is_still_a_stop(
        monkeypatch: pytest.MonkeyPatch, words: list[str], signum: int | None,
        status: int | None) -> None:
    """helper-105: such a stop while the command line loads was a traceback and exit 1; it is
    the stop's status now. An error with no stop behind it is still raised."""
    from seminarbot import cli
    from seminarbot.cli import stopping

    # The package's own `main` (once imported, the submodule of that name hides it).
    main = runpy.run_path(str(cli.__file__))["main"]
    saved = {each: signal.getsignal(each) for each in stopping.STOP_SIGNALS}
    monkeypatch.delitem(sys.modules, "seminarbot.cli.main", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_WrappedStop(signum), *sys.meta_path])
    try:
        if status is None:
            with pytest.raises(RuntimeError):
                main(words)
        else:
            assert main(words) == status
    finally:
        for each, handler in saved.items():
            signal.signal(each, handler)


FLOODED = """
import sys, threading

def flood():
    while True:  # blocks for good once the pipe is full: nobody reads it
        sys.stderr.write("x" * 65536)

if sys.argv[1] == "full":
    threading.Thread(target=flood, daemon=True).start()
""" + STUCK.replace('sys.argv[1] == "blocked"', "False")


@pytest.mark.parametrize("stderr", ["full", "closed"])
def test_a_stop_cut_short_ends_even_when_nothing_can_be_written(stderr: str) -> None:
    """helper-105: with standard error a full pipe nobody reads, or closed, the last words
    blocked (or raised) and the process never reached its end. Each write now has a bound."""
    process = subprocess.Popen(
        [sys.executable, "-c", FLOODED, stderr], stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=(lambda: os.close(2)) if stderr == "closed" else None)
    try:
        assert process.wait(timeout=DEADLINE) == 128 + signal.SIGTERM
    finally:
        process.kill()
        process.wait()
        assert process.stderr is not None
        process.stderr.close()


def test_a_stop_python_can_only_print_is_remembered_not_printed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-105: "Exception ignored in … _get_module_lock.<locals>.cb" with a traceback
    ending in `_interrupt` was printed before a correct exit 0. Such a stop is `pending` and
    goes unprinted; any other unraisable error is handed on as before."""
    from types import SimpleNamespace

    from seminarbot.cli import stopping

    saved = {each: signal.getsignal(each) for each in stopping.STOP_SIGNALS}
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)
    handed_on: list[BaseException] = []
    try:
        stopping.install()
        monkeypatch.setattr(stopping._Unraisable, "before",
                            lambda unraisable: handed_on.append(unraisable.exc_value))
        for error in (KeyboardInterrupt(), stopping.Stopped(signal.SIGTERM), ValueError("x")):
            sys.unraisablehook(SimpleNamespace(exc_value=error))
        assert [type(error) for error in handed_on] == [ValueError]
    finally:
        for each, handler in saved.items():
            signal.signal(each, handler)


@pytest.mark.parametrize(("words", "signum", "status"), [
    (["--config", "run", "db", "check"], signal.SIGTERM, 143),
    (["--config", "console", "run"], signal.SIGINT, 0),
    (["--conf", "run", "console"], signal.SIGINT, 130),
    (["--debug", "console"], signal.SIGTERM, 0),
    (["export", "--out", "run"], signal.SIGTERM, 143)])
def test_a_stop_before_the_boundary_reads_the_command_as_argparse_does(
        words: list[str], signum: int, status: int) -> None:
    """helper-105's 6a: the word `run` anywhere (a configuration file so named) made any
    command stopped in its first moment exit 0, as a stopped bot does."""
    from seminarbot.cli import stopped_early

    assert stopped_early(words, signum) == status


@pytest.mark.parametrize(("words", "status"), [
    (["health", "--max-age", "0"], 1), (["--bogus"], 2), (["db", "check"], 1),
    (["health"], 1)])  # its problems (no heartbeat): the check has failed by then
def test_a_stop_while_a_failure_is_said_changes_no_exit_status(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, words: list[str], status: int) -> None:
    """helper-107: a stop signal that came while the one line of a failure was written (up to
    a second, to a standard error that takes nothing) turned the failure into the stop's
    status: 0 for `run` and `console`, whose configuration was refused. The status is decided
    by then (cli.stopping.settle)."""
    from seminarbot.cli import standard_error, stopping
    from seminarbot.cli.main import main

    saved = {each: signal.getsignal(each) for each in stopping.STOP_SIGNALS}
    monkeypatch.setattr(stopping._Pending, "signum", None)  # each put back after the test
    monkeypatch.setattr(stopping._Settled, "now", False)
    monkeypatch.setenv("SEMINARBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SEMINARBOT_DB", str(tmp_path / "none.db"))
    monkeypatch.setattr(standard_error, "write",
                        lambda text: signal.raise_signal(signal.SIGTERM))  # as it is written
    try:
        stopping.install()
        assert main(words) == status
        assert stopping.pending() is None
    finally:
        for each, handler in saved.items():
            signal.signal(each, handler)


def test_a_line_that_ends_nothing_is_no_settled_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    """The console's notes (`say(…, final=False)`) leave a stop signal its effect."""
    from seminarbot.cli import boundary, standard_error, stopping

    saved = {each: signal.getsignal(each) for each in stopping.STOP_SIGNALS}
    monkeypatch.setattr(stopping._Pending, "signum", None)  # each put back after the test
    monkeypatch.setattr(stopping._Settled, "now", False)
    monkeypatch.setattr(standard_error, "write",
                        lambda text: signal.raise_signal(signal.SIGTERM))
    try:
        stopping.install()
        with pytest.raises(stopping.Stopped):
            boundary.say("the simulated clock moves forward", final=False)
    finally:
        for each, handler in saved.items():
            signal.signal(each, handler)
