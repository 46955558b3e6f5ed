from seminarbot.domain.glossary import Glossary
from seminarbot.domain.syllabus import GlossaryEntry
from seminarbot.domain.textfold import contains_term, fold

ENTRIES = [
    GlossaryEntry("glasnost", "glasnost'", "russian-term", "Openness.", ("a",),
                  aliases=("openness",), original="гласность"),
    GlossaryEntry("otryv", "otryv", "russian-term", "The gap.", ("a",), aliases=("the gap",)),
    GlossaryEntry("soviet", "soviet", "institution", "A council.", ("a",)),
    GlossaryEntry("kritika", "kritika/samokritika", "russian-term", "Criticism.", ("a",),
                  aliases=("criticism and self-criticism", "samokritika")),
]


def test_fold_ignores_case_accents_apostrophes_and_line_hyphens() -> None:
    assert fold("Glasnost'") == fold("glasnost’") == fold("GLASNOST") == "glasnost"
    assert fold("naïve  Démocratie") == "naive democratie"
    assert fold("revolu-\ntionary") == "revolutionary"
    assert contains_term(fold("all power to the Soviets!"), "soviet")
    assert not contains_term(fold("Sovietization"), "soviet")
    assert contains_term(fold("the Party-state grew"), "party state")


def test_lookup_by_term_alias_original_and_plural() -> None:
    glossary = Glossary(ENTRIES)
    for query in ("glasnost", "glasnost’", "Glasnost'", "OPENNESS", "гласность"):
        entry = glossary.lookup(query)
        assert entry is not None and entry.id == "glasnost", query
    assert glossary.lookup("soviets") == ENTRIES[2]
    assert glossary.lookup("samokritika") == ENTRIES[3]
    assert glossary.lookup("perestroika") is None
    assert glossary.lookup("  ") is None


def test_near_matches_are_at_most_three_and_relevant() -> None:
    glossary = Glossary(ENTRIES)
    assert [e.id for e in glossary.near("otryvv")] == ["otryv"]
    assert glossary.near("glasnot")[0].id == "glasnost"
    assert "kritika" in [e.id for e in glossary.near("criticism")]
    assert len(glossary.near("o")) <= 3
    assert glossary.near("zzzzzz") == []


def test_complete_prefers_prefixes() -> None:
    glossary = Glossary(ENTRIES)
    assert next(e.id for e in glossary.complete("gl")) == "glasnost"
    assert len(glossary.complete("")) == 4
