"""A real terminal for the console: a pseudo-terminal that is the process's controlling terminal
(so Ctrl-C there sends SIGINT, as in a shell), read through a VT100 emulator (pyte) that also
answers the cursor-position requests a real terminal answers."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyte

CTRL_C, CTRL_D = b"\x03", b"\x04"


def _controlling_terminal() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    def __init__(self, argv: list[str], env: dict[str, str], columns: int = 100,
                 rows: int = 200, cwd: Path | None = None) -> None:
        self.controller, terminal = pty.openpty()
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.screen = pyte.Screen(columns, rows)
        self.screen.write_process_input = self._answer  # type: ignore[method-assign]
        self.stream = pyte.ByteStream(self.screen)
        self.process = subprocess.Popen(argv, stdin=terminal, stdout=terminal, stderr=terminal,
                                        env=env, close_fds=True, cwd=cwd,
                                        preexec_fn=_controlling_terminal)
        os.close(terminal)
        self.typed_row = -1  # the cursor's row when keys were last typed

    def _answer(self, data: str) -> None:
        os.write(self.controller, data.encode())

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display).rstrip()

    def cursor_line(self) -> str:
        return self.screen.display[self.screen.cursor.y].rstrip()

    def pump(self, seconds: float) -> None:
        """Read whatever the program writes for `seconds`."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.controller], [], [], remaining)
            if not ready:
                return
            try:
                data = os.read(self.controller, 65536)
            except OSError:  # the program has gone and closed the terminal
                return
            if not data:
                return
            self.stream.feed(data)

    def wait_for(self, done: Callable[[], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{self.text()}"
            self.pump(0.05)

    def prompt(self, timeout: float = 30) -> None:
        """Until the console waits for a line: the cursor on an empty `> ` prompt below the
        line last typed on (the console echoes keys itself, so under load the prompt the keys
        were typed at can still look empty when this is called)."""
        self.wait_for(lambda: self.cursor_line() == ">" and self.screen.cursor.y > self.typed_row,
                      "an empty prompt", timeout)
        self.pump(0.1)

    def type(self, keys: bytes) -> None:
        self.typed_row = self.screen.cursor.y
        os.write(self.controller, keys)
        self.pump(0.2)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.controller)
