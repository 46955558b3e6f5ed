"""SQLite's memory statistics turned off in a fresh process (they can be only before its first
connection): sqlite3_memory_used then stays at 0, where it counts otherwise."""

import subprocess
import sys

PROBE = """
import ctypes, sqlite3, _sqlite3
from seminarbot.storage.memstatus import memory_statistics_off
done = memory_statistics_off() if {off} else None
db = sqlite3.connect(":memory:")
db.execute("CREATE TABLE t (x)")
db.executemany("INSERT INTO t VALUES (?)", [("x" * 100,)] * 1000)
used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
used.restype = ctypes.c_int64
print(done, used())
"""


def probe(off: bool) -> tuple[str, int]:
    result = subprocess.run([sys.executable, "-c", PROBE.format(off=off)], capture_output=True,
                            text=True, check=True, timeout=60)
    done, used = result.stdout.split()
    return done, int(used)


def test_memory_statistics_are_off_once_turned_off() -> None:
    assert probe(off=False)[1] > 0
    assert probe(off=True) == ("True", 0)
