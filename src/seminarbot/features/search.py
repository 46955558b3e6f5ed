"""/seminar search WORDS: passages of the operator's copies, else our summaries and glossary."""

from __future__ import annotations

from seminarbot.core.commands import Command, Param
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import String
from seminarbot.core.replies import Reply, Tone
from seminarbot.domain.display import embedded, isolate
from seminarbot.domain.syllabus import Syllabus
from seminarbot.domain.textfold import COMMON, fold, search_terms
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
    phrase = f" {fold(words)} "
    # Common words are not ranked by (FTS5's ranking, once a copy is ingested, weighs words
    # by how rare they are).
    wanted = [term for term in terms if term not in COMMON] or terms
    scored: list[tuple[tuple[int, int, int, int, int], str, str]] = []
    for text in syllabus.texts:
        for section in text.sections:
            score = (0, *_score(fold(f"{section.title} {section.summary}"), phrase, wanted))
            if score[2]:
                label = f"{section.title} — {text.short} ({_session_of(syllabus, section.id)})"
                scored.append((score, label, _excerpt(section.summary, wanted) +
                               f" [{section.id}]"))
    for entry in syllabus.glossary:
        # An entry named by the words first (helper-191's 8: Stalin's own came after Stalinism)
        names = {fold(name) for name in (entry.term, *entry.aliases)}
        named = int(phrase.strip() in names or any(f" {phrase.strip()} " in f" {name} "
                                                  for name in names))
        score = (named, *_score(fold(" ".join((entry.term, *entry.aliases, entry.definition))),
                                phrase, wanted))
        if score[2]:
            scored.append((score, f"Glossary: {entry.term}", entry.definition))
    scored.sort(key=lambda item: item[0], reverse=True)
    notes = ["No copy of the texts has been ingested here, so this searched our own section "
             "summaries and glossary instead. An operator can add a copy with "
             "`seminarbot content ingest FILE --text TEXT-ID`."]
    if not scored:
        notes.insert(0, f"Nothing matches “{as_typed(isolate(words))}”.")
    return Reply(title=f"Search (summaries and glossary): {as_typed(embedded(words))}",
                 paragraphs=tuple(notes),
                 fields=tuple((label, body) for _, label, body in scored[:LIMIT]))


def _score(folded: str, phrase: str, terms: list[str]) -> tuple[int, int, int, int]:
    """How well a folded summary or entry matches: (1 if it has the words as typed, together;
    how many of `terms` it has; how often as whole words; how often), best highest. A term is a
    whole word, or the start of one from four letters (faction: factions); helper-189's 6:
    counted inside any word, `in` and `of` ranked every summary above `tax in kind`'s."""
    words = folded.split()
    counts = [sum(1 for word in words if _is(word, term)) for term in terms]
    whole = sum(1 for word in words for term in terms if word == term)
    return (int(phrase in f" {folded} "), sum(map(bool, counts)), whole, sum(counts))


def _is(word: str, term: str) -> bool:
    return word == term or (len(term) >= 4 and word.startswith(term))


def _excerpt(summary: str, terms: list[str], width: int = 30) -> str:
    words = summary.split()
    for index, word in enumerate(words):
        if any(_is(fold(word), term) for term in terms):
            start = max(0, index - width // 3)
            chunk = " ".join(words[start : start + width])
            return ("…" if start else "") + chunk + ("…" if start + width < len(words) else "")
    return " ".join(words[:width]) + ("…" if len(words) > width else "")


def commands() -> list[Command]:
    return [Command(
        ("seminar", "search"), "Search the texts for passages", search,
        params=(Param("words", String(max_length=200), "what to look for", rest=True),),
    )]
