"""Ctrl-C (or SIGTERM) while a benchmark script is still importing, the first tenth of a second
or so of its start: one line and exit 130, as `command_line.main` says once it runs, not a
KeyboardInterrupt traceback. Every script imports this first; `command_line.main` puts Python's
own handler back. Where SIGINT is ignored (a background job of a non-interactive shell) it stays
ignored, as Python leaves it.
"""

from __future__ import annotations

# The C module under `signal`: the `signal` module would load `enum` first, about 6 ms more in
# which a Ctrl-C would still be a traceback.
import _signal as signal
import os
import sys
from types import FrameType


def said() -> str:
    """What a script says when it is interrupted, whenever that is."""
    return f"{os.path.basename(sys.argv[0])}: interrupted; no figures were written"


def say(line: str) -> None:
    """One line on standard error in one write: `print` writes its text and its end apart, and
    `stop`, run between the two, put its own line on the end of an unfinished one."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def stop(signum: int, frame: FrameType | None) -> None:
    """Nothing has been made yet, so there is nothing to remove."""
    say(said())
    os._exit(130)


def _a_script_of_ours() -> bool:  # not a test importing the benchmarks' modules
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.dirname(os.path.abspath(sys.argv[0])) == here


if _a_script_of_ours():
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, stop)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, stop)
