"""Each rule of the second edition (issue 17), shown failing on a copy of the content broken on
purpose: the check names the file, the entry and the reason."""

import re
from pathlib import Path

import pytest

from seminarbot.syllabus.check import Rules, check_content
from seminarbot.syllabus.loader import ContentRoots
from tests.conftest import SEEDS, needs_seeds
from tests.syllabus.editing import copy_roots, replace_in

SHIPPED = ContentRoots.default()


@pytest.fixture
def roots(tmp_path: Path) -> ContentRoots:
    return copy_roots(SHIPPED, tmp_path)


def messages(roots: ContentRoots, texts: bool = True) -> list[str]:
    folder = SEEDS if texts and SEEDS.is_dir() else None
    return [str(p) for p in check_content(roots, folder).problems]


def test_a_prompt_must_say_written_or_discussion(roots: ContentRoots) -> None:
    replace_in(roots.prompts / "critics.yaml", "    mode: discussion\n", "")
    assert "prompts/critics.yaml: prompts.critics-meanings.mode: is missing: say written or " \
           "discussion" in messages(roots, texts=False)


def test_written_prompts_give_their_length_and_discussion_prompts_do_not(
        roots: ContentRoots) -> None:
    replace_in(roots.prompts / "critics.yaml", "    suggested_words: 250\n", "")
    replace_in(roots.prompts / "stalin.yaml", "    mode: discussion\n",
               "    mode: discussion\n    suggested_words: 200\n")
    found = messages(roots, texts=False)
    assert "prompts/critics.yaml: prompts.critics-comprehension.suggested_words: is missing: a " \
           "written prompt says how many words it asks for" in found
    assert "prompts/stalin.yaml: prompts.stalin-comprehension.suggested_words: is given, but " \
           "the prompt is for discussion, not writing" in found


def test_one_or_two_written_prompts_a_week(roots: ContentRoots) -> None:
    path = roots.prompts / "stalin.yaml"
    path.write_text(path.read_text().replace("    mode: discussion\n    text:",
                                             "    mode: written\n    suggested_words: 100\n"
                                             "    text:"))
    assert "prompts/stalin.yaml: prompts: session stalin has 5 written prompts; expected 1 to 2" \
        in messages(roots, texts=False)


def test_a_bad_mode_is_refused_by_the_loader(roots: ContentRoots) -> None:
    replace_in(roots.prompts / "critics.yaml", "mode: written", "mode: essay")
    [message] = messages(roots, texts=False)
    assert message.startswith("prompts/critics.yaml: prompts[0].mode: expected one of written")


def test_a_russian_term_needs_cyrillic_that_romanizes_to_its_name(roots: ContentRoots) -> None:
    glossary = roots.content / "glossary.yaml"
    replace_in(glossary, '    original: "отрыв"\n', "")
    replace_in(glossary, 'original: "командование"', 'original: "командир"')
    replace_in(glossary, 'original: "кулак"', 'original: "kulak"')
    found = messages(roots, texts=False)
    assert "content/glossary.yaml: entries.otryv.original: is missing: a term or name of " \
           "Russian or Soviet origin gives its Russian form in Cyrillic" in found
    assert "content/glossary.yaml: entries.komandovanie.original: romanizes to “komandir” " \
           "(Library of Congress), which is neither the term, an alias nor `romanized`" in found
    assert "content/glossary.yaml: entries.kulak.original: “kulak” is not Cyrillic" in found


CYRILLIC_OF = {"ispolkom": "исполком", "nakaz": "наказ", "purge": "чистка",
               "one-man-management": "единоначалие", "dual-power": "двоевластие",
               "democratic-centralism": "демократический централизм",
               "criticism-from-below": "критика снизу", "left-opposition": "Левая оппозиция",
               "state-and-revolution": "Государство и революция"}


def test_every_term_of_russian_origin_gives_its_cyrillic(roots: ContentRoots) -> None:
    """Whether or not the texts romanize it: an English term of Soviet origin needs it too."""
    glossary = roots.content / "glossary.yaml"
    for cyrillic in CYRILLIC_OF.values():
        replace_in(glossary, f'    original: "{cyrillic}"\n', "")
    replace_in(roots.content / "people.yaml", '    original: "Сергей Миронович Киров"\n', "")
    found = messages(roots, texts=False)
    for entry_id in CYRILLIC_OF:
        assert f"content/glossary.yaml: entries.{entry_id}.original: is missing: a term or " \
               "name of Russian or Soviet origin gives its Russian form in Cyrillic" in found
    assert "content/people.yaml: people.kirov.original: is missing: a term or name of Russian " \
           "or Soviet origin gives its Russian form in Cyrillic" in found


