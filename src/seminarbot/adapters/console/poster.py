"""Posting into the terminal. A small journal beside the database lets a restart find posts
that were printed but not yet recorded, so they are reconciled instead of printed twice."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from seminarbot.adapters.console.render import render_post
from seminarbot.config.files import append_private, read_regular
from seminarbot.core.replies import PromptPost
from seminarbot.domain.errors import OutputLost
from seminarbot.domain.jsontext import read_json
from seminarbot.domain.models import Cohort
from seminarbot.scheduling.poster import PostedRef

log = logging.getLogger(__name__)
MAX_JOURNAL_BYTES = 50_000_000  # a line of some 60 bytes a post


class ConsolePoster:
    platform = "console"

    def __init__(self, emit: Callable[[str], None], journal: Path | None, width: int) -> None:
        self._emit = emit
        self.journal = journal
        self.width = width

    def emit(self, text: str) -> None:
        """Print it. Standard output full or closed stops the pass (OutputLost): the post stays
        claimed for the next start (helper-129: it was taken for a fault of the bot's, and
        marked failed, never retried)."""
        try:
            self._emit(text)
        except OSError as error:
            raise OutputLost(error.strerror or str(error)) from error

    async def post_prompt(self, post: PromptPost) -> PostedRef:
        self.emit(render_post(post, self.width))
        message_id = f"console-{post.idempotency_key}"
        if self.journal is not None:
            entry = json.dumps({"key": post.idempotency_key, "id": message_id}) + "\n"
            try:
                append_private(self.journal, entry)
            except OSError as error:  # shown already: only a crash before it is recorded
                log.warning("the console's journal %s cannot be written (%s): a restart may "
                            "show this post again", self.journal, error.strerror or error)
        return PostedRef(message_id=message_id, thread_id=message_id)

    async def find_post(self, channel_id: str, idempotency_key: str) -> PostedRef | None:
        if self.journal is None:
            return None
        try:
            text = read_regular(self.journal, MAX_JOURNAL_BYTES, own=True).decode("utf-8",
                                                                                "replace")
        except FileNotFoundError:
            return None
        except OSError as error:
            log.warning("the console's journal %s cannot be read (%s)", self.journal, error)
            return None
        damaged = 0
        for line in text.splitlines():
            try:
                entry = read_json(line)
            except ValueError:
                continue  # a line torn by a crash
            if not (isinstance(entry, dict) and isinstance(entry.get("key"), str)
                    and isinstance(entry.get("id"), str)):
                damaged += 1  # not a line this poster wrote
                continue
            if entry["key"] == idempotency_key:
                return PostedRef(entry["id"], entry["id"])
        if damaged:
            log.warning("the console's journal %s holds %d lines it did not write; they are "
                        "passed over", self.journal, damaged)
        return None

    def literal(self, text: str) -> str:
        return text  # a terminal shows text as it is (its controls made visible when printed)

    async def post_in_thread(self, cohort: Cohort, thread_id: str, message: str) -> PostedRef:
        self.emit(f"[in thread {thread_id}] {message}")
        return PostedRef(message_id=f"{thread_id}-notice", thread_id=thread_id)

    async def notify_moderators(self, cohort: Cohort, message: str) -> bool:
        self.emit(f"[to moderators] {message}")  # OutputLost stops the pass: a digest waits
        return True

    async def read_back(self, cohort: Cohort, thread_id: str) -> None:
        """Nothing: no one writes in a console's threads while it is not running."""
