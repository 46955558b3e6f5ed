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


def test_a_russian_word_in_any_of_its_forms_finds_its_entry() -> None:
    """helper-180's 4: советы, большевик, кадров found near matches, not the entry (Kirov came
    first for кадров). A Russian word is read in any case and number (Snowball's stemmer);
    English words are not cut, so entries kept apart stay apart."""
    from seminarbot.syllabus.loader import load_syllabus

    glossary = Glossary(load_syllabus().glossary)
    for query, entry_id in (("советы", "soviet"), ("Советов", "soviet"), ("Советам", "soviet"),
                            ("большевик", "bolsheviks"), ("большевиков", "bolsheviks"),
                            ("кадров", "cadres"), ("кулаки", "kulak"),
                            ("профсоюз", "trade-unions"), ("Верховного Совета", "supreme-soviet"),
                            ("Красной армии", "red-army"), ("Сталина", "stalin"),
                            ("Хрущёва", "khrushchev"), ("Хрущева", "khrushchev"),
                            ("исполкома", "ispolkom"), ("товарищеских судов", "comrades-courts")):
        found = glossary.lookup(query)
        assert found is not None and found.id == entry_id, (query, found and found.id)
    assert glossary.lookup("демократический") is None  # no entry is that word
    assert glossary.lookup("democratic") is None  # nor is the English word cut to democrat-
    assert glossary.lookup("кир") is None  # a stem too short to tell (Киров → кир)


def test_every_russian_name_finds_its_own_entry_and_no_form_two() -> None:
    """The invariant behind reading forms: every name in Cyrillic finds its own entry, and
    no stem is shared by two entries' names (a form would find neither)."""
    from seminarbot.domain.glossary import lookup_names
    from seminarbot.domain.romanize import has_cyrillic
    from seminarbot.domain.stems import stemmed
    from seminarbot.syllabus.loader import load_syllabus

    glossary = Glossary(load_syllabus().glossary)
    owners: dict[str, set[str]] = {}
    for entry in glossary.entries:
        for name in filter(has_cyrillic, lookup_names(entry)):
            assert glossary.lookup(name) == entry, name
            owners.setdefault(stemmed(name) or fold(name), set()).add(entry.id)
    assert {stem: ids for stem, ids in owners.items() if len(ids) > 1} == {}


def test_a_near_match_found_by_another_name_says_it() -> None:
    glossary = Glossary(ENTRIES)
    assert ("kritika", "criticism and self-criticism") in [
        (e.id, name) for e, name in glossary.near_named("criticism")]
    assert glossary.near_named("otryvv") == [(ENTRIES[1], None)]
