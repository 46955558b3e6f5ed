"""Matrix, through matrix-nio: text commands with a prefix, prompts as thread roots, E2EE.

`run(opening)` is what `seminarbot run` calls (start.py, services.opening); `settings` declares
the `matrix:` configuration. This package itself imports nothing of matrix-nio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seminarbot.services.opening import Opening


async def run(opening: Opening) -> None:
    from seminarbot.adapters.matrix.start import run as run_adapter

    await run_adapter(opening)
