"""A pass of the scheduler's loop with nothing to post loads none of what posting needs: the
modules beside the loop (missed posts, a moderator's post, re-planning), the planning rules,
the shape of a post, Discord's rendering and scheduled events (scheduling/loop.py). A bot that
is only taking in responses never pays for them; the first post due loads them and is sent."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
SET_UP_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday: session 1 is due on Tuesday
POSTING = ["seminarbot.scheduling.missed", "seminarbot.scheduling.post_now",
           "seminarbot.scheduling.replan", "seminarbot.domain.planning",
           "seminarbot.core.replies", "seminarbot.domain.session_events",
           "seminarbot.adapters.discord.render", "seminarbot.adapters.discord.forum",
           "seminarbot.adapters.discord.permissions", "seminarbot.domain.links"]
# One pass in a fresh process, as `seminarbot run` makes it (its modules, the Discord
# adapter's; nothing of the tests'), with a poster that needs nothing of its own; prints what
# of POSTING it loaded and what was posted.
PASS = """
import asyncio, json, sys
from pathlib import Path
import seminarbot.cli.run, seminarbot.adapters.discord.bot
from seminarbot.app import open_services
from seminarbot.clock import ManualClock, parse_instant
from seminarbot.config.settings import Settings

class Poster:
    platform = "console"
    def __init__(self): self.posted = []
    async def post_prompt(self, post):
        from seminarbot.scheduling.poster import PostedRef
        self.posted.append(post.prompt_id)
        return PostedRef("m-" + post.prompt_id, "t-" + post.prompt_id)
    async def find_post(self, channel_id, key): return None
    def literal(self, text): return text
    async def post_in_thread(self, cohort, thread, message): raise AssertionError(message)
    async def notify_moderators(self, cohort, message): return True
    async def read_back(self, cohort, thread_id): pass

async def main(settings, now, posting):
    app = await open_services(Settings(**{k: Path(v) for k, v in settings.items()}),
                              ManualClock(parse_instant(now)))
    poster = Poster()
    app.scheduler.attach(poster)
    await app.scheduler.run_due()
    await app.close()
    print(json.dumps([[m for m in posting if m in sys.modules], poster.posted]))

asyncio.run(main(json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])))
"""


def one_pass(data: Path, now: str) -> tuple[list[str], list[str]]:
    settings = make_settings(data)
    paths = {"data_dir": settings.data_dir, "database": settings.database,
             "content_dir": settings.content_dir, "prompts_dir": settings.prompts_dir}
    done = subprocess.run([sys.executable, "-c", PASS, json.dumps({k: str(v) for k, v in
                                                                   paths.items()}),
                           now, json.dumps(POSTING)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    loaded, posted = json.loads(done.stdout)
    return loaded, posted


async def test_a_pass_with_nothing_due_loads_nothing_of_posting(tmp_path: Path) -> None:
    app = await open_services(make_settings(tmp_path), ManualClock(SET_UP_AT))
    await run_line(app, "seminar setup tue 19:00 UTC", Actor("console", "console:mod", "mod",
                                                            is_moderator=True),
                   Place("console", "local", "seminar"))
    await app.close()
    loaded, posted = one_pass(tmp_path, "2026-01-05T10:00:00Z")
    assert (loaded, posted) == ([], [])
    loaded, posted = one_pass(tmp_path, "2026-01-06T19:00:30Z")  # session 1 is due
    assert posted and {"seminarbot.core.replies", "seminarbot.domain.planning"} <= set(loaded)
