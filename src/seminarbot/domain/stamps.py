"""Stored instants as the zone's clock shows them (domain.schedule.describe_local), made
fast for the millions of stamps an export describes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from seminarbot.clock import parse_instant
from seminarbot.domain.schedule import abbreviation, describe_local

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

T = TypeVar("T")


class LocalStamps(Generic[T]):
    """`form(describe_local(...))` of stored stamps (`2026-01-06T19:05:42Z`, as `clock.to_iso`
    writes them; one that cannot be read, in a damaged row, is `form` of it as stored), fast:
    an export describes a million of them, mostly in a few thousand minutes.
    `form` shapes the text once per minute (`str`; escaped and encoded for a file).

    What an hour of UTC reads as locally is worked out once: the local day, the local minute of
    the day at its start and the zone's abbreviation; each minute's text is then kept. An hour is
    used only when the zone's offset is the same whole number of minutes at its first and last
    second and the local day does not change inside it; any other stamp (an offset change, an
    old local mean time with seconds in its offset, another format) is described on its own.
    """

    LIMIT = 50_000  # minutes (and hours) kept before starting afresh: a few MB

    def __init__(self, zone: ZoneInfo, form: Callable[[str], T]) -> None:
        self.zone = zone
        self.form = form
        self._minutes: dict[str, T] = {}
        self._hours: dict[str, tuple[str, int, str] | None] = {}
        self._encoded: dict[bytes, T] = {}  # a UTF-8 minute (`2026-01-06T19:05`) → its text

    def utf8(self, stamp: bytes) -> T:
        """`self(stamp.decode())` of a stamp as storage hands it over. The first stamp of a
        describable UTC hour shapes all of its sixty minutes; each stamp in it then costs one
        lookup and no decoding (shaping minute by minute, as they came, cost a fifth of a
        Markdown transcript's time: most of a million responses' minutes are new)."""
        found = self._encoded.get(stamp[:16])
        if found is not None and len(stamp) == 20 and stamp[19] == 90:
            return found
        if (len(stamp) == 20 and stamp[19] == 90 and stamp[13] == 58 and stamp.isascii()
                and stamp[14:16].isdigit()
                and (hour := self._readable_hour(stamp[:13].decode())) is not None):
            if len(self._encoded) + 60 > self.LIMIT:
                self._encoded.clear()
            for minute in range(60):
                self._encoded[b"%s:%02d" % (stamp[:13], minute)] = self._shape(hour, minute)
            found = self._encoded.get(stamp[:16])
            if found is not None:
                return found
        return self(stamp.decode(errors="replace"))

    def __call__(self, stamp: str) -> T:
        if len(stamp) == 20 and stamp[19] == "Z":
            known = self._minutes.get(stamp[:16])
            if known is not None:
                return known
            if stamp[13] == ":" and (hour := self._readable_hour(stamp[:13])) is not None:
                with contextlib.suppress(ValueError):
                    shaped = self._shape(hour, int(stamp[14:16]))
                    _remember(self._minutes, stamp[:16], shaped, self.LIMIT)
                    return shaped
        try:
            return self.form(describe_local(parse_instant(stamp), self.zone))
        except (ValueError, OverflowError):  # a damaged row: shown as stored, the rest goes on
            return self.form(stamp)

    def _readable_hour(self, hour: str) -> tuple[str, int, str] | None:
        try:
            return self._hour(hour)
        except (ValueError, OverflowError):
            return None

    def _shape(self, hour: tuple[str, int, str], minute: int) -> T:
        """The text of a minute (0 to 59) of an hour `_hour` describes."""
        day, start, name = hour
        at = start + minute
        return self.form(f"{day}{at // 60:02d}:{at % 60:02d} {name}")

    def _hour(self, hour: str) -> tuple[str, int, str] | None:
        """(local day as `Tue 06 Jan 2026 `, local minute of the day at the start, zone name)
        of one UTC hour (`2026-01-06T19`), or None if it cannot be described that way."""
        if hour in self._hours:
            return self._hours[hour]
        start = parse_instant(hour + ":00:00Z")
        first = start.astimezone(self.zone)
        last = (start + timedelta(seconds=3599)).astimezone(self.zone)
        offset = first.utcoffset()
        found = None
        if (offset is not None and offset == last.utcoffset() and not offset.total_seconds() % 60
                and first.tzname() == last.tzname() and first.date() == last.date()):
            found = (first.strftime("%a %d %b %Y "), first.hour * 60 + first.minute,
                     abbreviation(first))
        _remember(self._hours, hour, found, self.LIMIT)
        return found


def _remember(cache: dict[Any, Any], key: str | bytes, value: Any, limit: int) -> None:
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
