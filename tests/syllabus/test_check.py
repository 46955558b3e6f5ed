from pathlib import Path

import pytest

from seminarbot.syllabus.check import Rules, check_content
from seminarbot.syllabus.loader import ContentRoots
from tests.conftest import MINI, SEEDS, needs_seeds
from tests.syllabus.editing import copy_roots, replace_in

SHIPPED = ContentRoots.default()


@needs_seeds
def test_shipped_content_passes_against_the_real_texts() -> None:
    report = check_content(SHIPPED, SEEDS)
    assert report.problems == []
    assert {k: v.name for k, v in report.copies.items()} == {
        "priestland-2002": "000_4d311acc6299d87d.txt",
        "soviets-aftermath": "002_e4af6ccfc7b9eecd.txt"}


def test_a_folder_without_the_texts_is_said_so_and_nothing_else(tmp_path: Path) -> None:
    """helper-140's 12: the terms pass read nothing, and told the user to remove every valid
    exclusion (147 lines) beside the two that mattered."""
    (tmp_path / "notes.txt").write_text("Nothing of either text.")
    problems = [str(problem) for problem in check_content(SHIPPED, tmp_path).problems]
    assert len(problems) == 2 and all("no copy in" in p for p in problems), problems


def test_the_mini_fixture_passes_with_lenient_rules() -> None:
    report = check_content(MINI, MINI.content.parent / "texts", Rules.lenient())
    assert report.problems == []
    strict = check_content(MINI, None)
    assert any("has 2 sessions; expected 6 to 8" in str(p) for p in strict.problems)


@pytest.fixture
def shipped_copy(tmp_path: Path) -> ContentRoots:
    return copy_roots(SHIPPED, tmp_path)


def messages(roots: ContentRoots) -> list[str]:
    return [str(p) for p in check_content(roots, SEEDS if SEEDS.is_dir() else None).problems]


def test_a_section_missing_from_the_plan(shipped_copy: ContentRoots) -> None:
    replace_in(shipped_copy.content / "plan.yaml", "pr-state-and-revolution, ", "")
    assert "content/plan.yaml: sections.pr-state-and-revolution: is not covered by any " \
           "session" in messages(shipped_copy)


def test_a_section_covered_twice(shipped_copy: ContentRoots) -> None:
    replace_in(shipped_copy.content / "plan.yaml", "ap-reframing-question",
               "ap-reframing-question, ap-recap")
    found = messages(shipped_copy)
    assert any(m.startswith("content/plan.yaml: sections.ap-recap: is covered more than once")
               for m in found)


def test_a_bad_reference(shipped_copy: ContentRoots) -> None:
    replace_in(shipped_copy.content / "glossary.yaml", "sections: [pr-left-bureaucratism",
               "sections: [pr-nowhere")
    [message] = messages(shipped_copy)
    assert message.startswith("content/glossary.yaml: entries.")
    assert message.endswith(".sections: unknown section id 'pr-nowhere'")


@needs_seeds
def test_a_copied_sentence_is_caught(shipped_copy: ContentRoots) -> None:
    # Eight consecutive words lifted from the text at run time (the project holds no copy): the
    # limit the issue measured; seven pass.
    words = (SEEDS / "000_4d311acc6299d87d.txt").read_text().split()
    replace_in(shipped_copy.content / "plan.yaml", "framing: >-\n",
               f"framing: >-\n      {' '.join(words[400:408])}\n")
    replace_in(shipped_copy.content / "plan.yaml", "description: >-\n",
               f"description: >-\n  {' '.join(words[500:507])}\n")
    [message] = messages(shipped_copy)
    assert message.startswith("content/plan.yaml: sessions.origins.framing: shares 8 or more "
                              "consecutive words with 000_4d311acc6299d87d.txt")


@needs_seeds
def test_a_citation_of_a_section_without_the_term(shipped_copy: ContentRoots) -> None:
    glossary = shipped_copy.content / "glossary.yaml"
    text = glossary.read_text()
    start = text.index("  - id: otryv\n")
    entry_end = text.index("\n  - id:", start + 1)
    entry = text[start:entry_end]
    fixed = entry.replace("sections: [", "sections: [ap-recap, ", 1)
    glossary.write_text(text[:start] + fixed + text[entry_end:])
    assert ("content/glossary.yaml: entries.otryv.sections: cites ap-recap, but neither "
            "“otryv” nor an alias occurs there") in messages(shipped_copy)


@needs_seeds
def test_a_locator_that_is_not_in_the_text(shipped_copy: ContentRoots) -> None:
    replace_in(shipped_copy.content / "texts" / "soviets-aftermath.yaml",
               "opening: \"As for our reflections\"", "opening: \"As for our musings\"")
    assert any(m.startswith("content/texts/soviets-aftermath.yaml: sections.ap-reflections."
                            "locator.opening: “As for our musings” is not found")
               for m in messages(shipped_copy))


def test_cli_exits_non_zero_and_names_file_entry_reason(shipped_copy: ContentRoots,
                                                        tmp_path: Path) -> None:
    import subprocess
    import sys

    replace_in(shipped_copy.content / "plan.yaml", "pr-state-and-revolution, ", "")
    config = tmp_path / "c.yaml"
    config.write_text(f"content_dir: {shipped_copy.content}\nprompts_dir: {shipped_copy.prompts}\n")
    result = subprocess.run([sys.executable, "-m", "seminarbot", "--config", str(config),
                             "content", "check"], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "content/plan.yaml: sections.pr-state-and-revolution: is not covered" in result.stdout
