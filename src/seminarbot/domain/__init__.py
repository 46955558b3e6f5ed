"""Pure domain code: no I/O, no platform, no database."""