def test_every_entry_says_where_it_comes_from(roots: ContentRoots) -> None:
    glossary = roots.content / "glossary.yaml"
    replace_in(glossary, "    category: institution\n    origin: russian\n",
               "    category: institution\n")  # the first institution: sovnarkhoz
    replace_in(glossary, "    category: russian-term\n    origin: russian\n",
               "    category: russian-term\n    origin: western\n")  # otryv
    replace_in(glossary, "    category: policy\n    origin: russian\n",
               "    category: policy\n    origin: western\n")  # vydvizhenie
    found = messages(roots, texts=False)
    assert "content/glossary.yaml: entries.sovnarkhoz.origin: is missing: say russian (a term " \
           "or name of Russian or Soviet origin) or western" in found
    assert "content/glossary.yaml: entries.otryv.origin: is western, but “otryv” is a Russian " \
           "word: say russian and give its Cyrillic" in found
    assert "content/glossary.yaml: entries.vydvizhenie.origin: is western, but “vydvizhenie” " \
           "is a Russian word: say russian and give its Cyrillic" in found
    replace_in(glossary, "origin: western", "origin: soviet")
    [message] = messages(roots, texts=False)
    assert message.startswith("content/glossary.yaml: entries[0].origin: expected one of "
                              "russian, western, got 'soviet'")


@needs_seeds
def test_a_term_romanized_in_the_texts_cannot_be_of_western_origin(roots: ContentRoots) -> None:
    replace_in(roots.content / "glossary.yaml", '    original: "кулак"\n    category: group\n'
               '    origin: russian\n', "    category: group\n    origin: western\n")
    assert "content/glossary.yaml: entries.kulak.origin: “kulaks” is Russian in the texts: the " \
           "entry's origin is russian, with its Cyrillic" in messages(roots)


def test_people_give_years_and_one_line(roots: ContentRoots) -> None:
    people = roots.content / "people.yaml"
    replace_in(people, 'life: "1886–1934"', 'life: "born 1886"')
    replace_in(people, "served as a pretext for mass repression.",
               "served as a pretext for mass repression. He was popular.")
    found = messages(roots, texts=False)
    assert "content/people.yaml: people.kirov.life: expected years as 1886–1934, got " \
           "'born 1886'" in found
    assert "content/people.yaml: people.kirov.identification: has 36 words; expected one " \
           "sentence of at most 40" in found, found


def test_people_live_in_people_yaml(roots: ContentRoots) -> None:
    replace_in(roots.content / "glossary.yaml", "    category: group\n    origin: russian\n"
               "    aliases: [\"kulaks\"", "    category: person\n    aliases: [\"kulaks\"")
    [message] = messages(roots, texts=False)
    assert re.match(r"content/glossary\.yaml: entries\[\d+\]\.category: people belong in "
                    r"people\.yaml", message), message


