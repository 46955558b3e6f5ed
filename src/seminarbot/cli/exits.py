"""Exit codes every subcommand shares (README, Configuration)."""

EXIT_FAILED = 1
EXIT_CONFIG = 2  # a configuration or usage error: fix the command or the file
