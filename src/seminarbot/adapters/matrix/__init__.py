"""Matrix, through matrix-nio: text commands with a prefix, prompts as thread roots, E2EE.

`run(app)` is what `seminarbot run` calls; `settings` declares the `matrix:` configuration.
This package itself imports nothing of matrix-nio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seminarbot.services.container import Services


async def run(app: Services) -> None:
    from seminarbot.adapters.matrix.bot import run as run_bot

    await run_bot(app)
