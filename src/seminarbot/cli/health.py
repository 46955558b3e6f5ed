"""`seminarbot health`: exit 0 when the running bot is alive, every configured platform is
connected, or has been trying to reconnect for less than --max-down, and neither the writes
it needs nor the scheduler's passes have been failing for longer than that; 1 otherwise, with
the reason, a configuration it cannot read included (cli.main: a HEALTHCHECK knows no other
status). `--json` prints what it read (README: Docker)."""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from seminarbot.cli.boundary import say
from seminarbot.cli.heartbeat import INTERVAL_SECONDS, read
from seminarbot.config.data_folder import HEARTBEAT
from seminarbot.core.redaction import quoted

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings


KNOWN_STATES = ("connecting", "connected", "retrying", "stopped")
# The bot's own parts in the heartbeat beside the platforms (services.connections): the state
# that is well, and how a failure is said, then one that lasts longer than --max-down.
PARTS = {"database": ("writing", "the database's writes fail",
                      "the database has not taken writes for"),
         "scheduler": ("running", "the scheduler's passes fail",
                       "the scheduler's passes have failed for")}


CLOCK_SLACK = 60  # seconds a `since` may lie ahead of this clock (the bot's, another's)
WEEK = 7 * 24 * 3600  # a heartbeat older than that is no health check's notion of alive


def seconds(text: str) -> int:
    """A whole number of seconds from 1 to a week (argparse then says the error in one line)."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of seconds, got {text!r}") \
            from None
    if not 0 < value <= WEEK:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds from 1 to {WEEK} (a week), got {text.strip()[:40]}")
    return value


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    health = commands.add_parser("health", help="exit 0 if the running bot is alive (Docker)")
    health.add_argument("--max-age", type=seconds, default=180, metavar="SECONDS",
                        help="how old the heartbeat may be (default 180)")
    health.add_argument("--max-down", type=seconds, default=300, metavar="SECONDS",
                        help="how long a platform may be disconnected (default 300)")
    health.add_argument("--json", action="store_true", help="print the states as JSON")


def main(settings: Settings, args: argparse.Namespace) -> int:
    path = settings.data_dir / HEARTBEAT
    try:
        age = time.time() - path.stat().st_mtime
        found = read(path)
    except FileNotFoundError:
        return _verdict(args, [f"no heartbeat at {path}: `seminarbot run` has not run with "
                               "this data directory (the console writes none)"], {}, None)
    except OSError as error:  # a FIFO, a folder, a huge file: say which
        return _verdict(args, [f"the heartbeat {path} cannot be read: "
                               f"{error.strerror or error}"], {}, None)
    platforms, database = found["platforms"], found["database"]
    problems = [f"heartbeat is {age:.0f}s old"] if age > args.max_age else []
    if age < -INTERVAL_SECONDS:  # fail closed, as on a `since` still to come
        problems.append(f"heartbeat is dated {-age:.0f}s in the future: its clock or this "
                        "one is wrong")
    if not problems and age > max(2 * INTERVAL_SECONDS, args.max_down) \
            and not _stopped(platforms):
        # What it says is as old: `run` writes one every INTERVAL_SECONDS, and a full disk
        # (or a stuck bot) is what keeps it from writing the next.
        problems.append(f"heartbeat is {age:.0f}s old: not renewed for longer than "
                        f"--max-down ({args.max_down}s), so what it says is out of date (the "
                        "bot may be unable to write it: a full disk?)")
    now = datetime.now(UTC)
    if found["damaged"]:  # what `run` writes is always a JSON object: fail closed
        problems.append(f"the heartbeat {path} cannot be read: {found['damaged']}")
    elif not platforms:  # `run` always names its platforms: fail closed on anything else
        problems.append(f"the heartbeat {path} holds no platform's state")
    for platform, link in sorted(platforms.items()):
        problem = _problem(platform, link, now, args.max_down)
        if problem:
            problems.append(problem)
    for part, (well, failing, lasting) in PARTS.items():
        problem = _part_problem(part, found[part], now, args.max_down, well, failing, lasting)
        if problem:
            problems.append(problem)
    return _verdict(args, problems, platforms, age, database, found["scheduler"])


def _stopped(platforms: Any) -> bool:
    """The last beat of a `run` that has ended (said as such, platform by platform)."""
    return isinstance(platforms, dict) and any(
        isinstance(link, dict) and link.get("state") == "stopped" for link in platforms.values())


def _problem(platform: str, link: Any, now: datetime, max_down: int) -> str | None:
    """Why this platform's link is unhealthy, or None. What cannot be read (another version's
    file, a hand edit) is unhealthy, with the reason: a health check fails closed."""
    if not isinstance(link, dict) or link.get("state") not in KNOWN_STATES:
        state = link.get("state") if isinstance(link, dict) else link
        return f"{platform}: the heartbeat holds an unknown state {quoted(str(state), 40)}"
    down = _down(link, now)  # of every state: one without a time to trust fails closed
    if isinstance(down, str):
        return f"{platform} is {link['state']}, {down}"
    if link["state"] == "connected":
        return None
    if link["state"] == "stopped":  # the last beat of a `run` that has ended
        return f"{platform}: the bot stopped at {str(link.get('since'))[:40]}"
    if down <= max_down:
        return None
    return f"{platform} has not been connected for {down:.0f}s{_detail(link)}"


def _part_problem(part: str, entry: Any, now: datetime, max_down: int, well: str,
                  failing: str, lasting: str) -> str | None:
    """Why a part of the bot's own makes it unhealthy (failing for longer than `max_down`
    seconds, services.connections), or None; a heartbeat without the entry (the last beat,
    an older version's) says nothing about it."""
    if entry is None or (isinstance(entry, dict) and entry.get("state") == well):
        return None
    if not isinstance(entry, dict) or entry.get("state") != "failing":
        state = entry.get("state") if isinstance(entry, dict) else entry
        return f"the heartbeat holds an unknown {part} state {quoted(str(state), 40)}"
    down = _down(entry, now)
    if isinstance(down, str):
        return f"{failing}, {down}"
    if down <= max_down:
        return None
    return f"{lasting} {down:.0f}s{_detail(entry)}"


def _down(entry: dict[str, Any], now: datetime) -> float | str:
    """Seconds from the entry's `since` to `now`, or why they cannot be told: a health check
    fails closed, so a `since` still to come (a clock set back) does not read as "just now"."""
    given = str(entry.get("since"))[:40]
    try:
        since = datetime.fromisoformat(given.replace("Z", "+00:00"))
    except ValueError:
        since = None
    if since is None or since.tzinfo is None:
        return f"since a time the heartbeat does not give (with its zone): {given!r}"
    down = (now - since).total_seconds()
    if down < -CLOCK_SLACK:
        return f"since {given}, a time still to come (was the clock set back?)"
    return down


def _detail(entry: dict[str, Any]) -> str:
    return f" ({str(entry['detail'])[:300]})" if entry.get("detail") else ""


def _verdict(args: argparse.Namespace, problems: list[str], platforms: dict[str, Any],
             age: float | None, database: Any = None, scheduler: Any = None) -> int:
    if args.json:
        print(json.dumps({"healthy": not problems, "problems": problems,
                          "heartbeat_age_seconds": None if age is None else round(age, 1),
                          "platforms": platforms, "database": database,
                          "scheduler": scheduler},
                         indent=2, sort_keys=True))
    for problem in problems:  # a platform's own words may be in it: shown, never obeyed
        say(" ".join(problem.splitlines()), prefix="")  # one line each; the status is decided
    return 1 if problems else 0
