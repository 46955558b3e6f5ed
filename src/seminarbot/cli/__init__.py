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

    def stopped(signum: int) -> int:
        from seminarbot.cli.stopping import exit_status

        words = sys.argv[1:] if argv is None else list(argv)
        return exit_status(next((w for w in ("run", "console") if w in words), ""), signum)

    try:
        from seminarbot.cli import stopping
    except KeyboardInterrupt:  # Ctrl-C before the handlers are in: as one after
        return stopped(signal.SIGINT)
    stopping.install()
    try:
        from seminarbot.cli.main import main as command_line

        return command_line(argv)
    except (stopping.Stopped, KeyboardInterrupt) as stop:  # before cli.boundary is reached
        return stopped(getattr(stop, "signum", signal.SIGINT))


__all__ = ["main"]
