"""SQLite's memory statistics, off for a process that reads on several connections at once.

SQLite counts every allocation under one process-wide mutex while it keeps memory statistics
(SQLITE_CONFIG_MEMSTATUS, on by default: https://www.sqlite.org/c3ref/c_config_covering_index_scan.html),
so two connections rendering export pages in two threads took turns: two threads took as long
as one on pages of CSV lines, and half as long with the statistics off. Nothing here reads them
(they serve sqlite3_memory_used and the heap limits). Python's sqlite3 has no call for this, so
the library's own sqlite3_config is reached through ctypes; SQLite accepts it only while it is
shut down, that is with no connection open in the process.
"""

from __future__ import annotations

import ctypes

_SQLITE_OK = 0
_SQLITE_CONFIG_MEMSTATUS = 9  # sqlite3.h


def memory_statistics_off() -> bool:
    """Turn SQLite's memory statistics off; True if they are. Call only before this process
    opens its first connection. Where SQLite's functions cannot be reached (a build that links
    the library into the module without exporting them), nothing changes and this says False."""
    import _sqlite3

    try:
        library = ctypes.CDLL(_sqlite3.__file__)
        shutdown, config = library.sqlite3_shutdown, library.sqlite3_config
        initialize = library.sqlite3_initialize
    except (OSError, AttributeError):
        return False
    if shutdown() != _SQLITE_OK:
        return False
    done = config(_SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == _SQLITE_OK
    initialize()
    return bool(done)
