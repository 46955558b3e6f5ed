"""Exit codes every subcommand shares (README, Command line)."""

EXIT_FAILED = 1
EXIT_CONFIG = 2  # a configuration or usage error: fix the command or the file
EXIT_INTERNAL = 70  # a bug (BSD's EX_SOFTWARE): an incident id and a log file are printed
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
