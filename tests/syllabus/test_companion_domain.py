"""Pure pieces of the second edition: romanization, dates and calendars, pacing, people."""

import pytest

from seminarbot.domain.companion import Companion, Role, RoleTask, TimelineEvent, describe_date
from seminarbot.domain.glossary import Glossary, lookup_names
from seminarbot.domain.pacing import session_pacing
from seminarbot.domain.romanize import has_cyrillic, romanize
from seminarbot.domain.syllabus import GlossaryEntry
from seminarbot.syllabus.loader import load_syllabus


@pytest.mark.parametrize(("cyrillic", "latin"), [
    ("гласность", "glasnost’"), ("Хрущёв", "Khrushchev"), ("Яковлев", "Iakovlev"),
    ("Троцкий", "Trotskii"), ("чувство хозяина", "chuvstvo khoziaina"),
    ("Вячеслав", "Viacheslav"), ("щ", "shch"), ("СССР", "SSSR"), ("Ельцин", "El’tsin"),
])
def test_library_of_congress_romanization_as_the_texts_write_it(cyrillic: str, latin: str) -> None:
    assert romanize(cyrillic) == latin
    assert has_cyrillic(cyrillic) and not has_cyrillic(latin)


def test_dates_and_both_calendars() -> None:
    assert describe_date("1917-11-07") == "7 November 1917"
    assert describe_date("1917-11") == "November 1917" and describe_date("1905") == "1905"
    event = TimelineEvent("october", "1917-11-07", "October", "A note.", ("s",), ("October",),
                          old_style="1917-10-25")
    assert event.when() == "25 October 1917 OS (7 November 1917 NS)"
    spell = TimelineEvent("war", "1941-06-22", "War", "A note.", ("s",), ("war",),
                          until="1945-05-09")
    assert spell.when() == "22 June 1941 – 9 May 1945"


def test_companion_lookups() -> None:
    role = Role("checker", "Source checker", "Checks a claim.")
    companion = Companion(roles=(role,), tasks=(RoleTask("checker", "w2", "Checks 1918."),))
    assert companion.task(role, "w2") == "Checks 1918."
    assert companion.task(role, "w1") == "Checks a claim."


def test_pacing_of_the_shipped_plan() -> None:
    syllabus = load_syllabus()
    first = session_pacing(syllabus, syllabus.plan.sessions[0])
    assert first.reading_words is not None and 1000 < first.reading_words < 2000
    assert first.reading_minutes == 20  # 1,552 words at 100 a minute, rounded up to 5
    assert first.written == 1 and first.writing_words == 300 and first.writing_minutes == 30
    assert "Reading: about 1,552 words, about 20 minutes." in first.describe()
    for session in syllabus.plan.sessions:  # the second edition's balance (issue 17)
        pacing = session_pacing(syllabus, session)
        assert pacing.reading_words is not None
        assert pacing.writing_words * 1.2 <= pacing.reading_words or session.id == "synthesis"


def test_people_are_found_by_surname_in_either_script() -> None:
    kirov = GlossaryEntry("kirov", "Sergei Kirov", "person", "Leningrad party chief.", ("s",),
                          aliases=("Kirov",), original="Сергей Миронович Киров",
                          romanized="Sergei Mironovich Kirov", life="1886–1934")
    term = GlossaryEntry("kirovets", "Kirovets", "concept", "A tractor.", ("s",))
    glossary = Glossary([kirov, term])
    for query in ("kirov", "KIROV", "Sergei Kirov", "Киров", "Sergei Mironovich Kirov"):
        assert glossary.lookup(query) is kirov, query
    assert glossary.lookup("Sergei") is None  # a first name alone is too vague
    assert kirov in glossary.near("kirof")


def test_every_form_of_a_persons_names_is_derived_from_the_entry() -> None:
    lenin = GlossaryEntry("lenin", "Vladimir Lenin", "person", "Bolshevik leader.", ("s",),
                          aliases=("Lenin", "Ульянов"), original="Владимир Ильич Ленин",
                          romanized="Vladimir Il'ich Lenin", life="1870–1924")
    gorbachev = GlossaryEntry("gorbachev", "Mikhail Gorbachev", "person", "Party leader.",
                              ("s",), original="Михаил Сергеевич Горбачёв",
                              romanized="Mikhail Sergeevich Gorbachev", life="1931–2022")
    glossary = Glossary([lenin, gorbachev])
    for query in ("V. I. Lenin", "V.I. Lenin", "Lenin, V. I.", "V. Lenin", "Vladimir Il’ich Lenin",
                  "В. И. Ленин", "Владимир Ленин", "Ульянов", "Ul'ianov", "Vladimir Ul'ianov"):
        assert glossary.lookup(query) is lenin, query
    for query in ("Михаил Горбачёв", "Михаил Горбачев", "Горбачёв", "M. S. Gorbachev",
                  "Gorbachev, Mikhail"):
        assert glossary.lookup(query) is gorbachev, query
    names = lookup_names(lenin)
    assert "Ul’ianov" in names and "Vladimir Lenin" in names  # romanized from the Cyrillic
    assert glossary.lookup("Mikhail Lenin") is None  # one person's parts only
    assert glossary.lookup("Vladimir") is None
