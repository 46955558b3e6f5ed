"""Every failure path of the command line and the console (issue 14): one clear line, the right
exit code, nothing created, replaced or lost; run as a person runs them, in real processes."""
