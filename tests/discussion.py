"""A small recorded discussion for the export, stats and privacy tests: several people, both
sessions of the mini plan, texts that try formula and markup injection, an edit, a deletion and
an opted-out participant. Recorded through the same inbound API the platform adapters use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.domain.links import links_for
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_delete, record_edit, record_message
from tests.conftest import ConsoleDriver

ANN = Actor("console", "console:ann", "ann", is_moderator=True)
BOB = Actor("console", "console:bob", "bob")
EVE = Actor("console", "console:eve", "=Eve")
MAL = Actor("console", "console:mal", "<b>Mal</b> **x**")
OTTO = Actor("console", "console:otto", "otto")  # opts out after writing

HOSTILE = (
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(1,2)",
    "-2+3 is what?",
    "@cmd|' /C calc'!A0",
    "\tTabbed start",
    "\rCarriage return start",
    "'Already quoted",
    '<script>alert("x")</script> & <b>bold</b> <img src=x onerror=alert(1)>',
    "# not a heading\n\n1. not a list\n- nor this\n    not code\n> not a quote",
    'Commas, "double quotes" and\nline breaks',
    # U+2028 and U+2029 end a line for splitlines (helper-148: a JSON line split in three);
    # `$` opens mathematics where Markdown renderers have it.
    "Кириллица: совет и «власть»\u2028$$ x $$\u2029конец",
    "*stars* _unders_ `ticks` [link](http://x) \\ back & amp; &lt;",
)


@dataclass
class Discussion:
    threads: list[str]  # thread id of each posted prompt, in outbox order


async def seed(console: ConsoleDriver, app: Services, clock: ManualClock) -> Discussion:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    # Both sessions open on the first day: an hour apart, the shortest a session may be open.
    await console.say("/seminar min-open 1h")
    clock.advance(timedelta(hours=1))
    await console.say("/seminar post 2")
    items = await app.outbox.for_cohort(1)
    threads = [item.thread_id or "" for item in items if item.kind == "prompt"]
    people = (ANN, BOB, EVE, MAL, OTTO)
    for index, body in enumerate(HOSTILE):
        number = index + 1
        author = people[index % len(people)]
        # Two responses share each instant, so order must fall back on the id.
        if index % 2 == 0:
            clock.advance(timedelta(minutes=7))
        thread = threads[(index * 5) % len(threads)]
        message = InboundMessage("console", f"m{number}", author, f"{body} [#{number}]",
                                 clock.now(), thread_id=thread)
        assert await record_message(app, message) is not None
    clock.advance(timedelta(hours=1))
    await record_edit(app, "console", "m2", "+SUM(1,2) edited [#2]", clock.now())
    await record_delete(app, "console", "m3", clock.now())
    await app.db.execute("UPDATE participants SET opted_out = 1 WHERE external_id = ?",
                         ("console:otto",))
    return Discussion(threads)


async def expected_rows(app: Services, where: str = "", params: tuple[Any, ...] = ()
                        ) -> list[dict[str, Any]]:
    """What an export must hold, straight from the database, in transcript order."""
    plan = app.syllabus.plan
    session_rank = {s.id: s.number for s in plan.sessions}
    prompt_rank = {p.id: (i, p.ref) for s in plan.sessions for i, p in enumerate(s.prompts)}
    rows = await app.db.fetchall(
        "SELECT r.id, r.session_id, r.prompt_id, r.participant_id, n.display_name,"
        " r.message_id, r.created_at, r.edited_at, r.body,"
        " COALESCE(o.thread_id, o.message_id, '') AS thread, r.outbox_id, r.channel_id,"
        " m.platform, m.external_id AS community, c.channel_id AS seminar,"
        " o.message_id AS post, o.thread_id AS post_thread"
        " FROM responses r JOIN participants p ON p.id = r.participant_id"
        " JOIN cohorts c ON c.id = r.cohort_id JOIN communities m ON m.id = c.community_id"
        " LEFT JOIN participant_names n ON n.participant_id = p.id"
        " AND n.community_id = c.community_id"
        " LEFT JOIN outbox o ON o.id = r.outbox_id"
        " WHERE r.deleted_at IS NULL AND p.opted_out = 0" + where, params)

    def link(r: Any) -> str | None:
        links = links_for(r["platform"], r["community"], r["seminar"], r["post"] or "",
                          r["post_thread"])
        return links.response(r["message_id"], r["channel_id"]) or None

    ordered = sorted(rows, key=lambda r: (session_rank[r["session_id"]],
                                          prompt_rank[r["prompt_id"]][0], r["outbox_id"],
                                          r["created_at"], r["id"]))
    return [{"session": session_rank[r["session_id"]], "session_id": r["session_id"],
             "prompt": prompt_rank[r["prompt_id"]][1], "prompt_id": r["prompt_id"],
             "thread": r["thread"], "response_id": r["id"], "participant": r["participant_id"],
             "author": r["display_name"], "message_id": r["message_id"],
             "written_at": r["created_at"], "edited_at": r["edited_at"], "text": r["body"],
             "link": link(r)}
            for r in ordered]
