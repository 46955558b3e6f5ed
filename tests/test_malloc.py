"""`run` limits glibc's malloc to one arena (cli/malloc.py): a thread that allocates then works
in the interpreter's heap instead of growing one of its own. Counted in a fresh process by
glibc's own malloc_stats(3), which lists every arena."""

import os
import subprocess
import sys

import pytest

PROBE = """
import ctypes, threading
from seminarbot.cli.malloc import one_arena
done = one_arena() if {limit} else None
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
worker = threading.Thread(target=lambda: libc.malloc(4096))
worker.start()
worker.join()
print(done, flush=True)
libc.malloc_stats()
"""


def arenas(limit: bool) -> tuple[str, int]:
    # glibc's own settings, which a host may set, would limit the arenas before the probe does.
    env = {k: v for k, v in os.environ.items()
           if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    result = subprocess.run([sys.executable, "-c", PROBE.format(limit=limit)], env=env,
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.strip(), result.stderr.count("Arena ")


def glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except ValueError:
        return False


@pytest.mark.skipif(not glibc(), reason="malloc arenas are glibc's")
def test_a_thread_allocates_in_the_one_arena_once_limited() -> None:
    assert arenas(limit=False) == ("None", 2)
    assert arenas(limit=True) == ("True", 1)
