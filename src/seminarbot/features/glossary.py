"""/term QUERY: the glossary, with where each term appears."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from seminarbot.core.commands import Command, Param, Suggestion
from seminarbot.core.invocation import Invocation, Place
from seminarbot.core.params import String
from seminarbot.core.replies import Reply, Tone
from seminarbot.domain.companion import Companion
from seminarbot.domain.display import embedded, isolate
from seminarbot.domain.glossary import bare, spellings
from seminarbot.domain.romanize import has_cyrillic
from seminarbot.domain.syllabus import GlossaryEntry
from seminarbot.domain.textfold import fold
from seminarbot.domain.typed import as_typed

if TYPE_CHECKING:
    from seminarbot.services.container import Services


async def term(inv: Invocation[Services]) -> Reply:
    glossary = inv.app.glossary
    query: str = inv.args["query"]
    # A person mentioned with the term (`/term @ann soviets`, to show her) is not part of it.
    without = " ".join(MENTION.sub(" ", query).split())
    if not without:  # nothing but mentions: not echoed (helper-195's 5)
        return Reply(title="No entry", tone=Tone.WARNING, paragraphs=(
            "A mention names a person here, not a term of the texts.",
            f"Try {inv.prefix}term with a term or a name, e.g. {inv.prefix}term soviet, or "
            f"{inv.prefix}help term."))
    entry = glossary.lookup(without)
    if entry is None:
        return _no_entry(inv, without)
    syllabus = inv.app.syllabus
    person = entry.category == "person"
    fields = [("Category", entry.category.replace("-", " "))]
    if entry.life:
        fields.append(("Lived", entry.life))
    if entry.original:
        fields.append(("Original", entry.original))
    if entry.romanized:
        fields.append(("Romanized", entry.romanized))
    if entry.aliases:
        fields.append(("Also", ", ".join(entry.aliases)))
    fields.append(("Named in" if person else "Appears in",
                   "; ".join(syllabus.section_label(s) for s in entry.sections)))
    if entry.related:
        fields.append(("Related", ", ".join(glossary.get(r).term for r in entry.related)))
    return Reply(title=entry.term, paragraphs=(entry.definition,), fields=tuple(fields))


def _no_entry(inv: Invocation[Services], query: str) -> Reply:
    """Near matches; for a term left out on purpose, why, and the entries it points to first
    (helper-180's 5: "Leningrad" offered Lenin only, where the decision says "see kirov"); the
    entries whose definitions name it (helper-189's 2: Gosplan, Rykov); the search offered
    for what is not Russian (helper-191's 4: it has no Russian word to find)."""
    glossary = inv.app.glossary
    said = f"No glossary entry for “{as_typed(isolate(query))}”."
    near = glossary.near_named(query)
    common = not bare(query)  # (a symbol beside a common word is not common: helper-197's 7)
    if common:
        said = said[:-1] + (": it is too common a word to look up." if len(query.split()) == 1
                            else ": its words are too common to look up.")
    elif why := _left_out(inv.app.syllabus.companion, query):
        said += f" It has none on purpose: {why}"
        # The entries the decision points to, if it names any, are the ones to offer
        # (helper-191's 6: Leningrad, Kirov's city, offered Lenin by its spelling too).
        named = [e for name in AN_ID.findall(why)
                 if (e := glossary.lookup(name)) is not None and e.id == name]
        pointed: list[tuple[GlossaryEntry, str | None]] = [(e, None) for e in dict.fromkeys(named)]
        near = pointed[:3] or near
    elif naming := glossary.naming(query):
        said += " The entries that name it: " + ", ".join(e.term for e in naming) + "."
    hint = ("Did you mean: " + ", ".join(_named(e, name) for e, name in near) + "?") if near else \
        f"Try {inv.prefix}term with a whole word or name, or {inv.prefix}help term." \
        if len(query) <= 2 or common else \
        ("Our summaries and definitions are in English, so the search finds no Russian word: "
         f"try {inv.prefix}term with the English word or in Latin letters, or "
         f"{inv.prefix}help term.") if has_cyrillic(query) else \
        f"Try {inv.prefix}seminar search {as_typed(embedded(query))}, or {inv.prefix}help term."
    return Reply(title="No entry", paragraphs=(said, hint), tone=Tone.WARNING)


def _named(entry: GlossaryEntry, name: str | None) -> str:
    """A near match as offered: its term, and the name it was found by if that is another
    (helper-180's 5: "russians" offered "populism", found by "Russian populism")."""
    return f"{entry.term} (“{isolate(name)}”)" if name else entry.term


AN_ID = re.compile(r"\b[a-z][a-z0-9]*(?:-[a-z0-9]+)*\b")  # a decision names entries by id
# A mention as the platforms write one in a command's text: Discord's user, role and channel
# (Discord's API docs, Message Formatting), and any word that begins with @ (a Matrix user ID,
# spec, Appendices: User Identifiers; @everyone, @room; a name typed with @).
MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|(?<!\S)@\S+")


def _left_out(companion: Companion, query: str) -> str | None:
    """Why the glossary has no entry for `query`, if a term left out of it on purpose is this
    one (content/glossary-excluded.yaml), in any spelling `Glossary.lookup` reads
    (`glossary.spellings`: a plural, a British s)."""
    keys = set(spellings(query))
    return next((x.reason for x in companion.exclusions if fold(x.term) in keys), None)


async def complete_term(app: Services, place: Place, prefix: str) -> list[Suggestion]:
    return [Suggestion(e.term, e.term) for e in app.glossary.complete(prefix)]


def commands() -> list[Command]:
    return [Command(
        ("term",), "Look up a term or a person in the glossary", term,
        params=(Param("query", String(max_length=100, meaning="a term"), "the term, e.g. otryv",
                      rest=True,
                      autocomplete=complete_term),),
        details="Case, accents and apostrophe style do not matter: glasnost, glasnost’ and "
                "Glasnost' find the same entry, as perestroyka finds perestroika, and a Russian "
                "word is found in any of its forms (советов finds совет). People are "
                "found by any of their names "
                "(kirov, Sergei Kirov, Сергей Киров, S. M. Kirov).",
    )]
