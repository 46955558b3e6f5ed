"""The TIMEZONE parameter: an IANA name of a place (`Europe/Berlin`), or UTC.

An offset (`UTC+2`, `+02:00`, `GMT-5`), an abbreviation (`EST`, `CET`, `PST`), and the tz
database's fixed-offset and Etc zones (`Etc/GMT+2`, `EST5EDT`) are refused (README, Commands):
they do not follow a place's daylight-saving changes, so a seminar set in one would drift by an
hour for half the year. Each refusal suggests the zones of places that are at that offset now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, available_timezones

from seminarbot.domain.errors import BadArgument
from seminarbot.domain.near import near
from seminarbot.domain.textfold import as_word

UTC_NAMES = frozenset({"utc", "etc/utc", "uct", "etc/uct", "universal", "etc/universal",
                       "zulu", "etc/zulu", "z"})  # ISO 8601's letter for UTC, as Zulu is
# The tz database's names for offsets and abbreviations rather than places.
FIXED = frozenset({"cet", "cst6cdt", "eet", "est", "est5edt", "hst", "met", "mst", "mst7mdt",
                   "pst8pdt", "wet", "gmt", "gmt+0", "gmt-0", "gmt0", "greenwich", "factory"})
# Common abbreviations people type, and the places that use them.
ABBREVIATIONS = {
    "pst": "America/Los_Angeles America/Vancouver", "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles", "mst": "America/Denver America/Phoenix America/Edmonton",
    "mdt": "America/Denver", "mt": "America/Denver",
    "cst": "America/Chicago America/Mexico_City Asia/Shanghai", "cdt": "America/Chicago",
    "ct": "America/Chicago", "est": "America/New_York America/Toronto",
    "edt": "America/New_York", "et": "America/New_York", "akst": "America/Anchorage",
    "hst": "Pacific/Honolulu", "bst": "Europe/London",
    "wet": "Europe/Lisbon", "west": "Europe/Lisbon", "cet": "Europe/Berlin Europe/Paris",
    "cest": "Europe/Berlin Europe/Paris", "met": "Europe/Berlin",
    "eet": "Europe/Athens Europe/Helsinki Africa/Cairo", "eest": "Europe/Athens",
    "msk": "Europe/Moscow", "ist": "Asia/Kolkata Europe/Dublin Asia/Jerusalem",
    "jst": "Asia/Tokyo", "kst": "Asia/Seoul", "hkt": "Asia/Hong_Kong", "sgt": "Asia/Singapore",
    "aest": "Australia/Sydney Australia/Brisbane", "aedt": "Australia/Sydney",
    "acst": "Australia/Adelaide", "awst": "Australia/Perth", "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland", "sast": "Africa/Johannesburg", "wat": "Africa/Lagos",
    "eat": "Africa/Nairobi", "brt": "America/Sao_Paulo", "art": "America/Argentina/Buenos_Aires",
    "utc0": "UTC",
}
# The tz database's old US rule names (POSIX TZ style), and the places that follow each rule.
RULES = {"est5edt": "America/New_York America/Toronto", "cst6cdt": "America/Chicago",
         "mst7mdt": "America/Denver America/Edmonton",
         "pst8pdt": "America/Los_Angeles America/Vancouver"}
_EXAMPLE = "name the place's zone instead, such as Europe/Berlin or America/New_York."
# Names in a system's zone folder that are no place at all.
NOT_PLACES = {
    "localtime": f"That is this computer's own setting (/etc/localtime), not a place; {_EXAMPLE}",
    "posixrules": f"That is the tz database's default rule file, not a place; {_EXAMPLE}",
    "factory": f"Factory is the tz database's placeholder for a zone not yet set; {_EXAMPLE}",
}
# Well-known places, suggested first for an offset (then the rest, alphabetically).
KNOWN = ("Europe/London", "Europe/Berlin", "Europe/Paris", "Africa/Cairo", "Europe/Athens",
         "Europe/Moscow", "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai",
         "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Shanghai",
         "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "America/New_York",
         "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
         "America/Halifax", "America/Anchorage", "Pacific/Honolulu", "Atlantic/Azores")
_OFFSET = re.compile(r"(?:utc|gmt|z)?\s*([+\-−])\s*(\d{1,2})(?:[:h.]?(\d{2}))?",
                     re.IGNORECASE)
_ETC = re.compile(r"etc/gmt([+-])(\d{1,2})", re.IGNORECASE)
# Greenwich's clock by its names (helper-146's 10, helper-156's 8): one who types them means
# the UK's clock, GMT in winter and BST in summer, or a clock that never changes.
ZERO = frozenset({"gmt", "gmt0", "gmt+0", "gmt-0", "greenwich"})
ZERO_HINT = ("That is Greenwich's clock, which never changes, not a place's time zone: for the "
             "UK's (GMT in winter, BST in summer) name Europe/London; for one that never "
             "changes, UTC.")


@cache
def place_zones() -> dict[str, str]:
    """Every accepted name, by its lower case: the places, and UTC."""
    names = {name.lower(): name for name in available_timezones()
             if not name.startswith(("Etc/", "SystemV/")) and name.lower() not in FIXED
             and name.lower() not in UTC_NAMES and name.lower() not in NOT_PLACES}
    names["utc"] = "UTC"
    return names


@cache
def _canonical() -> tuple[str, ...]:
    """The tz database's own list of zones (zone.tab: one name per place, no old aliases such
    as Asia/Calcutta), from the tzdata package or the system; else every place name."""
    try:
        table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        try:
            table = Path("/usr/share/zoneinfo/zone.tab").read_text("utf-8")
        except OSError:
            return tuple(n for n in place_zones().values() if "/" in n)
    rows = [line.split("\t") for line in table.splitlines() if not line.startswith("#")]
    return tuple(row[2] for row in rows if len(row) > 2 and row[2].lower() in place_zones())


def zones_at(offset: timedelta, today: date, limit: int = 4) -> list[str]:
    """Places whose UTC offset is `offset` at noon UTC on `today`: well-known ones first."""
    instant = datetime.combine(today, time(12), UTC)
    matching = {n for n in _canonical() if ZoneInfo(n).utcoffset(instant) == offset}
    ordered = [n for n in KNOWN if n in matching] + sorted(matching - set(KNOWN))
    return ordered[:limit]


def show_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@dataclass(frozen=True)
class TimeZone:
    kind: str = "timezone"

    @property
    def expected(self) -> str:
        return "an IANA time zone such as Europe/Berlin or America/New_York"

    def parse(self, raw: str, param: str, today: date | None = None) -> str:
        key = as_word(raw).replace(" ", "_")
        if key in UTC_NAMES:
            return "UTC"
        found = place_zones().get(key)
        if found is not None:
            return found
        day = today or datetime.now(UTC).date()
        raise BadArgument(param, self.expected, raw, _why_not(key, day))


def _why_not(key: str, today: date) -> str:
    """The hint for a refused name: what it is, and the places to use instead."""
    offset = _offset_of(key.replace("_", ""))
    if key.removeprefix("etc/") in ZERO or offset == timedelta(0):
        return ZERO_HINT
    if offset is not None:
        if not timedelta(hours=-12) <= offset <= timedelta(hours=14):
            return "No place on Earth uses that offset."
        return _offset_hint("An offset is not a time zone", offset, today)
    etc = _ETC.fullmatch(key)
    if etc:  # the Etc names invert the sign: Etc/GMT+2 is two hours behind UTC
        offset = timedelta(hours=int(etc.group(2))) * (-1 if etc.group(1) == "+" else 1)
        return _offset_hint(f"That is a fixed offset, {show_offset(offset)} (Etc names invert "
                            "the sign), not a place's time zone", offset, today)
    if key in NOT_PLACES:
        return NOT_PLACES[key]
    if key in RULES:
        return (f"That is a rule name; name the place instead: "
                f"{', '.join(RULES[key].split())}.")
    if key in ABBREVIATIONS or key in FIXED or key.startswith("etc/"):
        places = ABBREVIATIONS.get(key, "").split() or ["UTC"]
        return (f"An abbreviation is not a time zone (it does not follow a place's daylight "
                f"saving); name the place instead: {', '.join(places)}.")
    close = _near_places(key)
    return f"Did you mean {', '.join(close)}?" if close else ""


def _near_places(key: str) -> list[str]:
    """Up to three zones a mistyped name may mean: those whose city part is the word
    ("Berlin"), those it begins at a word ("America/Sao"), then names near enough; an old
    alias never beside its place's own name (Asia/Kolkata, not also Asia/Calcutta) nor after
    another place's, nor two aliases of one zone."""
    names = place_zones()
    city = key.rsplit("/", 1)[-1]
    # Its place's own name first (london: Europe/London), then a name it begins, as one with
    # a space typed unquoted does (America/Sao for America/Sao_Paulo: helper-194's 4).
    named = [k for k in names if k.rsplit("/", 1)[-1] == city]
    begun = [k for k in names if k.startswith(f"{key}_") or (
        "/" not in key and k.rsplit("/", 1)[-1].startswith(f"{city}_"))]
    # A place found by its name is offered alone, not padded with names spelt a little alike
    # (Saigon: Asia/Ho_Chi_Minh, not US/Arizona too: helper-196's 8); else the cities spelt
    # like it (Kiv: Kiev), then the whole names.
    cities: dict[str, list[str]] = {}
    for name in names:
        cities.setdefault(name.rsplit("/", 1)[-1], []).append(name)
    alike = [k for c in near(city, cities.keys(), n=3, cutoff=0.75) for k in cities[c]]
    # A city alone is compared with cities only (Peking offered Europe/Kaliningrad by its
    # letters: helper-197's 6).
    close = list(dict.fromkeys([*named, *begun] or [
        *(near(key, alike, n=len(alike), cutoff=0) if alike else []),
        *(near(key, names.keys(), n=6, cutoff=0.5) if "/" in key else [])]))
    places = set(_canonical())
    # An old alias only ahead of every place's own name (London offered Hongkong, Poland).
    found = [names[k] for k in close]
    own = next((i for i, name in enumerate(found) if name in places), len(found))
    found = [name for i, name in enumerate(found) if i <= own or name in places]
    # An old alias is dropped beside a place's name of the same data (a link to it); no name
    # is replaced by another, which may be another place's (Iceland's data is Abidjan's).
    seen = {_zone_data(name) for name in found if name in places}
    chosen: list[str] = []
    for name in found:
        if name not in places:
            data = _zone_data(name)
            if data in seen:
                continue
            seen.add(data)
            # the place's name now, where one place of its area alone has its data
            # (Europe/Kiev: Europe/Kyiv; helper-195's 7), not another area's (Iceland's and
            # Atlantic/Reykjavik's data is Africa/Abidjan's)
            area = name.partition("/")[0] + "/"
            sole = [p for p in _places_by_data().get(data, []) if p.startswith(area)]
            name = sole[0] if len(sole) == 1 and "/" in name else name
        if name not in chosen:
            chosen.append(name)
    return chosen[:3]


