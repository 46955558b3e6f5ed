"""Participants' privacy: /seminar optout, /seminar optin, /seminar forget-me [CODE], and the
moderators' /seminar retention [DAYS]."""

from __future__ import annotations

import secrets
from datetime import timedelta

from seminarbot.core.commands import Command, Param, Permission
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import Integer, String
from seminarbot.core.redaction import remember_secret
from seminarbot.core.replies import Reply, Tone, text
from seminarbot.domain.errors import BadArgument, Conflict
from seminarbot.domain.models import MAX_RETENTION_DAYS
from seminarbot.features.common import cohort_here
from seminarbot.services.container import Services
from seminarbot.storage.privacy import CodeCheck, Forgotten, Stored, StoredAbout

CONFIRM_WITHIN = timedelta(minutes=10)
MAX_CODE_TRIES = 3  # wrong codes before the pending one is cancelled
CODE_LENGTH = 6
_CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # nothing to misread (no 0/O, 1/I/L)


# Where an opt-out and a forget-me reach: every seminar of the bot on the caller's platform.
_EVERYWHERE = {"discord": "in every seminar of this bot on Discord, in every server",
               "matrix": "in every seminar of this bot on Matrix, in every room"}


def _everywhere(inv: Invocation[Services]) -> str:
    return _EVERYWHERE.get(inv.actor.platform, "in every seminar of this bot")


async def optout(inv: Invocation[Services]) -> Reply:
    actor = inv.actor
    async with inv.app.db.transaction():
        await inv.app.privacy.set_opted_out(actor.platform, actor.user_id, True, inv.sent())
    return text(f"From now on, {_everywhere(inv)}, nothing you write is recorded: neither your "
                "messages in prompt threads nor your "
                f"{inv.prefix}seminar respond. What was recorded before stays stored but is "
                "left out of every export and statistic, so the moderators of the seminars "
                "you answered in can see that you opted out (not where or when). "
                f"{inv.prefix}seminar optin records you again; {inv.prefix}seminar forget-me "
                "deletes what is stored.", title="Opted out", tone=Tone.SUCCESS, private=True)


async def optin(inv: Invocation[Services]) -> Reply:
    actor = inv.actor
    async with inv.app.db.transaction():
        await inv.app.privacy.set_opted_out(actor.platform, actor.user_id, False, inv.sent())
    return text(f"Your replies to discussion prompts are recorded again from now on, "
                f"{_everywhere(inv)}.", title="Opted in", tone=Tone.SUCCESS, private=True)


def _here(inv: Invocation[Services]) -> str:
    """Where the counts a reply shows are from: the server or room it is shown in. A reply in
    a room is read by the room, so it counts nothing from anywhere else (issue 18); in a
    direct room with the person, which holds no seminar, they are their counts everywhere
    (helper-178's 6: the direct room was counted as a seminar, with none)."""
    if inv.place.direct:
        return _everywhere(inv)
    name = inv.place.community_name
    return f"in {name}" if name else "here"


def _counted(inv: Invocation[Services], about: StoredAbout) -> Stored:
    return about.everywhere if inv.place.direct else about.here


