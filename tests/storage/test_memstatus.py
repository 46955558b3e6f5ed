"""SQLite's memory, measured in a fresh process by sqlite3_memory_used: its statistics turned
off (they can be only before the first connection) keep it at 0, where it counts otherwise;
the start-up check hands back the pages it read."""

import subprocess
import sys
from pathlib import Path

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


CHECKED = """
import asyncio, ctypes, sqlite3, _sqlite3, sys
from pathlib import Path
from seminarbot.storage.db import Database
from seminarbot.storage.migrate import check_for_start
used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
used.restype = ctypes.c_int64
path = Path(sys.argv[1])

async def main():
    db = await Database.open(path)
    await db.close()
    raw = sqlite3.connect(path)  # a table the check reads, larger than the page cache
    raw.execute("CREATE TABLE filler (x)")
    raw.executemany("INSERT INTO filler VALUES (?)", [("x" * 200,)] * 5000)
    raw.commit()
    raw.close()
    db = await Database.open(path)
    before = used()
    await check_for_start(db)
    print(used() - before)
    await db.close()

asyncio.run(main())
"""


def test_the_start_up_check_leaves_no_pages_in_the_cache(tmp_path: Path) -> None:
    """The check reads every table the bot starts with; what it read would stay in the
    connection's page cache (up to storage.dbfile.CACHE_KIB) unless handed back."""
    result = subprocess.run([sys.executable, "-c", CHECKED, str(tmp_path / "s.db")],
                            capture_output=True, text=True, check=True, timeout=60)
    assert int(result.stdout) < 64 * 1024