@cache
def _places_by_data() -> dict[bytes, list[str]]:
    """The tz database's place names (`_canonical`) by their zone's compiled data."""
    found: dict[bytes, list[str]] = {}
    for name in _canonical():
        found.setdefault(_zone_data(name), []).append(name)
    return found


def _zone_data(name: str) -> bytes:
    """The zone's compiled file, found as zoneinfo finds it (TZPATH, then tzdata)."""
    for folder in TZPATH:
        try:
            return (Path(folder) / name).read_bytes()
        except OSError:
            continue
    try:
        return resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).read_bytes()
    except (ModuleNotFoundError, OSError):
        return name.encode()


def _offset_of(key: str) -> timedelta | None:
    match = _OFFSET.fullmatch(key)
    if match is None:
        return None
    sign = -1 if match.group(1) in "-−" else 1
    minutes = int(match.group(3) or 0)
    if minutes >= 60:
        return timedelta(hours=99)  # not an offset anyone uses
    return sign * timedelta(hours=int(match.group(2)), minutes=minutes)


def _offset_hint(what: str, offset: timedelta, today: date) -> str:
    places = zones_at(offset, today)
    if not places:
        return f"{what}; no place is at {show_offset(offset)} now. Name the place's zone."
    verb = "is" if len(places) == 1 else "are"
    return f"{what}; {', '.join(places)} {verb} {show_offset(offset)} now."
