"""What a script can pipe into the console, and where its output can go: nothing makes it hang,
crash or print a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.failpaths.support import BIN, DEADLINE, config, environment, one_line, seminarbot


def console(tmp_path: Path, *extra: str) -> list[str]:
    return [*BIN, "--config", str(config(tmp_path)), "console", "--db", str(tmp_path / "c.db"),
            "--clock", "2026-01-05T09:00Z", *extra]


def test_input_from_dev_null_is_the_end_of_input(tmp_path: Path) -> None:
    with open(os.devnull, "rb") as nothing:
        result = subprocess.run(console(tmp_path), stdin=nothing, capture_output=True,
                                text=True, env=environment(), timeout=DEADLINE, check=False)
    assert result.returncode == 0 and result.stderr == ""


def test_bytes_that_are_not_text_and_lines_too_long_are_answered(tmp_path: Path) -> None:
    script = (b"/term \xff\xfe\n" + b"a" * 3_000_000 + b"\n/term soviet\x00\n/clock")
    result = subprocess.run(console(tmp_path), input=script, capture_output=True,
                            env=environment(), timeout=DEADLINE, check=False)
    out = result.stdout.decode()
    assert result.returncode == 0 and result.stderr == b""
    assert "No glossary entry for “��”" in out
    assert "✗ That line is longer than 1,048,576 bytes; it was skipped." in out
    assert "A council of delegates." in out  # the NUL is dropped
    assert "Simulated time: 2026-01-05T09:00:00Z" in out  # the last line, with no newline


def test_output_that_goes_away_is_one_line(tmp_path: Path) -> None:
    reader, writer = os.pipe()
    os.close(reader)
    with os.fdopen(writer, "wb") as closed:
        result = subprocess.run(console(tmp_path), input="/term soviet\n" * 50, stdout=closed,
                                stderr=subprocess.PIPE, text=True, env=environment(),
                                timeout=DEADLINE, check=False)
    assert result.returncode == 1
    assert one_line(result) == "seminarbot: writing to standard output failed (Broken pipe)"


@pytest.mark.parametrize("typed", [b"", b"/term soviet\n"])
def test_an_interrupt_while_waiting_for_input_ends_at_once(tmp_path: Path, typed: bytes) -> None:
    process = subprocess.Popen(console(tmp_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=environment())
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(typed + b"/clock\n")
    process.stdin.flush()
    while b"Simulated time" not in process.stdout.readline():
        pass  # started, answered, and now waiting for the next line
    began = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=DEADLINE)
    assert process.returncode == 130 and err == b""
    assert time.monotonic() - began < 10  # no thread left waiting for a line that never comes


def test_names_the_console_acts_as_are_bounded(tmp_path: Path) -> None:
    result = seminarbot(*console(tmp_path)[len(BIN):],
                        stdin="/as " + "n" * 30_000 + "\n/as a\u0007b\n/as \u200fرنا\u200f\n"
                              "/as bob\n")
    assert result.returncode == 0
    assert result.stdout.count("✗ A name is 1 to 64 characters") == 2
    assert "Now acting as \u200fرنا\u200f (participant)." in result.stdout  # RLM marks kept
    assert "Now acting as bob (participant)." in result.stdout
    assert len(result.stdout) < 1_000
    for user in ("x" * 65, "", " "):
        refused = seminarbot(*console(tmp_path, "--user", user)[len(BIN):])
        assert refused.returncode == 2, user
        assert one_line(refused).startswith("seminarbot: --user expects a name of 1 to 64 "), user
        if len(user) > 60:  # helper-166's 5: cut at 60 with no mark, it read as a name of 60
            assert one_line(refused).endswith(f"got {user[:60]!r}"[:-1] + "…' (seminarbot "
                                              "console --help shows the usage)"), user


def test_a_login_name_that_is_no_name_gives_way_and_a_bad_setting_is_named(
        tmp_path: Path) -> None:
    """USER is a default nobody chose for the console: one that is no name (an escape in it,
    100 characters) gives way to "you"; console.user is named when it is the one refused
    (try32, 11)."""
    plain = tmp_path / "plain.yaml"
    plain.write_text(config(tmp_path).read_text().split("console:")[0])
    for login in ("e\x1b[31mvil", "u" * 100):
        result = subprocess.run(
            [*BIN, "--config", str(plain), "console", "--db", str(tmp_path / "c.db")],
            input="/seminar mine\n", capture_output=True, text=True, timeout=DEADLINE,
            env=environment(USER=login), check=False)
        assert result.returncode == 0 and result.stderr == "", result.stderr
    named = tmp_path / "named.yaml"
    named.write_text(plain.read_text() + 'console:\n  user: ""\n')
    result = seminarbot("--config", str(named), "console", "--db", str(tmp_path / "c.db"))
    assert result.returncode == 2
    # helper-127's 4: named in the form of every other key, with its file
    assert one_line(result).startswith(f"seminarbot: configuration error: {named}: "
                                       "console.user: expected a name of 1 to 64 ")


def test_a_piped_script_may_come_from_a_file_or_a_fifo(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("/clock\n")
    with script.open("rb") as lines:
        result = subprocess.run(console(tmp_path), stdin=lines, capture_output=True, text=True,
                                env=environment(), timeout=DEADLINE, check=False)
    assert "Simulated time" in result.stdout and result.returncode == 0
    fifo = tmp_path / "script.fifo"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "-c", f"import time; f = open({str(fifo)!r}, 'w'); f.write('/clock\\n');"
                               "f.flush(); time.sleep(1); f.write('/clock\\n')"])
    with fifo.open("rb") as lines:
        result = subprocess.run(console(tmp_path), stdin=lines, capture_output=True, text=True,
                                env=environment(), timeout=DEADLINE, check=False)
    process.wait(timeout=DEADLINE)
    assert result.stdout.count("Simulated time") == 2 and result.returncode == 0


def test_words_after_quit_or_an_option_without_its_value_are_answered(tmp_path: Path) -> None:
    script = b"/quit now\n/seminar export csv --since\n/exit please\n/clock\n"
    result = subprocess.run(console(tmp_path), input=script, capture_output=True,
                            env=environment(), timeout=DEADLINE, check=False)
    out = result.stdout.decode()
    assert "✗ /quit takes nothing after it; type /quit alone to leave." in out
    assert "✗ /exit takes nothing after it" in out
    assert "`since` is missing: it expects a date as YYYY-MM-DD" in out
    assert "Simulated time: 2026-01-05T09:00:00Z" in out  # still there after both
