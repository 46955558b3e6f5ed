"""Per-person limits on commands, so one person cannot slow a seminar for everyone.

Every command passes `CommandLimits.admit` in dispatch before anything else (before the
permission check, so even refusals cost no database work). Each person (platform and user id)
has a token bucket: `burst` commands at once, refilled at `per_minute`; and at most `in_flight`
of their commands run at a time. Moderators get a larger allowance. Time is the injected
clock's.

A refused command is answered once ("slow down"); further commands refused before the person
is admitted again are answered with a silent reply, which adapters may leave unanswered, so
a flood is not echoed back into the channel.

Wrong confirmation codes are counted per person too (`Attempts`), in memory: a restart forgets
the count, which the code's ten-minute life bounds.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from seminarbot.clock import Clock
from seminarbot.core.invocation import Actor
from seminarbot.core.replies import Reply, Tone

# People remembered at once; the longest idle are forgotten first (a full bucket loses nothing).
MAX_PEOPLE = 10_000


@dataclass(frozen=True)
class Rate:
    burst: int  # commands accepted at once
    per_minute: float  # the bucket's refill
    in_flight: int  # commands of one person running at the same time


# A person types a command every few seconds at most; a burst covers a quick series.
PARTICIPANTS = Rate(burst=12, per_minute=30, in_flight=2)
MODERATORS = Rate(burst=60, per_minute=120, in_flight=4)


@dataclass
class _Person:
    tokens: float
    at: datetime
    running: int = 0
    told: bool = False


class CommandLimits:
    def __init__(self, clock: Clock, *, participants: Rate = PARTICIPANTS,
                 moderators: Rate = MODERATORS, unlimited: frozenset[str] = frozenset()) -> None:
        """`unlimited` names platforms whose commands are not limited (the local console)."""
        self.clock = clock
        self.participants = participants
        self.moderators = moderators
        self.unlimited = unlimited
        self._people: OrderedDict[tuple[str, str], _Person] = OrderedDict()
        self.attempts = Attempts()

    def rate(self, actor: Actor) -> Rate:
        return self.moderators if actor.is_moderator else self.participants

    def admit(self, actor: Actor) -> Reply | None:
        """None if the command may run (then `release(actor)` once it has finished), else the
        reply refusing it: a "slow down" the first time, a silent one after that."""
        if actor.platform in self.unlimited:
            return None
        rate, now = self.rate(actor), self.clock.now()
        person = self._person(actor, rate, now)
        elapsed = max((now - person.at).total_seconds(), 0.0)
        person.tokens = min(float(rate.burst), person.tokens + elapsed * rate.per_minute / 60)
        person.at = now
        if person.running >= rate.in_flight:
            return self._refuse(person, "Your earlier commands are still running: wait for "
                                "their answers, then try again.")
        if person.tokens < 1:
            wait = math.ceil((1 - person.tokens) * 60 / rate.per_minute)
            return self._refuse(person, f"You are sending commands faster than this bot takes "
                                f"them from one person ({rate.burst} at once, then "
                                f"{rate.per_minute:g} a minute). Try again in {wait} s.")
        person.tokens -= 1
        person.running += 1
        person.told = False
        return None

    def release(self, actor: Actor) -> None:
        person = self._people.get((actor.platform, actor.user_id))
        if person is not None and person.running > 0:
            person.running -= 1

    def _person(self, actor: Actor, rate: Rate, now: datetime) -> _Person:
        key = (actor.platform, actor.user_id)
        person = self._people.get(key)
        if person is None:
            person = self._people[key] = _Person(float(rate.burst), now)
            self._forget_idle()
        self._people.move_to_end(key)
        return person

    def _forget_idle(self) -> None:
        while len(self._people) > MAX_PEOPLE:
            key, oldest = next(iter(self._people.items()))
            if oldest.running:  # still running: keep it (a rare case; look no further)
                self._people.move_to_end(key)
                return
            del self._people[key]

    @staticmethod
    def _refuse(person: _Person, message: str) -> Reply:
        silent = person.told
        person.told = True
        return Reply(title="Slow down", paragraphs=(message,), tone=Tone.WARNING, private=True,
                     silent=silent)


class Attempts:
    """Wrong tries per person and purpose (a forget-me code), most recent MAX_PEOPLE kept."""

    def __init__(self) -> None:
        self._counts: OrderedDict[tuple[str, ...], int] = OrderedDict()

    def fail(self, *key: str) -> int:
        """Count one more wrong try; the count so far."""
        count = self._counts.pop(key, 0) + 1
        self._counts[key] = count
        while len(self._counts) > MAX_PEOPLE:
            self._counts.popitem(last=False)
        return count

    def clear(self, *key: str) -> None:
        self._counts.pop(key, None)
