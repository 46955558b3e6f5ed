from pathlib import Path

import pytest

from seminarbot.clock import ManualClock
from seminarbot.domain.textfold import search_terms
from seminarbot.services.container import Services
from seminarbot.services.ingest import IngestError, ingest, split_passages
from seminarbot.syllabus.alignment import align
from seminarbot.syllabus.loader import load_syllabus
from tests.conftest import MINI, SEEDS, ConsoleDriver, needs_seeds

REAL = {"priestland-2002": SEEDS / "000_4d311acc6299d87d.txt",
        "soviets-aftermath": SEEDS / "002_e4af6ccfc7b9eecd.txt"}


def flat(text: str) -> str:
    return " ".join(text.split())


@needs_seeds
@pytest.mark.parametrize("text_id", sorted(REAL))
def test_real_texts_align_into_every_section(text_id: str) -> None:
    syllabus = load_syllabus()
    text_map = syllabus.text(text_id)
    alignment = align(text_map, REAL[text_id].read_text())
    assert alignment.complete
    assert [a.section.id for a in alignment.sections] == [s.id for s in text_map.sections]
    passages = split_passages(alignment)
    assert {section for section, _ in passages} == {s.id for s in text_map.sections}
    # Page furniture and comment-form boilerplate are gone; line-end hyphens are joined.
    joined = " ".join(body for _, body in passages)
    for junk in ("sagepub", "Page 111", "Copyright ©", "Leave a Reply", "Log Out"):
        assert junk not in joined
    if text_id == "priestland-2002":
        assert "overweening bureaucracy" in joined and "revolutionary utopia" in joined


async def test_ingest_and_search_the_fixture(app: Services, console: ConsoleDriver,
                                             clock: ManualClock) -> None:
    fallback = await console.say("/seminar search minutes door")
    assert "No copy of the texts has been ingested here" in flat(fallback)
    done = await ingest(app.passages, app.syllabus, MINI.content.parent / "texts" /
                        "mini-essay.txt", "mini-essay", clock.now())
    assert (done.sections, done.passages) == (2, 2)
    reply = await console.say("/seminar search minutes door")
    assert "On Councils — Writer (session 1)" in reply
    assert "«minutes» hung on the «door»" in flat(reply)
    assert "Not ingested here, so not searched: Notes on the harbour council." in flat(reply)
    assert "In the ingested copy: 1 passage found" in await console.say("/seminar reading 1")
    # Re-ingesting replaces; it never doubles.
    await ingest(app.passages, app.syllabus, MINI.content.parent / "texts" / "mini-essay.txt",
                 "mini-essay", clock.now())
    assert await app.db.scalar("SELECT COUNT(*) FROM passages") == 2


async def test_a_copy_that_does_not_match_stores_nothing(app: Services,
                                                         clock: ManualClock) -> None:
    with pytest.raises(IngestError) as caught:
        await ingest(app.passages, app.syllabus, MINI.content.parent / "texts" /
                     "mini-notes.txt", "mini-essay", clock.now())
    # One line, naming the first opening missing (helper-190's 7: a list of each, one a line)
    assert str(caught.value) == (
        "mini-notes.txt does not match the section map of mini-essay: none of its 2 sections' "
        "openings was found in it (the first missing: me-early, “Workers in the harbour town "
        "first met”); nothing was stored")
    assert await app.db.scalar("SELECT COUNT(*) FROM passages") == 0
    with pytest.raises(IngestError, match="--text expects one of mini-essay, mini-notes"):
        await ingest(app.passages, app.syllabus, Path("x"), "nope", clock.now())


async def test_search_words_cannot_inject_fts_syntax(app: Services, console: ConsoleDriver,
                                                     clock: ManualClock) -> None:
    await ingest(app.passages, app.syllabus, MINI.content.parent / "texts" / "mini-essay.txt",
                 "mini-essay", clock.now())
    for hostile in ('"minutes', "minutes OR NEAR(", "council*", "'; DROP TABLE passages; --",
                    "body:minutes", "^minutes"):
        reply = await console.say(f"/seminar search {hostile}")
        assert "Something went wrong" not in reply, hostile
    assert await app.db.scalar("SELECT COUNT(*) FROM passages") == 2
    assert search_terms("Lenin’s État") == ["lenin", "etat"]
    assert "Give at least one word" in await console.say("/seminar search ! ?")


@needs_seeds
async def test_ingest_and_search_both_real_texts(tmp_path: Path) -> None:
    from seminarbot.app import open_services
    from tests.conftest import START, make_settings

    app = await open_services(make_settings(tmp_path, roots=None), ManualClock(START))
    try:
        for text_id, path in REAL.items():
            done = await ingest(app.passages, app.syllabus, path, text_id, START)
            assert done.passages >= 20
        hits = await app.passages.search("Kronstadt")
        assert hits and hits[0].section_id == "ap-admissions-kronstadt"
        hits = await app.passages.search("otryv")
        assert hits[0].section_id == "pr-left-bureaucratism"
        hits = await app.passages.search("glasnost")
        assert hits[0].section_id.startswith("pr-gorbachev")
    finally:
        await app.close()
