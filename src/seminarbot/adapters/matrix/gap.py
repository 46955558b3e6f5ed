"""A gap in a room's timeline (a limited sync: more happened since our last sync token than the
sync returned), read from the room's history and handed over oldest first.

The history is read backwards from the start of the limited timeline to our last sync token,
100 events a request, and only as far back as the bot's own latest join (what came before is
not its; after a removal, back to where it left: `while_away`). A gap of up to KEEP events is
kept in memory and handed over at once; a longer one keeps only the pages' tokens, and its
pages are read again, oldest first, and handed over one at a time, so no gap is too long and
memory stays bounded.

A request that fails raises HistoryUnreadable: the sync loop then handles the whole batch
again without saving its token, so nothing after what was not read is taken as handled.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

from nio import AsyncClient, MessageDirection, RoomMessagesResponse

log = logging.getLogger(__name__)
PAGE_SIZE = 100
KEEP = 5_000  # events of one gap held in memory at most


class HistoryUnreadable(Exception):
    """The homeserver did not give a page of a room's history."""


class _Read:
    """What the first, backward pass found: each page's start token and size, the events
    themselves while there are no more than KEEP, and whether it reached the bot's join."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, int]] = []  # newest first
        self.events: list[Any] | None = []  # newest first; None once there were too many
        self.count = 0


async def gap_pages(client: AsyncClient, room_id: str, prev_batch: str, since: str | None,
                    joined: Callable[[Any], bool]) -> AsyncIterator[list[Any]]:
    """The gap's events, oldest first, in one or more lists, each event once. `joined(event)`
    says whether an event is where the bot's part begins (its own join; after a removal, its
    leave): the gap starts after the newest such event. `since` None reads back until then.
    Raises HistoryUnreadable."""
    found = await _backward(client, room_id, prev_batch, since, joined)
    log.info("matrix: filled a gap of %d events in %s", found.count, room_id)
    seen: set[str] = set()
    if found.events is not None:
        if found.events:
            yield _once(reversed(found.events), seen)
        return
    for token, size in reversed(found.pages):
        page = await _page(client, room_id, token, since)
        previous, seen = seen, set()
        yield [event for event in _once(reversed(page.chunk[:size]), seen)
               if _id(event) not in previous]


async def while_away(client: AsyncClient, room_id: str, prev_batch: str | None,
                     before: list[Any], left: Callable[[Any], bool]
                     ) -> AsyncIterator[list[Any]]:
    """A seminar's room the bot joined again (invited back after a kick or a ban): what was
    written there since it left, oldest first, as far as the room's history shows it to the
    bot (helper-186's 1: replies and edits made meanwhile were lost, the export older than
    the room). `before`: the timeline's events before the join; `left(event)` says whether an
    event is where the bot left. Raises HistoryUnreadable."""
    at = next((index for index in range(len(before) - 1, -1, -1) if left(before[index])), None)
    if at is None and prev_batch:
        async for page in gap_pages(client, room_id, prev_batch, None, left):
            yield page
    yield before[0 if at is None else at + 1:]


def _id(event: Any) -> str:
    return str(getattr(event, "event_id", None) or id(event))


def _once(events: Iterable[Any], seen: set[str]) -> list[Any]:
    """The events not in `seen`, which gains their ids."""
    unique = []
    for event in events:
        if _id(event) not in seen:
            seen.add(_id(event))
            unique.append(event)
    return unique


async def _backward(client: AsyncClient, room_id: str, prev_batch: str, since: str | None,
                    joined: Callable[[Any], bool]) -> _Read:
    found = _Read()
    token = prev_batch
    while True:
        page = await _page(client, room_id, token, since)
        chunk: Sequence[Any] = page.chunk
        cut = next((index for index, event in enumerate(chunk) if joined(event)), None)
        if cut is not None:
            chunk = chunk[:cut]  # the join itself and what came before it are not the bot's
        found.pages.append((token, len(chunk)))
        found.count += len(chunk)
        if found.events is not None:
            found.events.extend(chunk)
            if len(found.events) > KEEP:
                found.events = None
        if cut is not None or not page.chunk or not page.end or page.end == token:
            return found
        token = page.end


async def _page(client: AsyncClient, room_id: str, token: str, since: str | None
                ) -> RoomMessagesResponse:
    page = await client.room_messages(room_id, start=token, end=since,
                                      direction=MessageDirection.back, limit=PAGE_SIZE)
    if not isinstance(page, RoomMessagesResponse):
        raise HistoryUnreadable(f"the history of {room_id}: {page}")
    return page
