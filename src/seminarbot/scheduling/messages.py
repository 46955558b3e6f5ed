"""The words of reminders (in a prompt's thread) and digests (to moderators)."""

from __future__ import annotations

from collections.abc import Sequence

from seminarbot.domain.display import isolate
from seminarbot.domain.models import OutboxItem
from seminarbot.domain.syllabus import Plan, Session
from seminarbot.scheduling.poster import NOTICE_MAX

_CUT_MARK = " … [cut short]"


def reminder_text(closes: str, responses: int, people: int,
                  names: Sequence[str] | None, *, closed: bool | None = False,
                  was: str | None = None, last: bool = False) -> str:
    """The reminder posted in a prompt's thread; with `names`, who has responded, as many as
    fit in one notice (NOTICE_MAX), then how many others. `closed`: the session closed as it
    fell due (the next one was posted early), and the thread still takes responses; None: it
    closes now, as the next session's post goes out (late, after downtime). `was`: the close
    the last reminder stated, for one sent again because the close moved. `last`: no session
    follows it (it closes a week after it opened, not as the next one opens)."""
    if people == 0:
        tally = "Nobody has responded yet"
    else:
        tally = (f"{people} participant{'s' if people != 1 else ''} "
                 f"{'have' if people != 1 else 'has'} responded so far "
                 f"({responses} response{'s' if responses != 1 else ''})")
    # `was` in the cohort's zone now, as every time shown (README: One zone), which a
    # reschedule may have changed since: the time the last reminder gave, not its words
    moved = f" (not {was}, the close the last reminder gave)" if was else ""
    if closed is None:
        text = (f"Reminder: this discussion closes now, {closes}{moved}, as the next session "
                f"opens; responses are still recorded here. {tally}.")
    elif closed:
        why = "a week after it opened (it is the last session)" if last else \
            "as the next session opened"
        text = (f"Reminder: this discussion closed {closes}{moved}, {why}; responses are "
                f"still recorded here. {tally}.")
    else:
        text = (f"Reminder: this discussion {'now ' if was else ''}closes {closes}{moved}. "
                f"{tally}.")
    if names:
        text += " Responded: " + _listed([isolate(name) for name in names],
                                         NOTICE_MAX - len(text) - len(" Responded: .")) + "."
    return fitted(text)


def _listed(names: Sequence[str], room: int) -> str:
    """Names joined with commas within `room` characters; those left out as "and 640 others"
    (whose length is kept free first)."""
    shown: list[str] = []
    used = 0
    for index, name in enumerate(names):
        left = len(names) - index - 1
        tail = len(f" and {left} others") if left else 0
        extra = len(name) + (2 if shown else 0)
        if used + extra + tail > room:
            rest = len(names) - len(shown)
            return ", ".join(shown) + (" and " if shown else "") + \
                f"{rest} other{'s' if rest != 1 else ''}"
        shown.append(name)
        used += extra
    return ", ".join(shown)


def fitted(text: str) -> str:
    """A notice the bot posts on its own, within NOTICE_MAX characters: cut at a line or word,
    saying it was."""
    if len(text) <= NOTICE_MAX:
        return text
    cut = text[: NOTICE_MAX - len(_CUT_MARK)]
    at = max(cut.rfind("\n"), cut.rfind(" "))
    return (cut[:at] if at > NOTICE_MAX // 2 else cut) + _CUT_MARK


def digest_text(session: Session, rows: Sequence[tuple[str, int, int]], participants: int) -> str:
    lines = [f"Digest for session {session.number}, “{session.title}”: {participants} "
             f"participant{'s' if participants != 1 else ''} responded."]
    for ref, responses, people in rows:
        lines.append(f"  {ref}: {responses} response{'s' if responses != 1 else ''} "
                     f"from {people} participant{'s' if people != 1 else ''}")
    return fitted("\n".join(lines))


def and_list(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def items_named(plan: Plan, items: Sequence[OutboxItem]) -> str:
    """"Session 1 prompts 1.1, 1.2 and 1.3", "Session 2 reminder": the posts one notice is
    about, by session, in the order they came."""
    by_session: dict[str, list[OutboxItem]] = {}
    for item in items:
        by_session.setdefault(item.session_id, []).append(item)
    parts = []
    for session_id, rows in by_session.items():
        session = plan.planned(session_id)
        refs = {p.id: p.ref for p in session.prompts} if session else {}
        which = f"Session {session.number}" if session else f"Session {session_id}"
        prompts = [refs.get(row.item, row.item) for row in rows if row.kind == "prompt"]
        if prompts:
            parts.append(f"{which} prompt{'s' if len(prompts) > 1 else ''} {and_list(prompts)}")
        parts += [f"{which} {row.kind}" for row in rows if row.kind != "prompt"]
    return "; ".join(parts)