def test_the_timeline_is_in_order_within_its_years_and_both_calendars(
        roots: ContentRoots) -> None:
    timeline = roots.content / "timeline.yaml"
    replace_in(timeline, 'date: "1914-08-01"\n    old_style: "1914-07-19"',
               'date: "1914-08-01"\n    old_style: "1914-07-18"')
    replace_in(timeline, 'date: "1917-11-07"\n    old_style: "1917-10-25"\n',
               'date: "1917-11-07"\n')
    replace_in(timeline, 'date: "1918-07-10"', 'date: "1918-07-10"\n    old_style: "1918-06-27"')
    replace_in(timeline, 'date: "1991-12-26"', 'date: "1992-01-01"')
    replace_in(timeline, 'date: "1922-12-30"', 'date: "1902-12-30"')
    found = messages(roots, texts=False)
    assert "content/timeline.yaml: events.russia-enters-war-1914.old_style: is 1914-07-18, but " \
           "1914-08-01 (New Style) was 1914-07-19 (Old Style)" in found
    assert "content/timeline.yaml: events.october-revolution.old_style: is missing: Russia " \
           "still used the Julian calendar; the Old Style date is 1917-10-25" in found
    assert "content/timeline.yaml: events.constitution-1918.old_style: is given, but the date " \
           "is not a day before 14 February 1918, when Russia changed calendars" in found
    assert "content/timeline.yaml: events.ussr-dissolved.date: is outside 1905–1991" in found
    assert "content/timeline.yaml: events.ussr-founded.date: comes before the event listed " \
           "above it (1921-03-08): keep the timeline in order" in found


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("timeline.yaml", 'date: "1905-10-26"', 'date: "26 October 1905"',
     "content/timeline.yaml: events[0].date: expected a date as YYYY, YYYY-MM or YYYY-MM-DD"),
    ("timeline.yaml", "sections: [ap-1918-constitution]", "sections: [ap-nowhere]",
     "content/timeline.yaml: events.constitution-1918.sections: unknown section id 'ap-nowhere'"),
    ("further-reading.yaml", "sessions: [critics]\n    relation: background",
     "sessions: [week-nine]\n    relation: background",
     "content/further-reading.yaml: works.daniels-conscience.sessions: unknown session id"),
    ("further-reading.yaml", "    relation: background\n", "    relation: background\n"
     "    found_in: [priestland-2002]\n",
     "content/further-reading.yaml: works[1].relation: background reading is named in neither"),
    ("further-reading.yaml", "    relation: cited\n    found_in: [soviets-aftermath]\n"
     "    mention: \"Anweiler\"", "    relation: cited",
     "content/further-reading.yaml: works[0].mention: a cited work needs found_in"),
    ("roles.yaml", "      advocate: >-", "      devil: >-",
     "content/roles.yaml: sessions.stalin.tasks: unknown role 'devil'"),
    ("glossary-excluded.yaml",
     '{term: "Russian", reason: "The texts use it as an ordinary adjective (Russian workers)."}',
     '{term: "Russian"}', "content/glossary-excluded.yaml: excluded[17].reason: is missing"),
])
def test_schema_errors_in_the_new_files(roots: ContentRoots, file: str, old: str, new: str,
                                        message: str) -> None:
    replace_in(roots.content / file, old, new)
    found = messages(roots, texts=False)
    assert len(found) == 1 and found[0].startswith(message), found


def test_every_week_has_further_reading_and_role_tasks_and_roles_suffice(
        roots: ContentRoots) -> None:
    reading = roots.content / "further-reading.yaml"
    capital = "    relation: named\n    found_in: [soviets-aftermath]\n    mention: \"magnum opus\""
    replace_in(reading, f"sessions: [synthesis]\n{capital}", f"sessions: [verdicts]\n{capital}")
    for work in ("locke-second-treatise", "wood-agrarian-origins"):
        path = roots.content / "further-reading.yaml"
        text = path.read_text()
        start = text.index(f"  - id: {work}\n")
        end = text.find("\n  - id:", start + 1)
        path.write_text(text[:start] + (text[end + 1 :] if end > 0 else ""))
    roles = roots.content / "roles.yaml"
    text = roles.read_text()
    roles.write_text(text[: text.index("  - session: synthesis")])
    found = messages(roots, texts=False)
    assert "content/further-reading.yaml: works: no further reading for session synthesis" in found
    assert "content/roles.yaml: sessions: session synthesis gives no role a task of its own" \
        in found
    fewer = [str(p) for p in check_content(roots, None, Rules(min_roles=7)).problems]
    assert "content/roles.yaml: roles: has 6 roles; expected at least 7" in fewer


def test_the_new_files_are_required(roots: ContentRoots) -> None:
    (roots.content / "timeline.yaml").unlink()
    found = messages(roots, texts=False)
    assert "content/timeline.yaml: is missing (the content check requires it)" in found


def test_an_exclusion_of_a_term_with_an_entry(roots: ContentRoots) -> None:
    with (roots.content / "glossary-excluded.yaml").open("a") as out:
        out.write('  - term: "kulaks"\n    reason: "Explained elsewhere."\n'
                  '  - term: "France"\n    reason: "Twice."\n')
    found = messages(roots, texts=False)
    assert "content/glossary-excluded.yaml: excluded.kulaks: has a glossary entry (kulak): " \
           "remove the exclusion" in found
    assert "content/glossary-excluded.yaml: excluded.France: is listed twice" in found


