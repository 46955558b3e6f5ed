"""The `seminarbot` command: `main` parses the arguments, one module per subcommand group runs
it (run and health, console, db, content, export and cohorts; `discord sync` comes from the
Discord adapter). Imports stay inside the subcommands so --help starts fast and never loads
discord or nio. The stop signals are handled before anything else is imported (cli.stopping);
this module imports nothing itself, so that the moments before are as few as can be.
"""


def main(argv: list[str] | None = None) -> int:
    try:  # a Ctrl-C in these imports (`signal`'s too) comes before the handlers: as one after
        from seminarbot.cli import exits, stopping
    except KeyboardInterrupt:
        return stopped_early(argv, 2)  # SIGINT's number (exits.SIGINT: exits may be unread)
    try:  # a stop can come while `install` sets the handlers after the first (seen in CI)
        stopping.install()
        from seminarbot.cli.main import main as command_line

        return command_line(argv)
    except (stopping.Stopped, KeyboardInterrupt) as stop:  # before cli.boundary is reached
        return stopped_early(argv, getattr(stop, "signum", exits.SIGINT))
    except Exception:
        signum = stopping.pending()
        if signum is None:
            raise
        # A stop Python turned into another error on its way (raised in a class's
        # __set_name__, it comes out as a RuntimeError).
        return stopped_early(argv, signum)


def stopped_early(argv: list[str] | None, signum: int) -> int:
    """The exit status of a command stopped by `signum` before its own boundary took over,
    its arguments' parsing included (cli.exits.exit_status; the command is read from `argv`,
    or from sys.argv)."""
    import sys

    from seminarbot.cli.exits import exit_status, typed_command

    return exit_status(typed_command(sys.argv[1:] if argv is None else list(argv)) or "",
                       signum)


__all__ = ["main", "stopped_early"]
