"""For the property tests of issue 13: arbitrary text as people type it (quote lines, the
command prefix, control and bidirectional characters, CJK, emoji), the documented
normalisation written out independently of the code, and each export format read back.

What a response keeps of what was typed (README, Responses): every control character but tab
and newline is removed; text with nothing visible left is not recorded; a command's text also
loses the spaces around it. Exports give the text as stored, bidirectional controls isolated
(JSON Lines: exactly as stored); Markdown also drops the spaces that start a line.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata

from hypothesis import strategies as st

from seminarbot.core.invocation import Actor
from seminarbot.domain.display import isolate
from seminarbot.domain.exports import FORMATS, restore_cell
from seminarbot.services.container import Services
from seminarbot.services.exporting import ExportRequest, export_cohort

FRAGMENTS = ("> ", ">", "\n", "\n\n", "!", "/", "!seminar", "<@ann:hs> ", "* ", "\t", "  ",
             "\x00", "\x07", "\x1b[31m", "\x1b]0;title\x07", "\r\n", "\r", "\x7f", "\x9b",
             "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
             "\u2069", "\u200b", "\u200d", "\ufeff", "漢字", "議会", "😀", "👩‍👩‍👧",
             "مجلس", "совет", "=SUM(1)", "<b>", "&amp;", "*a*", "`x`", "# ", "1. ", '"')
TYPED = st.lists(st.one_of(st.sampled_from(FRAGMENTS),
                           st.characters(blacklist_categories=("Cs",))),
                 max_size=30).map("".join)


FRAGMENTS += ("\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\u0301", "\U0001d159", "$x$")
# The controls that end a line (UAX #14): CR LF as one, a lone CR, VT, FF and NEL; and the
# line and paragraph separators.
LINE_ENDS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")


def normalised(typed: str) -> str:
    """The documented rule, from Unicode's categories rather than the code's own tables: each
    line-ending control a newline, every other control but tab removed."""
    return "".join(c for c in LINE_ENDS.sub("\n", typed)
                    if unicodedata.category(c) != "Cc" or c in "\t\n")


# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt), as ranges: whether
# assigned or not, they draw nothing (zero-width characters, fillers, variation selectors, the
# tags block and the unassigned code points after it up to U+E0FFF).
IGNORABLE = ((0xAD, 0xAD), (0x34F, 0x34F), (0x61C, 0x61C), (0x115F, 0x1160), (0x17B4, 0x17B5),
             (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F),
             (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0),
             (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))


# Unicode's Prepended_Concatenation_Mark (PropList.txt): format characters that are drawn.
DRAWN_FORMAT = "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd" \
    "\U000110cd"


def visible(text: str) -> bool:
    """Whether a character of its own shows: not a space, control, format character (but
    those drawn), separator, unassigned code point, nonspacing or enclosing mark (it needs a
    character to sit on), ignorable, nor a blank passed round as one."""
    return any(not c.isspace() and (c in DRAWN_FORMAT or unicodedata.category(c) not in (
        "Cc", "Cf", "Zs", "Zl", "Zp", "Cn", "Mn", "Me"))
               and c not in "\u2800\U0001d159"
               and not any(low <= ord(c) <= high for low, high in IGNORABLE)
               for c in text)


async def exports(app: Services, cohort_id: int) -> dict[str, str]:
    cohort = await app.cohorts.get(cohort_id)
    found = {}
    for format_name in FORMATS:
        sink = io.BytesIO()
        await export_cohort(app, cohort, ExportRequest(format_name), sink.write,
                            Actor("cli", "tester", "tester", is_moderator=True))
        found[format_name] = sink.getvalue().decode("utf-8")
    return found


def _markdown_text(document: str, response_id: int) -> str:
    """A response's text read back from the Markdown transcript: its quoted lines, without the
    quote marks, the hard breaks the transcript adds, and the backslash escapes."""
    block = document.split(f" · #{response_id}\n\n", 1)[1].split("\n\n**", 1)[0]
    block = re.split(r"\n\n(?:####|###|##|---)", block, maxsplit=1)[0]
    lines = [line[2:] if line.startswith("> ") else line[1:] for line in block.split("\n")]
    for index, line in enumerate(lines[:-1]):
        if line.strip() and lines[index + 1].strip() and line.endswith("  "):
            lines[index] = line[:-2]
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", "\n".join(lines))


def exported_texts(documents: dict[str, str], message_id: str) -> dict[str, str]:
    """The text of one response (by its platform message id) as each format gives it."""
    rows = list(csv.DictReader(io.StringIO(documents["csv"].lstrip("\ufeff"), newline="")))
    row = next(r for r in rows if restore_cell(r["message_id"]) == message_id)
    record = next(r for r in map(json.loads, documents["jsonl"].splitlines())
                  if r["message_id"] == message_id)
    response_id = int(row["response_id"])
    article = re.search(rf'<article id="r{response_id}">.*?<div class="text">(.*?)</div>',
                        documents["html"], re.DOTALL)
    assert article is not None
    return {"csv": restore_cell(row["text"]), "jsonl": record["text"],
            "html": html.unescape(article.group(1)),
            "markdown": _markdown_text(documents["markdown"], response_id)}


def expected_texts(stored: str) -> dict[str, str]:
    shown = isolate(stored)
    return {"csv": shown, "jsonl": stored, "html": shown,
            "markdown": "\n".join(line.lstrip() for line in shown.split("\n"))}


async def check_exports(app: Services, platform: str, message_id: str, stored: str) -> None:
    """The response is stored as `stored` and every export gives it back as documented."""
    record = await app.responses.get(platform, message_id)
    assert record is not None and record.body == stored, (record, stored)
    documents = await exports(app, record.cohort_id)
    assert exported_texts(documents, message_id) == expected_texts(stored)
    for name, document in documents.items():
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", document.replace("\r\n", "")), \
            name  # no raw control character in any file
