"""The `seminarbot` command: `main` parses the arguments, one module per subcommand group runs
it (run and health, console, db, content, export and cohorts; `discord sync` comes from the
Discord adapter). Imports stay inside the subcommands so --help starts fast and never loads
discord or nio."""

from seminarbot.cli.main import main

__all__ = ["main"]
