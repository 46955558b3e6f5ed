"""Guild scheduled events in the fake, as Discord's API docs give them: external events only
(the bot lists sessions, it hosts no voice or stage), created, modified and listed under
`/guilds/{guild}/scheduled-events`, with the docs' field requirements and status transitions
checked. Anything else is written down as a problem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from tests.discord_fake.state import CREATE_EVENTS, MANAGE_EVENTS, Json, World

EXTERNAL, GUILD_ONLY = 3, 2
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
TRANSITIONS = {(SCHEDULED, ACTIVE), (ACTIVE, COMPLETED), (SCHEDULED, CANCELED)}
KEYS = {"name", "privacy_level", "scheduled_start_time", "scheduled_end_time", "description",
        "entity_type", "entity_metadata", "channel_id", "status", "image", "recurrence_rule"}

Reply = Callable[[Any, int], web.Response]
Error = Callable[[int, int, str], web.Response]


class ScheduledEvents:
    def __init__(self, world: World, problems: list[str], reply: Reply, error: Error) -> None:
        self.world = world
        self.problems = problems
        self.reply = reply
        self.error = error
        self.requests = 0

    def _refused(self, body: Json, creating: bool) -> str | None:
        """Why Discord would answer 400, or None."""
        unknown = set(body) - KEYS
        if unknown:
            return f"unknown fields {sorted(unknown)}"
        if creating and (body.get("entity_type") != EXTERNAL
                         or body.get("privacy_level") != GUILD_ONLY):
            return "only external, guild-only events are expected"
        location = (body.get("entity_metadata") or {}).get("location", "")
        if (creating or "entity_metadata" in body) and not 1 <= len(location) <= 100:
            return f"location {location!r} (1-100 characters)"
        if body.get("channel_id") is not None:
            return "an external event has no channel_id"
        if "name" in body and not 1 <= len(body["name"]) <= 100:
            return f"name {body['name']!r} (1-100 characters)"
        if "description" in body and not 1 <= len(body["description"] or "x") <= 1000:
            return "description over 1000 characters"
        if creating and not body.get("scheduled_end_time"):
            return "an external event needs scheduled_end_time"
        return None

    def _times_refused(self, event: Json) -> str | None:
        start = datetime.fromisoformat(event["scheduled_start_time"])
        end = datetime.fromisoformat(event["scheduled_end_time"])
        if end <= start:
            return "the end is not after the start"
        if event["status"] == SCHEDULED and start <= self.world.now():
            return "Cannot schedule event in the past."
        return None

    def _may(self) -> bool:
        return bool(self.world.bot_permissions & (MANAGE_EVENTS | CREATE_EVENTS))

    async def create(self, guild_id: int, body: Json) -> web.Response:
        self.requests += 1
        self.start_due()
        if not self._may():
            return self.error(403, 50013, "Missing Permissions")
        why = self._refused(body, creating=True)
        event: Json = {
            "id": str(self.world.new_id()), "guild_id": str(guild_id), "channel_id": None,
            "creator_id": self.world.bot["id"], "creator": self.world.bot,
            "name": body.get("name"), "description": body.get("description"),
            "scheduled_start_time": body.get("scheduled_start_time"),
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": GUILD_ONLY, "status": SCHEDULED, "entity_type": EXTERNAL,
            "entity_id": None, "entity_metadata": body.get("entity_metadata"),
            "user_count": 0, "image": None, "recurrence_rule": None}
        why = why or self._times_refused(event)
        if why:
            self.problems.append(f"scheduled event refused: {why}")
            return self.error(400, 50035, f"Invalid Form Body: {why}")
        self.world.events[int(event["id"])] = event
        return self.reply(event, 200)

    async def modify(self, guild_id: int, event_id: int, body: Json) -> web.Response:
        self.requests += 1
        self.start_due()
        event = self.world.events.get(event_id)
        if event is None or event["guild_id"] != str(guild_id):
            return self.error(404, 10070, "Unknown Guild Scheduled Event")
        if not self._may():
            return self.error(403, 50013, "Missing Permissions")
        status = body.get("status", event["status"])
        why = self._refused(body, creating=False)
        if status != event["status"] and (event["status"], status) not in TRANSITIONS:
            why = why or f"status {event['status']} → {status}"
        if event["status"] in (COMPLETED, CANCELED):
            why = why or "the event has ended or was cancelled"
        if event["status"] == ACTIVE and "scheduled_start_time" in body:
            why = why or "the event has started"
        changed = {**event, **{k: v for k, v in body.items() if k in KEYS}}
        why = why or (self._times_refused(changed) if status == SCHEDULED else None)
        if why:
            self.problems.append(f"scheduled event change refused: {why}")
            return self.error(400, 50035, f"Invalid Form Body: {why}")
        event.update(changed)
        return self.reply(event, 200)

    async def listed(self, guild_id: int) -> web.Response:
        self.start_due()
        return self.reply([e for e in self.world.events.values()
                           if e["guild_id"] == str(guild_id)], 200)

    def start_due(self) -> None:
        """What Discord does by itself: external events start at their start time and end at
        their end time."""
        now = self.world.now()
        for event in self.world.events.values():
            if event["status"] == SCHEDULED and \
                    datetime.fromisoformat(event["scheduled_start_time"]) <= now:
                event["status"] = ACTIVE
            if event["status"] == ACTIVE and \
                    datetime.fromisoformat(event["scheduled_end_time"]) <= now:
                event["status"] = COMPLETED

