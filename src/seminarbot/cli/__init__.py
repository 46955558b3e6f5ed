"""The `seminarbot` command: `main` parses the arguments, one module per subcommand group runs
it (run and health, console, db, content, export and cohorts; `discord sync` comes from the
Discord adapter). Imports stay inside the subcommands so --help starts fast and never loads
discord or nio. The stop signals are handled before anything else is imported (cli.stopping).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    import signal
    import sys

    from seminarbot.cli import stopping

    stopping.install()
    try:
        from seminarbot.cli.main import main as command_line

        return command_line(argv)
    except (stopping.Stopped, KeyboardInterrupt) as stop:  # before cli.boundary is reached
        words = sys.argv[1:] if argv is None else list(argv)
        command = next((word for word in ("run", "console") if word in words), "")
        return stopping.exit_status(command, getattr(stop, "signum", signal.SIGINT))


__all__ = ["main"]
