"""How each configured platform's link stands, as its adapter reports it: connecting (start-up),
connected, or retrying since when and why; stopped once `run` has stopped. The heartbeat writes
it beside the database for `seminarbot health` (README: Docker)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from seminarbot.clock import Clock, to_iso

CONNECTING, CONNECTED, RETRYING, STOPPED = "connecting", "connected", "retrying", "stopped"


@dataclass(frozen=True)
class Link:
    state: str
    since: str  # ISO instant (UTC) the state began
    detail: str = ""


class Connections:
    def __init__(self, clock: Clock, platforms: Iterable[str] = ()) -> None:
        self.clock = clock
        self._links = {platform: Link(CONNECTING, to_iso(clock.now())) for platform in platforms}
        self.changed = asyncio.Event()  # set when a state changes: the heartbeat writes it

    def report(self, platform: str, state: str, detail: str = "") -> None:
        """A state that does not change keeps its `since`; the detail is the latest."""
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
