"""Per-person limits on commands, so one person cannot slow a seminar for everyone.

Every command passes `CommandLimits.admit` in dispatch before anything else (before the
permission check, so even refusals cost no database work). Each person (platform and user id)
has a token bucket: `burst` commands at once, refilled at `per_minute`; and at most `in_flight`
of their commands run at a time. Moderators get a larger allowance. Time is the injected
clock's. Autocomplete requests pass `admit_completion` the same way (core/completion.py), with
an allowance of their own.

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
# Autocomplete asks on every keystroke while a command is typed (Discord): an allowance of its
# own, so that typing a command never uses up the command's, and bounded all the same.
COMPLETING_PARTICIPANTS = Rate(burst=30, per_minute=120, in_flight=2)
COMPLETING_MODERATORS = Rate(burst=60, per_minute=240, in_flight=4)


@dataclass
class _Person:
    tokens: float
    at: datetime
    running: int = 0
    told: bool = False


class _Buckets:
    """One token bucket and running count per person (platform and user id), the longest idle
    forgotten first beyond MAX_PEOPLE."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._people: OrderedDict[tuple[str, str], _Person] = OrderedDict()

    def take(self, actor: Actor, rate: Rate) -> tuple[_Person, str | None]:
        """The person, and None if they may start one more (counted as running until `release`),
        else why not."""
        now = self.clock.now()
        person = self._person(actor, rate, now)
        elapsed = max((now - person.at).total_seconds(), 0.0)
        person.tokens = min(float(rate.burst), person.tokens + elapsed * rate.per_minute / 60)
        person.at = now
        if person.running >= rate.in_flight:
            return person, ("Your earlier commands are still running: wait for their answers, "
                            "then try again.")
        if person.tokens < 1:
            wait = math.ceil((1 - person.tokens) * 60 / rate.per_minute)
            return person, (f"You are sending commands faster than this bot takes them from one "
                            f"person ({rate.burst} at once, then {rate.per_minute:g} a minute). "
                            f"Try again in {wait} s.")
        person.tokens -= 1
        person.running += 1
        return person, None

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


class CommandLimits:
    def __init__(self, clock: Clock, *, participants: Rate = PARTICIPANTS,
                 moderators: Rate = MODERATORS,
                 completing: tuple[Rate, Rate] = (COMPLETING_PARTICIPANTS, COMPLETING_MODERATORS),
                 unlimited: frozenset[str] = frozenset()) -> None:
        """`completing`: autocomplete's allowance for participants and for moderators.
        `unlimited` names platforms whose commands are not limited (the local console)."""
        self.clock = clock
        self.participants = participants
        self.moderators = moderators
        self.completing = completing
        self.unlimited = unlimited
        self._commands = _Buckets(clock)
        self._completions = _Buckets(clock)
        self.attempts = Attempts()

    def rate(self, actor: Actor) -> Rate:
        return self.moderators if actor.is_moderator else self.participants

    def admit(self, actor: Actor) -> Reply | None:
        """None if the command may run (then `release(actor)` once it has finished), else the
        reply refusing it: a "slow down" the first time, a silent one after that."""
        if actor.platform in self.unlimited:
            return None
        person, refused = self._commands.take(actor, self.rate(actor))
        if refused is None:
            person.told = False
            return None
        silent = person.told
        person.told = True
        return Reply(title="Slow down", paragraphs=(refused,), tone=Tone.WARNING, private=True,
                     silent=silent)

    def release(self, actor: Actor) -> None:
        self._commands.release(actor)

    def admit_completion(self, actor: Actor) -> bool:
        """Whether an autocomplete request may be answered (then `release_completion(actor)`
        once it has been); one refused is left unanswered (core/completion.py), so it costs no
        reply."""
        if actor.platform in self.unlimited:
            return True
        participants, moderators = self.completing
        _, refused = self._completions.take(actor, moderators if actor.is_moderator
                                            else participants)
        return refused is None

    def release_completion(self, actor: Actor) -> None:
        self._completions.release(actor)


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
