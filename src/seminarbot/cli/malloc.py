"""One malloc arena for the long-running bot, where the C library is glibc.

glibc gives each thread that allocates while another holds the arena a heap of its own (up to
eight per core, `mallopt(3)`, M_ARENA_MAX). The bot's SQLite connections each work in a thread
of their own (aiosqlite), so their page caches and statements grew a second heap beside the
interpreter's, and what one heap freed the other could not reuse: about 0.7 MB more resident
memory while taking in a burst of responses (benchmarks/matrix_bench.py). The interpreter
holds the GIL for most allocations, so the threads seldom wait for one another on the one
arena. Elsewhere (musl, macOS) nothing changes. Must run before the first thread starts.
"""

from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8  # glibc's malloc.h


def one_arena() -> bool:
    """Limit glibc's malloc to one arena; False where the C library is not glibc."""
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):  # the name is unknown outside glibc
        return False
    if not libc or not libc.startswith("glibc"):
        return False
    return bool(ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1))
