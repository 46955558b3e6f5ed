"""`seminarbot health`: exit 0 when the running bot is alive and every configured platform is
connected, or has been trying to reconnect for less than --max-down; 1 otherwise, with the
reason. `--json` prints what it read (README: Docker)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from seminarbot.cli.heartbeat import read
from seminarbot.domain.display import terminal_safe

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    health = commands.add_parser("health", help="exit 0 if the running bot is alive (Docker)")
    health.add_argument("--max-age", type=int, default=180, metavar="SECONDS",
                        help="how old the heartbeat may be (default 180)")
    health.add_argument("--max-down", type=int, default=300, metavar="SECONDS",
                        help="how long a platform may be disconnected (default 300)")
    health.add_argument("--json", action="store_true", help="print the states as JSON")


def main(settings: Settings, args: argparse.Namespace) -> int:
    path = settings.data_dir / "heartbeat"
    try:
        age = time.time() - path.stat().st_mtime
        platforms = read(path)["platforms"]
    except OSError:
        return _verdict(args, [f"no heartbeat at {path}"], {}, None)
    problems = [f"heartbeat is {age:.0f}s old"] if age > args.max_age else []
    now = datetime.now(UTC)
    for platform, link in sorted(platforms.items()):
        down = _seconds_down(link, now)
        if down is not None and down > args.max_down:
            detail = f" ({link['detail']})" if link.get("detail") else ""
            problems.append(f"{platform} has not been connected for {down:.0f}s{detail}")
    return _verdict(args, problems, platforms, age)


def _seconds_down(link: Any, now: datetime) -> float | None:
    if not isinstance(link, dict) or link.get("state") == "connected":
        return None
    try:
        since = datetime.fromisoformat(str(link.get("since")).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (now - since).total_seconds()


def _verdict(args: argparse.Namespace, problems: list[str], platforms: dict[str, Any],
             age: float | None) -> int:
    if args.json:
        print(json.dumps({"healthy": not problems, "problems": problems,
                          "heartbeat_age_seconds": None if age is None else round(age, 1),
                          "platforms": platforms}, indent=2, sort_keys=True))
    for problem in problems:  # a platform's own words may be in it: shown, never obeyed
        print(terminal_safe(problem), file=sys.stderr)
    return 1 if problems else 0
