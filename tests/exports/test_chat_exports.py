"""/seminar export through the console: every format round-trips against the database, user
text is neutralised or escaped, scopes narrow, moderators only, every export audited."""

import csv
import io
import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from seminarbot.clock import ManualClock, to_iso
from seminarbot.domain.exports import CSV_COLUMNS, FORMULA_TRIGGERS, restore_cell
from seminarbot.domain.transcript import markdown_escape
from seminarbot.features import exports as export_feature
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_delete, record_message
from tests.conftest import ConsoleDriver
from tests.discussion import ANN, BOB, HOSTILE, OTTO, expected_rows, seed

TEXT_CELLS = ("session_id", "prompt", "prompt_id", "thread", "author", "message_id", "text")


async def export_file(console: ConsoleDriver, line: str) -> Path:
    reply = await console.say(line)
    found = re.search(r"saved to\s+(\S+)", reply)  # the path may begin a line of its own
    assert found, reply
    return Path(found.group(1))


def parse_csv(path: Path) -> list[dict[str, object]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        rows = list(reader)
    for row in rows:
        for name in TEXT_CELLS:
            # No cell may start with a character a spreadsheet reads as a formula.
            assert row[name][:1] not in set(FORMULA_TRIGGERS) - {"'"}, row[name]
    return [{"session": int(r["session"]), "session_id": restore_cell(r["session_id"]),
             "prompt": restore_cell(r["prompt"]), "prompt_id": restore_cell(r["prompt_id"]),
             "thread": restore_cell(r["thread"]), "response_id": int(r["response_id"]),
             "participant": int(r["participant"]), "author": restore_cell(r["author"]),
             "message_id": restore_cell(r["message_id"]), "written_at": r["written_at"],
             "edited_at": r["edited_at"] or None, "text": restore_cell(r["text"]),
             "link": r["link"] or None}
            for r in rows]


async def test_csv_parses_back_equal_to_the_database(console: ConsoleDriver, app: Services,
                                                     clock: ManualClock) -> None:
    await seed(console, app, clock)
    path = await export_file(console, "/seminar export csv")
    assert path.parent == app.settings.data_dir / "exports" and path.suffix == ".csv"
    expected = await expected_rows(app)
    assert parse_csv(path) == expected
    # Deleted (m3) and opted-out (otto) responses are not there; edits are, as edited.
    assert len(expected) == len(HOSTILE) - 1 - 2
    texts = {row["message_id"]: row for row in expected}
    assert "m3" not in texts and texts["m2"]["text"] == "+SUM(1,2) edited [#2]"
    assert texts["m2"]["edited_at"] is not None
    raw = path.read_text("utf-8-sig")
    assert '"\'=HYPERLINK(""http://evil.example"",""click"") [#1]"' in raw
    assert '"\'=Eve"' in raw and '"\'\tTabbed start' not in raw  # otto's row is left out


async def test_jsonl_parses_back_equal_to_the_database(console: ConsoleDriver, app: Services,
                                                       clock: ManualClock) -> None:
    await seed(console, app, clock)
    path = await export_file(console, "/seminar export jsonl")
    lines = path.read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == await expected_rows(app)


class _TextCollector(HTMLParser):
    """The text of every <div class="text">, and every tag seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "div" and ("class", "text") in attrs:
            self._inside = True
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.texts[-1] += data


async def test_html_is_standalone_with_every_response_once_in_order_escaped(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await seed(console, app, clock)
    path = await export_file(console, "/seminar export html")
    page = path.read_text("utf-8")
    parsed = _TextCollector()
    parsed.feed(page)
    # HTML reads a carriage return as a line break (its newline normalisation).
    assert parsed.texts == [str(row["text"]).replace("\r\n", "\n").replace("\r", "\n")
                            for row in await expected_rows(app)]
    tags = {tag for tag, _ in parsed.tags}
    assert tags <= {"html", "head", "meta", "title", "style", "body", "header", "h1", "dl",
                    "dt", "dd", "main", "h2", "h3", "h4", "blockquote", "p", "article", "b",
                    "time", "div", "footer"}, tags
    assert not any(name.startswith("on") or name in ("src", "href")
                   for _, attrs in parsed.tags for name in attrs)
    assert "<b>Mal</b>" not in page and "&lt;b&gt;Mal&lt;/b&gt; **x**" in page
    assert "@import" not in page and "url(" not in page and "default-src 'none'" in page
    # The prompt text and its sections are there, once per prompt that has responses.
    assert page.count('<blockquote class="prompt">What did the council keep, and who read it?'
                      '</blockquote>') == 1
    # Each thread is named by its prompt (the console has no link to give).
    assert "<h4>Thread of 1.1 · What did the council keep, and who read it?</h4>" in page
    assert "Sections: On Councils (Writer; me-early)" in page
    assert "@media print" in page


async def test_markdown_has_every_response_once_in_order_and_escaped(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await seed(console, app, clock)
    path = await export_file(console, "/seminar export markdown")
    text = path.read_text("utf-8")
    expected = await expected_rows(app)
    positions = []
    for row in expected:
        quoted = "\n".join("> " + line for line in markdown_escape(row["text"]).split("\n"))
        first_line = next(line for line in quoted.split("\n") if line.strip("> "))
        assert text.count(first_line) == 1, first_line
        positions.append(text.index(first_line))
    assert positions == sorted(positions)
    rendered = MarkdownIt("commonmark").render(text)
    tags = set(re.findall(r"<([a-z0-9]+)", rendered))
    assert tags <= {"h1", "h2", "h3", "h4", "ul", "li", "p", "blockquote", "strong", "br", "hr"}
    plain = " ".join(re.sub(r"<[^>]+>", " ", rendered).split())
    from html import unescape

    plain = unescape(plain)
    for row in expected:
        words = " ".join(str(row["text"]).split())
        assert plain.count(words) == 1, words
    assert "### Prompt 1.1 (comprehension)" in text
    assert "> What did the council keep, and who read it?" in text


async def test_scopes_narrow_the_export(console: ConsoleDriver, app: Services,
                                        clock: ManualClock) -> None:
    await seed(console, app, clock)
    session_two = parse_csv(await export_file(console, "/seminar export csv 2"))
    assert session_two == await expected_rows(app, " AND r.session_id = 'later'")
    by_bob = parse_csv(await export_file(console, "/seminar export csv --participant bob"))
    assert by_bob == await expected_rows(app, " AND n.display_name = 'bob'") and by_bob
    day = parse_csv(await export_file(
        console, "/seminar export csv --since 2026-01-05 --until 2026-01-05"))
    assert day == await expected_rows(app)  # everything was written that day
    reply = " ".join((await console.say("/seminar export csv 2 --since 2026-01-06")).split())
    assert "There are no responses to export (session 2, " in reply, reply
    # One pair of parentheses around the scope, none nested in it (helper-132).
    assert "; written from 2026-01-06 to now, in UTC time)." in reply, reply
    reply = await console.say("/seminar export csv --since 2026-01-06 --until 2026-01-01")
    assert "`until` expects a date on or after `since` (" in reply
    assert "has opted out" in await console.say("/seminar export csv --participant otto")
    assert "No participant here" in await console.say("/seminar export csv --participant zed")


async def test_participants_are_refused_and_every_export_is_audited(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await seed(console, app, clock)
    await console.say("/as bob")
    reply = await console.say("/seminar export csv")
    assert "Only moderators may use /seminar export" in reply and "saved to" not in reply
    await console.say("/as ann --moderator")
    await export_file(console, "/seminar export html 1")
    audit = await app.db.fetchall(
        "SELECT at, actor_name, action, outcome, detail FROM audit_log"
        " WHERE action LIKE '%export%' ORDER BY id")
    assert [(r[1], r[2], r[3]) for r in audit] == [
        ("bob", "seminar export", "refused"), ("ann", "export", "ok"),
        ("ann", "seminar export", "ok")]
    detail = json.loads(audit[1][4])
    assert detail["format"] == "html" and detail["scope"] == {"session": "beginnings"}
    assert detail["responses"] > 0 and detail["file"].endswith(".html")
    assert audit[1][0] == to_iso(clock.now())
    assert not list((app.settings.data_dir / "exports").glob("*.csv"))


async def test_an_export_of_no_responses_is_audited_without_a_file(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-193's 2: the reply said there was nothing to export and gave no file, but the
    entry named a file of 120 bytes, as if one had been handed over."""
    await console.say("/seminar setup tue 19:00 UTC")
    said = await console.say("/seminar export csv")
    assert "There are no responses to export" in said
    stored = await app.db.scalar("SELECT detail FROM audit_log WHERE action = 'export'")
    detail = json.loads(str(stored))
    assert (detail["responses"], detail["file"], detail["bytes"]) == (0, None, 0), detail
    assert "written_to" not in detail


async def test_an_export_too_big_for_chat_says_so(console: ConsoleDriver, app: Services,
                                                   clock: ManualClock,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    await seed(console, app, clock)
    monkeypatch.setattr(export_feature, "MAX_ATTACHMENT_BYTES", 2000)
    reply = await console.say("/seminar export html")
    assert "larger than a chat attachment" in reply and "seminarbot export" in reply
    outcome = await app.db.fetchone(
        "SELECT outcome, detail FROM audit_log WHERE action = 'export'")
    assert outcome is not None and outcome[0] == "failed"
    assert "over" in json.loads(outcome[1])["reason"]


def test_csv_text_is_valid_for_excel_and_python(tmp_path: Path) -> None:
    # The BOM-prefixed header is what the round-trip tests parse; keep it readable by csv.
    sample = io.StringIO("\ufeffsession,text\r\n1,\"'=1+1\"\r\n")
    rows = list(csv.reader(sample))
    assert rows[1] == ["1", "'=1+1"]


async def test_responses_to_prompts_no_longer_in_the_plan_come_last(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await seed(console, app, clock)
    await app.db.execute(
        "INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id, participant_id,"
        " platform, message_id, body, created_at) SELECT 1, NULL, 'retired', 'retired-1',"
        " id, 'console', 'old-1', 'An answer to a retired prompt', '2026-01-01T00:00:00Z'"
        " FROM participants WHERE external_id = 'console:bob'")
    text = (await export_file(console, "/seminar export markdown")).read_text("utf-8")
    tail = text[text.index("## retired (no longer in the plan)"):]
    assert "### Prompt retired-1" in tail and "> An answer to a retired prompt" in tail
    assert "#### Thread of retired-1" in tail and "## Session" not in tail
    rows = parse_csv(await export_file(console, "/seminar export csv"))
    assert rows[-1]["prompt_id"] == "retired-1" and rows[-1]["session"] == 0


async def test_a_thread_with_no_response_that_counts_leaves_no_heading(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """Threads are listed from the index alone (storage/exports.py `threads`): one whose
    responses were all deleted, or whose only author opted out, is in that list and must still
    leave nothing in any format."""
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    kept, deleted, opted = [item for item in await app.outbox.for_cohort(1)
                            if item.kind == "prompt"][:3]
    for number, (author, item) in enumerate([(ANN, kept), (BOB, deleted), (OTTO, opted)]):
        clock.advance(timedelta(minutes=1))
        await record_message(app, InboundMessage("console", f"m{number}", author, f"words {number}",
                                                 clock.now(), thread_id=item.thread_id))
    await record_delete(app, "console", "m1", clock.now())
    await app.db.execute("UPDATE participants SET opted_out = 1 WHERE external_id = ?",
                         ("console:otto",))
    refs = {p.id: p.ref for s in app.syllabus.plan.sessions for p in s.prompts}
    markdown = (await export_file(console, "/seminar export markdown")).read_text()
    assert markdown.count("### Prompt ") == 1 and f"### Prompt {refs[kept.item]} " in markdown
    html_text = (await export_file(console, "/seminar export html")).read_text()
    assert html_text.count("<article ") == 1 and html_text.count("<h3") == 1
    assert [row["prompt_id"] for row in parse_csv(
        await export_file(console, "/seminar export csv"))] == [kept.item]
    lines = (await export_file(console, "/seminar export jsonl")).read_text().splitlines()
    assert [json.loads(line)["prompt_id"] for line in lines] == [kept.item]
