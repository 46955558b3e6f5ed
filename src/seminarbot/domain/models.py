"""Records the bot keeps: cohorts, participants, outbox items and responses."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from seminarbot.domain.schedule import DEFAULT_MIN_OPEN, WeeklyRule

# Who the audit log names for what the bot does by itself (missed posts, retention).
SYSTEM_ACTOR = "seminarbot"
MAX_RETENTION_DAYS = 3650  # the longest retention limit a cohort can have (/seminar retention)
# Why an outbox row was skipped when the reading plan no longer had its session or prompt
# (scheduling/plan_change.py); such a row does not count toward its session (domain/progress).
NOT_IN_PLAN = "no longer in the reading plan (the content changed after it was planned)"


class CohortState(Enum):
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"


class Community(NamedTuple):
    id: int
    platform: str
    external_id: str
    name: str


class Cohort(NamedTuple):
    id: int
    community_id: int
    platform: str
    channel_id: str
    name: str
    plan_id: str
    rule: WeeklyRule
    state: CohortState
    reminder_before: timedelta | None = None  # before a session closes; None = no reminder
    reminder_names: bool = False  # reminders name who has responded
    digest: bool = True  # moderators get a digest when each session closes
    min_open: timedelta = DEFAULT_MIN_OPEN  # each session is open at least this long
    # The platform's id of its community (communities.external_id): a Discord server's id.
    community_external_id: str = ""


class OutboxState(Enum):
    PENDING = "pending"
    CLAIMED = "claimed"
    POSTED = "posted"
    SKIPPED = "skipped"
    FAILED = "failed"


OUTBOX_KINDS = ("prompt", "reminder", "digest")  # what an outbox row posts


class OutboxItem(NamedTuple):
    id: int
    cohort_id: int
    session_id: str
    kind: str
    item: str
    due_at: datetime
    state: OutboxState
    attempts: int
    message_id: str | None = None
    thread_id: str | None = None
    posted_at: datetime | None = None
    last_error: str | None = None
    # A reminder's round: 0 the first, 1 the first sent again after its close moved (storage
    # writes its kind as 'reminder:2'), and the close a sent one stated.
    round: int = 0
    announced: datetime | None = None

    @property
    def idempotency_key(self) -> str:
        return f"seminarbot-{self.cohort_id}-{self.id}"


class Participant(NamedTuple):
    """A person on one platform. Their display names are per community (storage/counted.py)."""

    id: int
    platform: str
    external_id: str
    opted_out: bool


class ResponseRecord(NamedTuple):
    id: int
    cohort_id: int
    session_id: str
    prompt_id: str
    participant_id: int
    platform: str
    message_id: str
    body: str
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
