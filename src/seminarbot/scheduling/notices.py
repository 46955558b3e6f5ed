"""Posts that failed, told to a cohort's moderators (README, Permissions: one notice for the
posts that failed alike at once). Inside a batch of posts (the loop's pass, a moderator's
`/seminar post`; batches may overlap, as the loop and a console's clock do) failures are
gathered and told once per cohort, action and reason when the last batch ends: a forum that
refuses every post is one notice, not one per prompt (helper-185's 2: a moderator's post told
each prompt's alike). Outside any batch, at once."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seminarbot.domain.models import Cohort, OutboxItem

Tell = Callable[["Cohort", list["OutboxItem"], str, str], Awaitable[None]]


class Notices:
    def __init__(self, tell: Tell) -> None:
        """`tell(cohort, items, action, reason)` sends one notice."""
        self._tell = tell
        self._gathered: dict[tuple[int, str, str], tuple[Cohort, list[OutboxItem]]] = {}
        self._batches = 0

    @contextlib.asynccontextmanager
    async def batch(self) -> AsyncIterator[None]:
        self._batches += 1
        try:
            yield
        finally:
            self._batches -= 1
            if not self._batches:
                gathered, self._gathered = self._gathered, {}
                for (_, action, reason), (cohort, items) in gathered.items():
                    await self._tell(cohort, items, action, reason)

    async def failed(self, cohort: Cohort, item: OutboxItem, action: str, reason: str) -> None:
        if not self._batches:
            await self._tell(cohort, [item], action, reason)
        else:
            self._gathered.setdefault((cohort.id, action, reason), (cohort, []))[1].append(item)
