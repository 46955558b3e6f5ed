from pathlib import Path

import pytest

from seminarbot.config.yamlfile import YamlError
from seminarbot.syllabus.loader import ContentRoots, load_syllabus
from tests.conftest import MINI
from tests.syllabus.editing import copy_roots, replace_in


def test_the_shipped_content_loads() -> None:
    syllabus = load_syllabus()
    assert {t.id for t in syllabus.texts} == {"priestland-2002", "soviets-aftermath"}
    assert 6 <= len(syllabus.plan.sessions) <= 8
    assert len(syllabus.glossary) >= 45
    assert all(len(s.prompts) >= 3 for s in syllabus.plan.sessions)
    refs = [p.ref for s in syllabus.plan.sessions for p in s.prompts]
    assert refs[0] == "1.1" and len(set(refs)) == len(refs)


@pytest.fixture
def copy(tmp_path: Path) -> ContentRoots:
    return copy_roots(MINI, tmp_path)


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("content/plan.yaml", "[me-early, mn-points]", "[me-early, nowhere]",
     "content/plan.yaml: sessions.beginnings.sections: unknown section id 'nowhere'"),
    ("content/glossary.yaml", "related: [bureaucratism]", "related: [nothing]",
     "content/glossary.yaml: entries.otryv.related: unknown glossary entry 'nothing'"),
    ("content/glossary.yaml", "category: concept", "category: vibe",
     "content/glossary.yaml: entries[3].category: expected one of russian-term"),
    ("content/texts/mini-essay.yaml", "      opening: Workers in the harbour town first met",
     "      opening: Workers in the harbour town first met as a strike committee",
     "content/texts/mini-essay.yaml: sections[0].locator.opening: expected at most 8 words"),
    ("content/texts/mini-essay.yaml", "year: 2020", "year: twenty",
     "content/texts/mini-essay.yaml: year: expected a whole number, got text"),
    ("content/texts/mini-essay.yaml", "    terms: [otryv, bureaucratism]",
     "    terms: [otryv, bureaucratism]\n    colour: red",
     "content/texts/mini-essay.yaml: sections[1].colour: unknown key"),
    ("prompts/later.yaml", "kind: comparison", "kind: essay",
     "prompts/later.yaml: prompts[2].kind: expected one of comprehension"),
    ("prompts/later.yaml", "session: later", "session: beginnings",
     "prompts/later.yaml: session: expected 'later'"),
    ("prompts/later.yaml", "id: later-comparison", "id: later-comprehension",
     "prompts/later.yaml: prompts.later-comprehension: duplicate prompt id"),
    ("content/plan.yaml", "id: later", "id: Later Years",
     "content/plan.yaml: sessions[1].id: expected a lowercase kebab-case id"),
])
def test_broken_content_names_file_and_key(copy: ContentRoots, file: str, old: str, new: str,
                                           message: str) -> None:
    replace_in(copy.content.parent / file, old, new)
    with pytest.raises(YamlError) as caught:
        load_syllabus(copy)
    assert str(caught.value).startswith(message)


def test_missing_texts_are_reported(copy: ContentRoots) -> None:
    for path in (copy.content / "texts").glob("*.yaml"):
        path.unlink()
    with pytest.raises(YamlError, match="no text maps"):
        load_syllabus(copy)


def test_a_session_that_would_post_nothing_is_refused(copy: ContentRoots) -> None:
    """Its prompts file missing, or holding no prompt: a start (which loads the content as
    this does) posted nothing for that session, and said so nowhere (helper-84)."""
    later = copy.prompts / "later.yaml"
    text = later.read_text()
    later.unlink()
    with pytest.raises(YamlError) as caught:
        load_syllabus(copy)
    assert str(caught.value) == ("content/plan.yaml: sessions.later: has no prompts file "
                                 "(prompts/later.yaml is missing)")
    later.write_text(text.split("prompts:")[0] + "prompts: []\n")
    with pytest.raises(YamlError) as caught:
        load_syllabus(copy)
    assert str(caught.value).startswith("prompts/later.yaml: prompts: expected at least one")