@needs_seeds
def test_terms_pass_names_a_candidate_with_neither_entry_nor_reason(roots: ContentRoots) -> None:
    replace_in(roots.content / "glossary.yaml",
               'aliases: ["dvoevlastie", "dyarchy", "state dyarchy"]', 'aliases: ["dvoevlastie"]')
    replace_in(roots.content / "glossary-excluded.yaml",
               '{term: "Moscow",', '{term: "Muscovy",')
    replace_in(roots.content / "glossary.yaml", '    original: "кулак"\n', "")
    found = messages(roots)
    assert "content/glossary.yaml: terms pass: candidate “dyarchy” (formed, first in ap-recap) " \
           "has no entry and no line in glossary-excluded.yaml" in found
    assert "content/glossary.yaml: terms pass: candidate “Moscow” (name, first in " \
           "pr-retreat-1918) has no entry and no line in glossary-excluded.yaml" in found
    assert "content/glossary-excluded.yaml: excluded.Muscovy: is no longer a candidate in the " \
           "texts: remove it" in found
    assert "content/glossary.yaml: entries.kulak.origin: “kulaks” is Russian in the texts: the " \
           "entry's origin is russian, with its Cyrillic" in found


@needs_seeds
def test_lengths_pages_and_headings_against_the_copy(roots: ContentRoots) -> None:
    priestland = roots.content / "texts" / "priestland-2002.yaml"
    replace_in(priestland, "words: 429", "words: 500")
    replace_in(priestland, 'pages: "111–112"', 'pages: "111–118"')
    replace_in(priestland, '      pages: "118–119"\n      pages_estimated: true\n',
               '      pages: "118–119"\n')
    replace_in(priestland, 'heading: "‘Democracy’ after Stalin"\n      pages: "121–122"',
               'heading: "Democracy after Khrushchev"\n      pages: "121–122"')
    found = messages(roots)
    assert "content/texts/priestland-2002.yaml: sections.pr-intro.words: says 500, but the copy " \
           "has 429 words" in found
    assert "content/texts/priestland-2002.yaml: sections.pr-intro.locator.pages: the copy's " \
           "page markers give 111–112; the map says 111–118" in found
    assert "content/texts/priestland-2002.yaml: sections.pr-stalin-left-turn.locator.pages: the " \
           "copy's page markers give 118–119 (estimated); the map says 118–119" in found
    assert "content/texts/priestland-2002.yaml: sections.pr-khrushchev-programme.locator." \
           "heading: “Democracy after Khrushchev” does not begin the section in the copy: a " \
           "heading begins its own section" in found


@needs_seeds
def test_mentions_of_events_works_and_people_are_in_the_copy(roots: ContentRoots) -> None:
    replace_in(roots.content / "timeline.yaml", 'mentions: ["Novocherkassk"]',
               'mentions: ["Rostov"]')
    replace_in(roots.content / "further-reading.yaml", 'mention: "Hahn"', 'mention: "Hahne"')
    replace_in(roots.content / "people.yaml", "sections: [pr-stalin-left-turn]\n"
               "    related: [criticism-from-below]", "sections: []\n"
               "    related: [criticism-from-below]")
    found = messages(roots)
    assert "content/timeline.yaml: events.novocherkassk.sections: cites " \
           "pr-khrushchev-practice-brezhnev, where none of its mentions occurs" in found
    assert "content/further-reading.yaml: works.hahn-grassroots.mention: “Hahne” is not in the " \
           "copy of soviets-aftermath" in found
    assert "content/people.yaml: people.kirov.sections: leaves out pr-stalin-left-turn, which " \
           "names Sergei Kirov" in found


@needs_seeds
def test_a_word_formed_from_a_person_s_name_is_neither_required_nor_allowed_as_naming_them(
        roots: ContentRoots) -> None:
    """Priestland's conclusion says "Stalinist", never Stalin: his entry need not cite it (the
    coverage check) and may not (the citation check); the doctrine's entries cite such words."""
    assert not any("people." in m for m in messages(roots))
    replace_in(roots.content / "people.yaml", "pr-khrushchev-practice-brezhnev, "
               "ap-1918-constitution,", "pr-khrushchev-practice-brezhnev, pr-conclusion, "
               "ap-1918-constitution,")
    assert "content/people.yaml: people.stalin.sections: cites pr-conclusion, but neither " \
           "“Joseph Stalin” nor an alias occurs there" in messages(roots)