async def forget_me(inv: Invocation[Services]) -> Reply:
    app, actor = inv.app, inv.actor
    repo = app.privacy
    now = inv.clock.now()
    code: str | None = inv.arg("code")
    if code:
        return await _confirm(inv, code)
    about = await repo.stored_about(actor.platform, actor.user_id, inv.place.community_id)
    if not about.anything:
        return text("Nothing is stored about you.", private=True)
    new_code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(CODE_LENGTH))
    await repo.request_forget(actor.platform, actor.user_id, new_code, now + CONFIRM_WITHIN)
    app.limits.attempts.clear(*_attempts_key(inv))
    remember_secret(new_code)  # never written to a log, whatever logs the reply
    minutes = int(CONFIRM_WITHIN.total_seconds() // 60)
    here, where = _counted(inv, about), _here(inv)
    elsewhere = "" if inv.place.direct else \
        "; what is stored about you elsewhere goes too, and is not counted here"
    return Reply(
        title="Forget me: please confirm", tone=Tone.WARNING, private=True,
        paragraphs=(f"This deletes everything stored about you, {_everywhere(inv)}, and "
                    f"cannot be undone. The counts are those {where}{elsewhere}.",),
        fields=((f"Responses {where}", f"{here.responses}, with "
                 f"{_plural(here.edits, 'earlier version')} of edited ones"),
                ("Participant record", "your id, your display names and your opt-out choice"),
                ("Audit log", f"your name and id in {_plural(here.audit_entries, 'entry')} "
                 f"of yours {where}, replaced by a pseudonym, and wherever another entry "
                 "names you; the actions stay recorded")),
        footer=f"To confirm, type {inv.prefix}seminar forget-me {new_code} within {minutes} "
               "minutes.")


def _attempts_key(inv: Invocation[Services]) -> tuple[str, str, str]:
    return ("forget-me", inv.actor.platform, inv.actor.user_id)


async def _confirm(inv: Invocation[Services], code: str) -> Reply:
    """The second step: the code given, everything deleted. A wrong code counts as a try;
    after MAX_CODE_TRIES wrong ones the pending code is cancelled."""
    app, actor, now = inv.app, inv.actor, inv.clock.now()
    typed = code.strip().removeprefix("`").removesuffix("`").strip()  # pasted as inline code
    if not (len(typed) == CODE_LENGTH and typed.isascii() and typed.isalnum()):
        # a typo, not a guess: no try is used up
        raise BadArgument("code", f"the {CODE_LENGTH}-character code the first step gave you, "
                                  "letters and digits only", code)
    done: Forgotten | None = None
    async with app.db.transaction():
        check = await app.privacy.check_code(actor.platform, actor.user_id, typed, now)
        if check is CodeCheck.MATCH:
            here = _counted(inv, await app.privacy.stored_about(
                actor.platform, actor.user_id, inv.place.community_id))
            done = await app.privacy.forget(actor.platform, actor.user_id, now)
            await app.audit.record(at=now, platform=actor.platform, actor_id=done.pseudonym,
                                   actor_name="", action="seminar forget-me", outcome="ok",
                                   detail={"responses_deleted": done.responses,
                                           "edits_deleted": done.edits,
                                           "audit_entries_anonymised": done.audit_entries,
                                           "audit_mentions_removed": done.mentions})
    if done is None:
        raise await _refusal(inv, check)
    if (kept := app.kept_outside.get(actor.platform)) is not None:
        kept(actor.user_id)
    app.limits.attempts.clear(*_attempts_key(inv))
    where = "" if inv.place.direct else f"{_here(inv)}, "  # (a direct room: everywhere)
    return text(f"Deleted everything stored about you, {_everywhere(inv)}: {where}"
                f"{_plural(here.responses, 'response')} with "
                f"{_plural(here.edits, 'earlier version')}, and your name and id from "
                f"{_plural(here.audit_entries, 'audit log entry')} of yours; "
                f"{'' if inv.place.direct else 'the same elsewhere (not counted here); '}"
                "your name from "
                f"{_plural(done.mentions, 'entry')} that named you, anywhere; and "
                "your participant record. Anything you write in a prompt's "
                "thread from now on is recorded again unless you also run "
                f"{inv.prefix}seminar optout.", title="Forgotten", tone=Tone.SUCCESS,
                private=True)


async def _refusal(inv: Invocation[Services], check: CodeCheck) -> Conflict:
    again = f"Run {inv.prefix}seminar forget-me again for a new one."
    if check is CodeCheck.NONE:
        return Conflict(f"No code is waiting for you: it has expired, or none was asked for. "
                        f"{again}")
    tries = inv.app.limits.attempts.fail(*_attempts_key(inv))
    if tries < MAX_CODE_TRIES:
        return Conflict(f"That code is wrong; {_plural(MAX_CODE_TRIES - tries, 'try')} left "
                        "before it is cancelled.")
    await inv.app.privacy.cancel_forget(inv.actor.platform, inv.actor.user_id)
    inv.app.limits.attempts.clear(*_attempts_key(inv))
    return Conflict(f"That code is wrong, and that was the last of {MAX_CODE_TRIES} tries: "
                    f"the code is cancelled. {again}")


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{count} {plural}"


async def retention(inv: Invocation[Services]) -> Reply:
    cohort = await cohort_here(inv)
    repo = inv.app.privacy
    days: int | None = inv.arg("days")
    if days is None:
        current = await repo.retention(cohort.id)
        shown = (f"Responses are deleted {_plural(current, 'day')} after they were written."
                 if current else "Responses are kept with no time limit.")
        return text(shown + f" Change it with {inv.prefix}seminar retention DAYS (0 keeps them).",
                    title="Retention")
    await repo.set_retention(cohort.id, days or None)
    if not days:
        return text("Responses in this seminar are kept (no retention limit).",
                    title="Retention off", tone=Tone.SUCCESS)
    # Enforced at once, then by the scheduler loop's housekeeping on every pass.
    swept = sum(n for cohort_id, n in await inv.app.retention(
        inv.clock.now()) if cohort_id == cohort.id)
    return text(f"Responses older than {_plural(days, 'day')} are deleted, checked at least "
                f"hourly. {_plural(swept, 'older response')} deleted just now.",
                title="Retention set", tone=Tone.SUCCESS)


def commands() -> list[Command]:
    return [
        Command(("seminar", "optout"), "Stop recording your messages from now on", optout,
                private=True),
        Command(("seminar", "optin"), "Record your messages again", optin, private=True),
        Command(("seminar", "forget-me"), "Delete everything stored about you (asks first)",
                forget_me, private=True,
                params=(Param("code", String(max_length=20, visible=False),
                              "the code the first step gave you", required=False),)),
        Command(("seminar", "retention"), "Show or set how many days responses are kept",
                retention, permission=Permission.MODERATOR,
                params=(Param("days", Integer(0, MAX_RETENTION_DAYS, unit="d"),
                              "days to keep responses; 0 keeps them", required=False),)),
    ]
