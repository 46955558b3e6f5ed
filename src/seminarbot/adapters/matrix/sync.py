"""The sync loop. The sync token is saved only after a batch has been handled, so what arrived
while the bot was down is handled once on restart: a crash mid-batch replays that batch, which
the handlers absorb (responses are keyed by event id, replies by a transaction id derived from
the command's event id). A gap in a room's timeline is filled from its history first (gap.py);
if the history cannot be read, the batch is handled again and its token not saved. A room's
events are handled in order, new replies next to each other together
(seminarbot.services.ordered)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from functools import partial
from typing import Any, Protocol

from aiohttp import ClientError
from nio import AsyncClient, SyncResponse

from seminarbot.adapters.http_answers import as_answered, retried, status_line
from seminarbot.adapters.matrix.backoff import rate_limit_delay
from seminarbot.adapters.matrix.client import MOST_ANSWER_BYTES
from seminarbot.adapters.matrix.events import Membership, left_the_room, translate
from seminarbot.adapters.matrix.files import FROM_NOW, MatrixFiles
from seminarbot.adapters.matrix.gap import HistoryUnreadable, gap_pages, while_away
from seminarbot.domain.backoff import Backoff
from seminarbot.domain.display import in_a_line, is_unicode
from seminarbot.domain.errors import Unavailable
from seminarbot.services.connections import (
    ANSWER_LIMIT,
    CONNECTED,
    RETRYING,
    NoAnswer,
    answered,
)
from seminarbot.services.ordered import StallWatch, in_runs
from seminarbot.services.outage import why

log = logging.getLogger(__name__)
SYNC_TIMEOUT_MS = 30_000
# Seconds a run's first sync may take (the full state of every room; nio sets no limit on one)
# before it is tried again, doubled at each try up to FIRST_SYNC_MOST (a large account on a
# slow homeserver must get its answer some time); a later sync has its long poll and
# ANSWER_LIMIT.
FIRST_SYNC_LIMIT, FIRST_SYNC_MOST = 120.0, 960.0
TIMELINE_LIMIT = 50
FINISH_GRACE = 2.0  # seconds to finish the batch in hand when the bot stops


Report = Callable[[str, str], None]


class SyncFailed(Exception):
    """The homeserver no longer accepts our login: retrying cannot help."""


class Handler(Protocol):
    async def invited(self, room_id: str, invite_state: list[Any]) -> None: ...

    async def left(self, room_id: str, events: list[Any]) -> None: ...

    async def event(self, room_id: str, event: Any, *, away: bool = False) -> None:
        """One event of a joined room; `away`: written while the bot was out of it."""
        ...

    async def holds_seminar(self, room_id: str) -> bool: ...

    def joins(self, event: Any) -> bool:
        """Whether the event may be handled together with its neighbours (a new reply)."""
        ...

    async def ready(self) -> None: ...

    async def handled_batch(self) -> None: ...

    def state(self, room_id: str, events: list[Any]) -> None:
        """A joined room's state events (and its timeline), before its events are handled."""
        ...


