"""`run`'s start-up without the cycle collector, and what it made frozen (Python's gc module).

Start-up makes most of the objects the bot keeps for its whole life (a platform's SDK, the
bot's modules, the syllabus: some 50,000 that the collector tracks) and little garbage. With
the collector on, the start set off about 120 collections on the way to ready on Discord (one
of them full), 40–55 ms of CPU, a tenth of the start (benchmarks/discord_bench.py), and every
later full collection walked those objects again. Here it is off for the start; then one
collection of what the start made frees its garbage (kept, it was 0.3–0.4 MB more at the peak
on Matrix) and what is alive goes to the permanent generation (`gc.freeze`), which later
collections skip.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Iterator

log = logging.getLogger(__name__)


@contextlib.contextmanager
def frozen_start() -> Iterator[None]:
    """The collector off inside; on success one collection, then everything alive is frozen.
    The collector is on again afterwards, success or not, if it was on before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
        # Everything the start made is still in the youngest generation (nothing was collected
        # meanwhile): collecting that one frees the same garbage as a full collection, without
        # walking the older objects again (20–25 ms against 35–40 on Discord).
        gc.collect(0)
        gc.freeze()
        # (Not counted: gc.get_freeze_count walks them all, some milliseconds.)
        log.debug("started: what the start made is frozen, out of the cycle collector's way")
    finally:
        if was_on:
            gc.enable()
