"""/seminar respond PROMPT TEXT and /seminar mine."""

from __future__ import annotations

from seminarbot.core.commands import Command, Param
from seminarbot.core.invocation import Actor, Invocation
from seminarbot.core.params import String, Words
from seminarbot.core.replies import Reply, Table, Tone, Verbatim, text
from seminarbot.domain.errors import Conflict
from seminarbot.domain.models import OutboxState
from seminarbot.domain.progress import THIS_WEEK
from seminarbot.domain.responses import MAX_BODY_CHARS, Outcome, stored_body
from seminarbot.domain.schedule import describe_local
from seminarbot.domain.stats import word_count
from seminarbot.features.common import cohort_here, complete_prompt
from seminarbot.services.container import Services
from seminarbot.services.responses import respond as record_response


async def respond(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    prompt = app.syllabus.plan.prompt(inv.args["prompt"])
    rows = [row for row in await app.outbox.for_cohort(cohort.id)
            if row.kind == "prompt" and row.item == prompt.id]
    posted = next((row for row in rows if row.state is OutboxState.POSTED), None)
    if posted is None:
        due = rows[0].due_at if rows else None
        when = f" It is due {describe_local(due, cohort.rule.zone)}." if due else ""
        raise Conflict(f"Prompt {prompt.ref} has not been posted in this seminar yet.{when}")
    outcome = await record_response(app, posted.message_id or "", inv.actor, inv.args["text"],
                                    inv.sent(), inv.source_id)
    if outcome is None:
        return text(await _not_stored(app, inv.actor), tone=Tone.WARNING, private=True)
    if outcome is Outcome.UNCHANGED:
        return text(f"Your response to {prompt.ref} was already recorded.", private=True)
    words = word_count(stored_body(inv.args["text"]) or "")  # as /seminar mine counts them
    return text(f"Recorded your response to {prompt.ref} ({words} word"
                f"{'' if words == 1 else 's'}).", tone=Tone.SUCCESS, private=True)


async def _not_stored(app: Services, actor: Actor) -> str:
    """Why a response was refused for who sent it (storage/refusals.py): opted out, or sent in
    the same second as their forget-me, which instants in whole seconds cannot put it after
    (README, Privacy; helper-177's 2)."""
    person = await app.participants.find(actor.platform, actor.user_id)
    if person is not None and person.opted_out:
        return "You have opted out of recording, so this was not stored."
    return ("This was not stored: it came in the same second as your request to be forgotten, "
            "and could not be told from what that deleted. Send it again to record it.")


def beginning(text: str, width: int = 60) -> str:
    """The text's first `width` characters, its whitespace runs one space, "…" ending it when
    cut. Only its start is read (a response may be 20,000 characters), unless that start is
    mostly whitespace."""
    start = " ".join(text[: 4 * width].split())
    if len(start) <= width and len(text) > 4 * width:
        start = " ".join(text.split())
    return start if len(start) <= width else start[: width - 1] + "…"


async def mine(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    participant = await app.participants.find(inv.actor.platform, inv.actor.user_id)
    records = [] if participant is None else await app.responses.by_participant(
        cohort.id, participant.id)
    if not records:
        return text("You have no recorded responses in this seminar yet.", private=True)
    refs = {p.id: p.ref for s in app.syllabus.plan.sessions for p in s.prompts}
    rows = []
    for record in records:
        excerpt = beginning(record.body)
        stamp = describe_local(record.created_at, cohort.rule.zone)
        edited = " (edited)" if record.edited_at else ""
        rows.append((refs.get(record.prompt_id, record.prompt_id), stamp + edited,
                     str(word_count(record.body)), Verbatim(excerpt)))
    return Reply(title=f"Your responses ({len(rows)})",
                    table=Table(("prompt", "when", "words", "beginning"), tuple(rows)),
                    private=True)


def commands() -> list[Command]:
    return [
        Command(("seminar", "respond"), "Answer a discussion prompt", respond,
                params=(Param("prompt", String(max_length=60, numbered=True,
                                               meaning="a prompt reference such as 1.2"),
                              "the prompt, SESSION.N as the prompt command shows it, e.g. 1.2",
                              autocomplete=complete_prompt),
                        Param("text", Words(max_length=MAX_BODY_CHARS), "your response",
                              rest=True)),
                private=True,
                details="On Discord and Matrix, replying in a prompt's thread does the same. "
                        f"The prompt command without a session shows the prompts of {THIS_WEEK}."),
        Command(("seminar", "mine"), "List your own responses in this seminar", mine,
                private=True),
    ]
