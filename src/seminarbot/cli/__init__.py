"""The `seminarbot` command: `main` parses the arguments, one module per subcommand group runs
it (run and health, console, db, content, export and cohorts; `discord sync` comes from the
Discord adapter). Imports stay inside the subcommands so --help starts fast and never loads
discord or nio. The stop signals are handled before anything else is imported (cli.stopping).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    try:  # a Ctrl-C in these imports (`signal`'s too) comes before the handlers: as one after
        from seminarbot.cli import exits, stopping
    except KeyboardInterrupt:
        return _stopped(argv, 2)  # SIGINT's number (exits.SIGINT: exits may be unread)
    stopping.install()
    try:
        from seminarbot.cli.main import main as command_line

        return command_line(argv)
    except (stopping.Stopped, KeyboardInterrupt) as stop:  # before cli.boundary is reached
        return _stopped(argv, getattr(stop, "signum", exits.SIGINT))


def _stopped(argv: Sequence[str] | None, signum: int) -> int:
    import sys

    from seminarbot.cli.exits import exit_status

    words = sys.argv[1:] if argv is None else list(argv)
    return exit_status(next((w for w in ("run", "console") if w in words), ""), signum)


__all__ = ["main"]
