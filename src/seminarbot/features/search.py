"""/seminar search WORDS: passages of the operator's copies, else our summaries and glossary."""

from __future__ import annotations

from seminarbot.core.commands import Command, Param
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import String
from seminarbot.core.replies import Reply, Tone
from seminarbot.domain.display import embedded, isolate
from seminarbot.domain.syllabus import Syllabus
from seminarbot.domain.textfold import fold, search_terms
from seminarbot.domain.typed import as_typed
from seminarbot.services.container import Services

LIMIT = 5


def _session_of(syllabus: Syllabus, section_id: str) -> str:
    for session in syllabus.plan.sessions:
        if section_id in session.sections:
            return f"session {session.number}"
    return "not in the plan"


async def search(inv: Invocation[Services]) -> Reply:
    words: str = inv.args["words"]
    syllabus = inv.app.syllabus
    if not search_terms(words):
        return Reply(title="Nothing to search for", tone=Tone.WARNING,
                        paragraphs=("Give at least one word of two letters or more.",))
    ingested = await inv.app.passages.ingested()
    if not ingested:
        return _fallback(syllabus, words)
    fields = []
    for hit in await inv.app.passages.search(words, LIMIT):
        section = syllabus.section(hit.section_id)
        text = syllabus.text(hit.text_id)
        fields.append((f"{section.title} — {text.short} ({_session_of(syllabus, section.id)})",
                       f"{hit.excerpt} [{section.id}]"))
    notes = []
    missing = [t.short for t in syllabus.texts if t.id not in ingested]
    if missing:
        notes.append("Not ingested here, so not searched: " + ", ".join(missing) + ".")
    if not fields:
        notes.insert(0, f"No passage matches “{as_typed(isolate(words))}”.")
    return Reply(title=f"Search: {as_typed(embedded(words))}", paragraphs=tuple(notes),
                 fields=tuple(fields),
                 footer="Excerpts come from the copies this server's operator ingested.")


def _fallback(syllabus: Syllabus, words: str) -> Reply:
    terms = [fold(term) for term in search_terms(words)]
    scored: list[tuple[int, str, str]] = []
    for text in syllabus.texts:
        for section in text.sections:
            haystack = fold(f"{section.title} {section.summary}")
            score = sum(haystack.count(term) for term in terms)
            if score:
                label = f"{section.title} — {text.short} ({_session_of(syllabus, section.id)})"
                scored.append((score, label, _excerpt(section.summary, terms) +
                               f" [{section.id}]"))
    for entry in syllabus.glossary:
        haystack = fold(" ".join((entry.term, *entry.aliases, entry.definition)))
        score = sum(haystack.count(term) for term in terms)
        if score:
            scored.append((score + 1, f"Glossary: {entry.term}", entry.definition))
    scored.sort(key=lambda item: -item[0])
    notes = ["No copy of the texts has been ingested here, so this searched our own section "
             "summaries and glossary instead. An operator can add a copy with "
             "`seminarbot content ingest FILE --text TEXT-ID`."]
    if not scored:
        notes.insert(0, f"Nothing matches “{as_typed(isolate(words))}”.")
    return Reply(title=f"Search (summaries and glossary): {as_typed(embedded(words))}",
                 paragraphs=tuple(notes),
                 fields=tuple((label, body) for _, label, body in scored[:LIMIT]))


def _excerpt(summary: str, terms: list[str], width: int = 30) -> str:
    words = summary.split()
    for index, word in enumerate(words):
        if any(term in fold(word) for term in terms):
            start = max(0, index - width // 3)
            chunk = " ".join(words[start : start + width])
            return ("…" if start else "") + chunk + ("…" if start + width < len(words) else "")
    return " ".join(words[:width]) + ("…" if len(words) > width else "")


def commands() -> list[Command]:
    return [Command(
        ("seminar", "search"), "Search the texts for passages", search,
        params=(Param("words", String(max_length=200), "what to look for", rest=True),),
    )]