@needs_seeds
def test_a_works_citation_copies_nothing_but_a_title_the_text_citing_it_gives(
        roots: ContentRoots) -> None:
    """helper-182's 6: a work's author, title and date were not checked, and a copied sentence
    showed three times in /seminar reading. A title that a text citing the work gives is that
    text's words, and stays (Anweiler's, in the blog's references)."""
    words = (SEEDS / "000_4d311acc6299d87d.txt").read_text().split()
    copied = " ".join(words[400:412]).replace('"', "")
    reading = roots.content / "further-reading.yaml"
    for field, was in (("title", "The Civil War in France"), ("author", "Karl Marx")):
        replace_in(reading, f'    {field}: "{was}"', f'    {field}: "{copied}"')
    found = messages(roots)
    for field in ("title", "author"):
        assert any(m.startswith(f"content/further-reading.yaml: works.marx-civil-war-in-france."
                                f"{field}: shares 8 or more") for m in found), (field, found)
    assert not any("anweiler-soviets.title" in m for m in found)


@needs_seeds
def test_copying_is_caught_in_the_new_files_too(roots: ContentRoots) -> None:
    words = (SEEDS / "002_e4af6ccfc7b9eecd.txt").read_text().split()
    copied = " ".join(words[300:312])
    replace_in(roots.content / "timeline.yaml", "    note: >-\n", f"    note: >-\n      {copied}\n")
    replace_in(roots.content / "roles.yaml", "    task: >-\n", f"    task: >-\n      {copied}\n")
    found = messages(roots)
    assert any(m.startswith("content/timeline.yaml: events.st-petersburg-soviet-1905.note: shares"
                            " 8 or more consecutive words with 002_e4af6ccfc7b9eecd.txt")
               for m in found)
    assert any(m.startswith("content/roles.yaml: roles.opener.task: shares 8 or more")
               for m in found)


@needs_seeds
def test_shipped_prose_stays_well_below_the_limit() -> None:
    from seminarbot.syllabus.alignment import align
    from seminarbot.syllabus.check_copying import longest_shared_run
    from seminarbot.syllabus.problems import Files

    report = check_content(SHIPPED, SEEDS)
    assert report.syllabus is not None
    alignments = {t.id: align(t, report.copies[t.id].read_text()) for t in report.syllabus.texts}
    size, key, run = longest_shared_run(report.syllabus, alignments, Files(SHIPPED))
    # Seven words only for the title of Lenin's pamphlet; prose otherwise shares at most six.
    assert size <= 7, (key, run)
    if size == 7:
        assert run == "the immediate tasks of the soviet government", (key, run)


def test_sections_give_their_length_and_events_their_sections(roots: ContentRoots) -> None:
    replace_in(roots.content / "texts" / "soviets-aftermath.yaml", "    words: 231\n", "")
    timeline = roots.content / "timeline.yaml"
    replace_in(timeline, 'until: "1920-11"', 'until: "1917-11"')
    replace_in(timeline, "    sections: [pr-intro]\n    mentions: [\"January 1987\"]",
               "    sections: []\n    mentions: [\"January 1987\"]")
    found = messages(roots, texts=False)
    assert "content/texts/soviets-aftermath.yaml: sections.ap-lenin-turn.words: is missing: " \
           "give the section's length in words" in found
    assert "content/timeline.yaml: events.civil-war.until: is before the event's date" in found
    assert "content/timeline.yaml: events.january-plenum-1987.sections: is empty: name the " \
           "sections that mention it" in found


def test_a_person_without_years_is_refused_by_the_loader(roots: ContentRoots) -> None:
    replace_in(roots.content / "people.yaml", '    life: "1870–1924"\n', "")
    [message] = messages(roots, texts=False)
    assert message == "content/people.yaml: people[0].life: is missing"


def test_a_name_or_mention_long_enough_to_quote_is_refused_without_the_texts(
        roots: ContentRoots) -> None:
    """helper-180's 1: an alias, a timeline mention and a work's mention are words of the texts,
    so the copying check leaves them out; 15 words of an alias copied a sentence, and /term
    showed it."""
    long = "the gap between state and workers was too wide, a condition the Left saw"
    replace_in(roots.content / "glossary.yaml", '"gap between state and workers"', f'"{long}"')
    replace_in(roots.content / "timeline.yaml", 'mentions: ["1905"]', f'mentions: ["{long}"]')
    replace_in(roots.content / "further-reading.yaml", 'mention: "Anweiler"', f'mention: "{long}"')
    found = messages(roots, texts=False)
    why = "has 14 words; expected at most 8 (a name or a mention, not a quotation)"
    for key in ("content/glossary.yaml: entries.otryv.aliases[3]",
                "content/timeline.yaml: events.st-petersburg-soviet-1905.mentions[0]",
                "content/further-reading.yaml: works.anweiler-soviets.mention"):
        assert f"{key}: {why}" in found, found