class SyncLoop:
    def __init__(self, client: AsyncClient, files: MatrixFiles, *,
                 timeline_limit: int = TIMELINE_LIMIT,
                 report: Report = lambda state, detail: None) -> None:
        self.report = report  # how the link stands (services.connections)
        self.client = client
        self.files = files
        self.handler: Handler | None = None
        self.watch = StallWatch()
        self.token = files.load_sync_token()
        self.filter = {"room": {"timeline": {"limit": timeline_limit}},
                       "presence": {"types": []}}
        self._first: asyncio.Future[SyncResponse | float | None] | None = None
        self._first_limit = FIRST_SYNC_LIMIT

    def ask_first(self) -> asyncio.Future[SyncResponse | float | None]:
        """Send the first sync now; run_forever takes its answer (cancel it if it never runs)."""
        self._first = asyncio.ensure_future(self._sync(True))
        return self._first

    async def run_forever(self, handler: Handler, watch: StallWatch | None = None) -> None:
        self.handler = handler
        self.watch = watch or self.watch
        backoff = Backoff(first=1.0, limit=120.0)
        first = True
        while True:
            answer = await self._first_or_sync(first)
            if not isinstance(answer, SyncResponse):
                delay = answer if answer is not None else backoff.next_delay()
                await asyncio.sleep(delay)
                continue
            try:
                await self._finishing(answer)
            except (ClientError, TimeoutError, Unavailable, HistoryUnreadable) as error:
                # Not saving the token: the same batch comes again, and handling is replay-safe.
                if isinstance(error, Unavailable):
                    await self.watch.failed(error)
                log.warning("matrix: %s; handling the batch again",
                            why(error) if isinstance(error, Unavailable)
                            else f"reading history failed ({error})")
                await asyncio.sleep(backoff.next_delay())
                continue
            backoff.reset()  # after a batch handled: a full disk's tries slow down (helper-130)
            await self.watch.succeeded()
            self.token = answer.next_batch
            self.files.save_sync_token(answer.next_batch)
            await self._keys()
            try:
                await self._contained("retrying undecrypted events", handler.handled_batch())
            except (ClientError, TimeoutError) as error:  # what waits is tried after the next
                log.warning("matrix: retrying undecrypted events stopped (%s: %s)",
                            type(error).__name__, error)
            if first:
                first = False
                await handler.ready()

    async def _first_or_sync(self, first: bool) -> SyncResponse | float | None:
        asked, self._first = self._first, None
        return await asked if asked is not None else await self._sync(first)

    async def _finishing(self, answer: SyncResponse) -> None:
        """Handle the batch. Cancelled meanwhile (the bot stopping), the batch in hand is still
        finished, for at most FINISH_GRACE seconds, and its token saved: the commands in it
        are answered once, now rather than after the restart."""
        handling = asyncio.ensure_future(self._handle(answer, history=self.token is not None))
        try:
            await asyncio.shield(handling)
        except asyncio.CancelledError:
            try:
                async with asyncio.timeout(FINISH_GRACE):  # cancels it when over (wait_for
                    await handling  # could lose a cancellation: clock.set_within)
            except Exception:
                log.warning("matrix: stopping before a batch was handled; it comes again")
            else:
                self.files.save_sync_token(answer.next_batch)
            raise

    async def _sync(self, first: bool) -> SyncResponse | float | None:
        """A sync response, or how long to wait before the next try (None: back off)."""
        try:
            # The first sync of a run asks for the full state: nio keeps rooms (power levels,
            # members, encryption) only in memory.
            answer = await answered(
                self.client.sync(timeout=0 if first else SYNC_TIMEOUT_MS,
                                 sync_filter=self.filter, since=self.token,
                                 full_state=True if first else None),
                self._first_limit if first else SYNC_TIMEOUT_MS / 1000 + ANSWER_LIMIT,
                "the homeserver")
        except (ClientError, TimeoutError) as error:
            if first and isinstance(error, NoAnswer):
                self._first_limit = min(2 * self._first_limit, FIRST_SYNC_MOST)
            # No hint of TLS: the homeserver has answered at this address (login) already.
            problem = str(error) if isinstance(error, NoAnswer) else retried(error, "")
            log.warning("matrix: sync failed (%s); retrying", problem)
            self.report(RETRYING, f"sync failed: {problem}")
            return None
        except Exception as error:  # nio taking in what others sent (a to-device room key it
            # cannot read raised ValueError): tried again, where the bot stopped
            log.error("matrix: the sync's answer could not be taken in (%s); retrying",
                      type(error).__name__)
            self.report(RETRYING, f"a sync could not be taken in: {type(error).__name__}")
            return None
        if isinstance(answer, SyncResponse):
            self.report(CONNECTED, "")
            return answer
        if getattr(answer, "status_code", None) in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"):
            raise SyncFailed(f"the homeserver ended our login: {answer}")
        if self.token is not None and getattr(getattr(answer, "transport_response", None),
                                              "status", None) == 400:
            # Damaged, or from another homeserver: asking again with it would never end.
            log.error("matrix: the homeserver refuses the saved sync token (%s); %s", answer,
                      FROM_NOW)
            self.token = None
            return 0.0
        waited = rate_limit_delay(answer)
        response = getattr(answer, "transport_response", None)
        if response is not None and 200 <= response.status < 300 \
                and not getattr(answer, "status_code", None):  # no Matrix error in it
            # Accepted, but nio found no sync in it (client.Client.parse_body said why if it is
            # too large); "refused" and nio's "unknown error" would mislead.
            said = (f"{status_line(response.status)} with no sync Matrix can read in it (no "
                    f"JSON, not the fields of a sync, or over {MOST_ANSWER_BYTES // 2**20} MiB)")
            log.warning("matrix: sync unreadable: %s; retrying", said)
            self.report(RETRYING, f"sync unreadable: {said}")
            return waited
        said = in_a_line(f"{answer}") if response is None else (  # nio's alone can be "unknown"
            f"{in_a_line(str(answer))}; {as_answered(response.status, response.reason)}")
        log.warning("matrix: sync refused (%s); retrying", said)
        self.report(RETRYING, f"sync refused: {said}")
        return waited

    async def _handle(self, answer: SyncResponse, *, history: bool) -> None:
        assert self.handler is not None
        for room_id, invite in _rooms(answer.rooms.invite):
            await self._contained(f"the invite to {room_id}",
                                  self.handler.invited(room_id, invite.invite_state))
        for room_id, info in _rooms(answer.rooms.join):
            self.handler.state(room_id, [*info.state, *info.timeline.events])
            if not history:
                continue  # the very first start: what was said before the bot is not for it
            await self._room(room_id, info.timeline)
        for room_id, info in _rooms(answer.rooms.leave):
            await self._contained(f"leaving {room_id}",
                                  self.handler.left(room_id, list(info.timeline.events)))

    async def _room(self, room_id: str, timeline: Any) -> None:
        """A joined room's new events in order: a gap first (gap.py), then the timeline; only
        what came after the bot's latest join."""
        assert self.handler is not None
        handle = partial(self.handler.event, room_id)
        events = list(timeline.events)
        join = next((index for index in range(len(events) - 1, -1, -1)
                     if self._our_join(events[index])), None)
        if join is not None:
            if await self.handler.holds_seminar(room_id):  # back after a kick or a ban
                away = partial(self.handler.event, room_id, away=True)
                async for page in while_away(self.client, room_id, timeline.prev_batch,
                                             events[:join], self._our_exit):
                    await in_runs(page, self.handler.joins, away)
            events = events[join + 1:]
        elif timeline.limited and timeline.prev_batch and self.token:
            async for page in gap_pages(self.client, room_id, timeline.prev_batch, self.token,
                                        self._our_join):
                await in_runs(page, self.handler.joins, handle)
        await in_runs(events, self.handler.joins, handle)

    @staticmethod
    async def _contained(what: str, work: Awaitable[None]) -> None:
        """One room's trouble is logged and does not stop the others or the loop."""
        try:
            await work
        except (ClientError, TimeoutError):
            raise
        except Exception:
            log.exception("matrix: handling %s failed", what)

    def _our_exit(self, event: Any) -> bool:
        """Where the bot left: its own leave or ban from the room it was in (not an unban, ban
        to leave: helper-187's 1, what was written while banned was lost), or an earlier join
        (nothing before it was missed)."""
        change = translate(getattr(event, "source", {}))
        return isinstance(change, Membership) and change.user_id == self.client.user_id and (
            change.membership == "join" or left_the_room(change))

    def _our_join(self, event: Any) -> bool:
        """The bot's own join (not a repeated join): the room's history before it is not its."""
        change = translate(getattr(event, "source", {}))
        return (isinstance(change, Membership) and change.user_id == self.client.user_id
                and change.membership == "join" and change.previous != "join")

    async def _keys(self) -> None:
        """What nio's sync_forever would do between syncs for E2EE."""
        client = self.client
        try:
            if client.outgoing_to_device_messages:
                await client.send_to_device_messages()
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
        except (ClientError, TimeoutError) as error:
            log.warning("matrix: key exchange failed (%s); trying after the next sync", error)


def _rooms(section: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """A sync section's rooms, but those whose id is no Unicode text (JSON's escapes can spell
    a lone surrogate; no room id holds one, spec: Identifier Grammar), which nothing could
    store: each is a WARNING line, as an event that is malformed is left out."""
    for room_id, info in section.items():
        if is_unicode(room_id):
            yield room_id, info
        else:
            log.warning("matrix: leaving out a room whose id is no Unicode text: %s",
                        room_id.encode("utf-8", "backslashreplace").decode())
