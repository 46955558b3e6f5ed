"""Exit codes every subcommand shares (README, Command line), and the subcommand a command line
names. Imports nothing: a stop in the first moment, before even `signal` is imported, is given
its status here (cli.main).
"""

EXIT_FAILED = 1
EXIT_CONFIG = 2  # a configuration or usage error: fix the command or the file
EXIT_INTERNAL = 70  # a bug (BSD's EX_SOFTWARE): an incident id and a log file are printed
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
SIGINT = 2  # signal.SIGINT on every platform Python runs on


def exit_status(command: str, signum: int) -> int:
    """The status of `command` ended by the stop signal `signum` (cli.stopping): a stop asked
    of the bot is its normal end (0); Ctrl-C ends a console as in a shell (130); any other
    command stopped by a signal did not finish (128 + the signal)."""
    if command == "run" or (command == "console" and signum != SIGINT):
        return 0
    return 128 + signum


def typed_command(argv: list[str]) -> str | None:
    """The subcommand word typed (the first word that is no option nor an option's value), or
    None when there is none or help is asked for before it."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            return None
        if len(word) > 2 and "--config".startswith(word):  # argparse takes "--conf" too
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None
