"""How each configured platform's link stands, as its adapter reports it: connecting (start-up),
connected, or retrying since when and why; stopped once `run` has stopped. Whether the writes
the bot needs fail: since when and why, as each writer (a platform's inbound events, the
scheduler) reports them. And whether the scheduler's passes fail on an error of the bot's own
(scheduling.loop `run_guarded`). The heartbeat writes them beside the database for
`seminarbot health` (README: Docker)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any, NamedTuple, TypeVar

from seminarbot.clock import Clock, to_iso
from seminarbot.domain.errors import Unavailable

CONNECTING, CONNECTED, RETRYING, STOPPED = "connecting", "connected", "retrying", "stopped"
WRITING, FAILING = "writing", "failing"  # the database's states
RUNNING = "running"  # the scheduler's, or FAILING
SCHEDULER = "scheduler"  # the scheduler's name as a writer (storage)
# Seconds a platform has to answer one try of a log-in: past it, the try counts as failed and
# is said (the SDKs' own limits are minutes: nio's 60 s three times, aiohttp's 300 s).
ANSWER_LIMIT = 30.0
T = TypeVar("T")


class NoAnswer(TimeoutError):
    """A server took the request and did not answer within the limit."""


async def answered(call: Awaitable[T], limit: float, who: str) -> T:
    """`call`'s result; NoAnswer ("{who} did not answer within {limit} s") once `limit`
    seconds have passed, `call` cancelled."""
    bound = asyncio.timeout(limit)
    try:
        async with bound:
            return await call
    except TimeoutError:
        if bound.expired():
            raise NoAnswer(f"{who} did not answer within {limit:g} s") from None
        raise  # the SDK's own limit came first


def reason(error: BaseException) -> str:
    """An error as one line says it: its message, or its type where it has none (a timeout).
    Python's advice to a programmer (on a number too long to read, that it call
    sys.set_int_max_str_digits) is no operator's to follow: it is left out."""
    said = str(error) or type(error).__name__
    return said.split("; use sys.set_int_max_str_digits()", 1)[0]


class Link(NamedTuple):
    state: str
    since: str  # ISO instant (UTC) the state began
    detail: str = ""


class Connections:
    def __init__(self, clock: Clock, platforms: Iterable[str] = ()) -> None:
        self.clock = clock
        self._links = {platform: Link(CONNECTING, to_iso(clock.now())) for platform in platforms}
        self.changed = asyncio.Event()  # set when a state changes: the heartbeat writes it
        self._failing: dict[str, Link] = {}  # writer → since when its writes fail, and why
        self._fault: Link | None = None  # since when the scheduler's passes fail, and why
        self.began = False  # whether a platform has been connected (a session began)

    def report(self, platform: str, state: str, detail: str = "") -> None:
        """A state that does not change keeps its `since`; the detail is the latest."""
        self.began = self.began or state == CONNECTED
        current = self._links.get(platform)
        if current and current.state == state:
            self._links[platform] = Link(state, current.since, detail[:300])
            return
        self._links[platform] = Link(state, to_iso(self.clock.now()), detail[:300])
        self.changed.set()

    def snapshot(self) -> dict[str, Any]:
        return {platform: {"state": link.state, "since": link.since,
                           **({"detail": link.detail} if link.detail else {})}
                for platform, link in sorted(self._links.items())}

    def storage(self, writer: str, error: Unavailable | None) -> None:
        """A writer's last outcome: `error` (its writes fail) or None (they are saved). A writer
        that keeps failing keeps its first `since`; the reason is the latest."""
        if error is None:
            if self._failing.pop(writer, None) is not None:
                self.changed.set()
            return
        from seminarbot.services.outage import why

        current = self._failing.get(writer)
        since = current.since if current else to_iso(self.clock.now())
        self._failing[writer] = Link(FAILING, since, why(error)[:300])
        if current is None:
            self.changed.set()

    def database(self) -> dict[str, Any]:
        """`{"state": "writing"}`, or `failing` with `since` (the first writer's that still
        fails) and the reason."""
        if not self._failing:
            return {"state": WRITING}
        first = min(self._failing.values(), key=lambda link: link.since)
        return {"state": FAILING, "since": first.since, "detail": first.detail}

    def scheduler_fault(self, fault: str | None) -> None:
        """The scheduler's last pass: failed on an error of the bot's (`fault` says which), or
        None (it ran). A fault that persists keeps its first `since`; the detail is the latest."""
        current = self._fault
        if fault is None:
            self._fault = None
        else:
            since = current.since if current else to_iso(self.clock.now())
            self._fault = Link(FAILING, since, fault[:300])
            # Such a pass says nothing of the database: what the scheduler last said of its
            # writes (storage) no longer stands.
            self.storage(SCHEDULER, None)
        if (current is None) != (self._fault is None):
            self.changed.set()

    def scheduler(self) -> dict[str, Any]:
        """`{"state": "running"}`, or `failing` with `since` and the error's kind."""
        fault = self._fault
        if fault is None:
            return {"state": RUNNING}
        return {"state": FAILING, "since": fault.since, "detail": fault.detail}

    def beat(self) -> dict[str, Any]:
        """What the heartbeat holds besides its time."""
        return {"platforms": self.snapshot(), "database": self.database(),
                "scheduler": self.scheduler()}
