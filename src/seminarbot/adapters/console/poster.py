"""Posting into the terminal. A small journal beside the database lets a restart find posts
that were printed but not yet recorded, so they are reconciled instead of printed twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from seminarbot.adapters.console.render import render_post
from seminarbot.core.replies import PromptPost
from seminarbot.domain.models import Cohort
from seminarbot.scheduling.poster import PostedRef


class ConsolePoster:
    platform = "console"

    def __init__(self, emit: Callable[[str], None], journal: Path | None, width: int) -> None:
        self.emit = emit
        self.journal = journal
        self.width = width

    async def post_prompt(self, post: PromptPost) -> PostedRef:
        self.emit(render_post(post, self.width))
        message_id = f"console-{post.idempotency_key}"
        if self.journal is not None:
            with self.journal.open("a", encoding="utf-8") as journal:
                journal.write(json.dumps({"key": post.idempotency_key, "id": message_id}) + "\n")
        return PostedRef(message_id=message_id, thread_id=message_id)

    async def find_post(self, channel_id: str, idempotency_key: str) -> PostedRef | None:
        if self.journal is None or not self.journal.exists():
            return None
        for line in self.journal.read_text("utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by a crash
            if entry.get("key") == idempotency_key:
                return PostedRef(entry["id"], entry["id"])
        return None

    async def post_in_thread(self, cohort: Cohort, thread_id: str, message: str) -> PostedRef:
        self.emit(f"[in thread {thread_id}] {message}")
        return PostedRef(message_id=f"{thread_id}-notice", thread_id=thread_id)

    async def notify_moderators(self, cohort: Cohort, message: str) -> None:
        self.emit(f"[to moderators] {message}")
