"""What a historian sets beside the texts: a timeline, further reading, discussion roles, and
the decisions about candidate terms that get no glossary entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
# Russia kept the Julian calendar until 31 January 1918 (Old Style); the next day was
# 14 February (New Style). From 1 March 1900 the Julian date ran 13 days behind.
CALENDAR_CHANGE = date(1918, 2, 14)
JULIAN_LAG_DAYS = 13
WORK_RELATIONS = ("cited", "named", "background")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def parse_date(value: str) -> tuple[int, int | None, int | None] | None:
    """`1917`, `1917-10` or `1917-10-25` → (year, month, day); None when malformed."""
    match = _DATE.fullmatch(value)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return year, month, day


def describe_date(value: str) -> str:
    """`1917-11-07` → `7 November 1917`; `1917-11` → `November 1917`; `1917` → `1917`."""
    parsed = parse_date(value)
    if parsed is None:
        return value
    year, month, day = parsed
    if month is None:
        return str(year)
    if day is None:
        return f"{MONTH_NAMES[month - 1]} {year}"
    return f"{day} {MONTH_NAMES[month - 1]} {year}"


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event. `date` is New Style; `old_style` the Julian date Russia then used."""

    id: str
    date: str
    title: str
    note: str
    sections: tuple[str, ...]
    mentions: tuple[str, ...]  # words of the cited sections that refer to it
    until: str | None = None
    old_style: str | None = None

    def when(self) -> str:
        shown = describe_date(self.date)
        if self.old_style:
            shown = f"{describe_date(self.old_style)} OS ({describe_date(self.date)} NS)"
        if self.until:
            shown += f" – {describe_date(self.until)}"
        return shown


@dataclass(frozen=True)
class Work:
    """A work for further reading. `relation`: cited in a text's references, named in its
    body, or background the texts draw on without naming; `mention` is how a text names it."""

    id: str
    author: str
    title: str
    published: str
    why: str
    sessions: tuple[str, ...]
    relation: str
    found_in: tuple[str, ...] = ()
    mention: str | None = None

    def citation(self) -> str:
        return f"{self.author}, {self.title} ({self.published})"


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    task: str


@dataclass(frozen=True)
class RoleTask:
    """What one role does in one session, more precisely than the role's general task."""

    role: str
    session: str
    task: str


@dataclass(frozen=True)
class Exclusion:
    """A candidate term that deliberately has no glossary entry, and why."""

    term: str
    reason: str


@dataclass(frozen=True)
class Companion:
    timeline: tuple[TimelineEvent, ...] = ()
    works: tuple[Work, ...] = ()
    roles: tuple[Role, ...] = ()
    tasks: tuple[RoleTask, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    present: frozenset[str] = frozenset()  # which of the optional files exist

    def events_for(self, section_ids: tuple[str, ...]) -> list[TimelineEvent]:
        return [e for e in self.timeline if any(s in section_ids for s in e.sections)]

    def works_for(self, session_id: str) -> list[Work]:
        return [w for w in self.works if session_id in w.sessions]

    def task(self, role: Role, session_id: str) -> str:
        for task in self.tasks:
            if task.role == role.id and task.session == session_id:
                return task.task
        return role.task
