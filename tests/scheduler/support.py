"""A synthetic plan long enough for ten-week scenarios, and a journalled fake platform."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.core.replies import PromptPost
from seminarbot.domain.models import Cohort
from seminarbot.domain.syllabus import (
    GlossaryEntry,
    Locator,
    Plan,
    Prompt,
    Reference,
    Section,
    Session,
    Syllabus,
    TextMap,
)
from seminarbot.scheduling.poster import PostedRef
from tests.conftest import START, ConsoleDriver, make_settings


def long_syllabus(weeks: int = 10, prompts_per_session: int = 2) -> Syllabus:
    sections = tuple(Section(f"s{n}", "t", f"Part {n}", Locator(f"part {n}"), "A part.", ())
                     for n in range(1, weeks + 1))
    sessions = tuple(
        Session(f"w{n}", n, f"Week {n}", (f"s{n}",), "Read it.",
                tuple(Prompt(f"w{n}-p{k}", f"w{n}", f"{n}.{k}", "comprehension", "Why?",
                             (f"s{n}",)) for k in range(1, prompts_per_session + 1)))
        for n in range(1, weeks + 1))
    return Syllabus(texts=(TextMap("t", "A text", "book", sections),),
                    plan=Plan("long", "Long plan", "", sessions),
                    reference=Reference(glossary=(GlossaryEntry("x", "x", "concept", "X.",
                                                                ("s1",)),)))


class JournalPoster:
    """A platform whose posts are lines in a file, so they survive our process being killed.

    crash = "before-send": die after the claim is committed, before anything reaches it;
    crash = "after-send": die after the post reached it, before we record the message id;
    crash = "before-second": die when asked for a second post (the first one is recorded).
    """

    def __init__(self, journal: Path, platform: str = "console", crash: str = "") -> None:
        self.journal = journal
        self.platform = platform
        self.crash = crash
        self.notices: list[str] = []
        self.read_back_threads: list[str] = []
        self.sent = 0  # posts asked of this object

    def posts(self) -> list[dict[str, str]]:
        if not self.journal.exists():
            return []
        return [json.loads(line) for line in self.journal.read_text().splitlines()]

    async def post_prompt(self, post: PromptPost) -> PostedRef:
        self.sent += 1
        if self.crash == "before-send" or (self.crash == "before-second" and self.sent == 2):
            os._exit(3)
        message_id = f"msg-{len(self.posts()) + 1}"
        with self.journal.open("a") as journal:
            journal.write(json.dumps({"key": post.idempotency_key, "id": message_id,
                                      "ref": post.prompt_ref}) + "\n")
            journal.flush()
            os.fsync(journal.fileno())
        if self.crash == "after-send":
            os._exit(3)
        return PostedRef(message_id, f"thread-{message_id}")

    async def find_post(self, channel_id: str, idempotency_key: str) -> PostedRef | None:
        for post in self.posts():
            if post["key"] == idempotency_key:
                return PostedRef(post["id"], f"thread-{post['id']}")
        return None

    def literal(self, text: str) -> str:
        return text

    async def post_in_thread(self, cohort: Cohort, thread_id: str, message: str) -> PostedRef:
        self.notices.append(f"{thread_id}: {message}")
        return PostedRef(f"notice-{len(self.notices)}", thread_id)

    async def notify_moderators(self, cohort: Cohort, message: str) -> bool:
        self.notices.append(message)
        return True

    async def read_back(self, cohort: Cohort, thread_id: str) -> None:
        self.read_back_threads.append(thread_id)


@contextlib.asynccontextmanager
async def console_seminar(folder: Path, weeks: int = 7) -> AsyncIterator[ConsoleDriver]:
    """A console on `long_syllabus(weeks)`, its clock at START (tests.conftest), started."""
    clock = ManualClock(START)
    app = await open_services(make_settings(folder), clock, syllabus=long_syllabus(weeks=weeks))
    driver = ConsoleDriver(app, clock)
    try:
        await driver.console.start()
        yield driver
    finally:
        await app.close()
