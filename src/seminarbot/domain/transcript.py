"""Readable transcripts: Markdown and a standalone, printable HTML page.

Both are written as they go: `begin`, then `entries` for each page of a thread's responses (in
transcript order), then `end`. A heading is written when the session, prompt or thread changes,
so a thread with nothing to show leaves no empty heading. All text is escaped, ours included,
and isolated where it holds bidirectional controls (domain/display.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from seminarbot.clock import parse_instant
from seminarbot.domain.display import isolate
from seminarbot.domain.exports import Entry, ExportMeta, Thread
from seminarbot.domain.schedule import describe_local
from seminarbot.domain.titles import prompt_title

# CommonMark treats a backslash before any ASCII punctuation as that character, literally.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>&|~{}])")
_MARKDOWN_LINE_START = re.compile(r"^([#+=\-]|\d+[.)])")


def markdown_escape(text: str, *, mid_line: bool = False) -> str:
    """Text that renders as itself: no emphasis, links, HTML, headings, lists or code.
    `mid_line` text follows something else on its line, so line-start markers are harmless."""
    lines = []
    for line in isolate(text).split("\n"):
        line = _MARKDOWN_INLINE.sub(r"\\\1", line.rstrip("\r"))
        if not mid_line:
            # Leading blanks would make an indented code block; HTML drops them anyway.
            line = _MARKDOWN_LINE_START.sub(lambda m: _escape_marker(m.group(1)), line.lstrip())
        lines.append(line)
    return "\n".join(lines)


def _inline(text: str) -> str:
    return markdown_escape(text, mid_line=True)


def _escape_marker(marker: str) -> str:
    return marker[:-1] + "\\" + marker[-1]


def _local(stamp: str, meta: ExportMeta) -> str:
    return describe_local(parse_instant(stamp), meta.zone)


class _Grouped:
    """Tracks which session, prompt and thread the last written response belonged to."""

    def __init__(self, meta: ExportMeta) -> None:
        self.meta = meta
        self._session: str | None = None
        self._prompt: str | None = None
        self._thread: Thread | None = None

    def headings(self, thread: Thread) -> list[str]:
        out = []
        if thread.session_id != self._session:
            out.append(self.session_heading(thread))
            self._session, self._prompt = thread.session_id, None
        if thread.prompt_id != self._prompt:
            out.append(self.prompt_heading(thread))
            self._prompt, self._thread = thread.prompt_id, None
        if thread != self._thread:
            out.append(self.thread_heading(thread))
            self._thread = thread
        return out

    def session_heading(self, thread: Thread) -> str:
        raise NotImplementedError

    def prompt_heading(self, thread: Thread) -> str:
        raise NotImplementedError

    def thread_heading(self, thread: Thread) -> str:
        raise NotImplementedError


def _session_title(thread: Thread) -> str:
    if thread.session_number:
        return f"Session {thread.session_number}: {thread.session_title}"
    return thread.session_title


class MarkdownTranscript(_Grouped):
    def begin(self) -> str:
        m = self.meta
        return (f"# {_inline(m.title)}\n\n"
                f"- Seminar: {_inline(m.seminar)}\n"
                f"- Scope: {_inline(m.scope)}\n"
                f"- Exported: {describe_local(m.exported_at, m.zone)}\n"
                f"- Times are local to the seminar ({_inline(m.zone.key)}).\n")

    def session_heading(self, thread: Thread) -> str:
        return f"\n## {_inline(_session_title(thread))}\n"

    def prompt_heading(self, thread: Thread) -> str:
        quoted = "\n".join("> " + line for line in markdown_escape(thread.prompt_text).split("\n"))
        text = f"\n### Prompt {_inline(thread.prompt_ref)} ({thread.prompt_kind})\n\n"
        text += quoted + "\n"
        if thread.sections:
            text += "\nSections: " + "; ".join(_inline(s) for s in thread.sections) + "\n"
        return text

    def thread_heading(self, thread: Thread) -> str:
        name = _inline(_thread_name(thread))
        return f"\n#### {_markdown_link(name, thread.link)}\n"

    def entries(self, thread: Thread, entries: Sequence[Entry]) -> str:
        if not entries:
            return ""
        out = self.headings(thread)
        for entry in entries:
            edited = f" · edited {_local(entry.edited_at, self.meta)}" if entry.edited_at else ""
            written = _markdown_link(_local(entry.written_at, self.meta), entry.link)
            out.append(f"\n**{_inline(_author(entry))}** · "
                       f"{written}{edited} · #{entry.response_id}\n\n")
            out.append(_blockquote(markdown_escape(entry.text)) + "\n")
        return "".join(out)

    def end(self, count: int) -> str:
        return f"\n---\n\n{_count(count)}.\n"


def _thread_name(thread: Thread) -> str:
    """The thread named by its prompt: `Thread of 1.2 · What did the council keep…`."""
    if thread.prompt_text and thread.prompt_kind:
        return f"Thread of {prompt_title(thread.prompt_ref, thread.prompt_text)}"
    return f"Thread of {thread.prompt_ref}" if thread.prompt_ref else "Thread (unknown)"


def _markdown_link(text: str, url: str) -> str:
    """Markdown text linked to `url` (angle brackets keep any character of an id literal)."""
    return f"[{text}](<{url}>)" if url else text


def _blockquote(text: str) -> str:
    """Each line quoted; lines inside a paragraph end in a hard break so they stay lines."""
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines):
        last_of_paragraph = index == len(lines) - 1 or not lines[index + 1].strip()
        out.append("> " + line + ("" if last_of_paragraph or not line.strip() else "  "))
    return "\n".join(out)


def _author(entry: Entry) -> str:
    return entry.author or f"participant {entry.participant_id}"


def _count(count: int) -> str:
    return f"{count} response" + ("" if count == 1 else "s")


_STYLE = """
body{font:16px/1.5 Georgia,"Times New Roman",serif;color:#111;background:#fff;
max-width:46em;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.35em;border-bottom:1px solid #999;
margin-top:2em}h3{font-size:1.1em;margin-bottom:.3em}h4{font-size:1em;color:#444;
font-weight:normal;font-style:italic}dl.meta{display:grid;grid-template-columns:max-content auto;
gap:0 1em;color:#333}dl.meta dt{font-weight:bold}dl.meta dd{margin:0}
blockquote.prompt{margin:.5em 0;padding:.4em 1em;border-left:4px solid #888;background:#f3f3f3}
p.sections{font-size:.9em;color:#444}article{margin:1em 0;padding-left:1em;
border-left:2px solid #ccc}p.by{margin:0;font-size:.9em;color:#444}p.by b{color:#111}
div.text{white-space:pre-wrap;overflow-wrap:anywhere}footer{margin-top:2em;color:#444}
@media print{body{max-width:none;margin:0;font-size:11pt}h2,h3,h4{break-after:avoid}
article{break-inside:avoid}blockquote.prompt{background:none}}
""".strip()


def _e(text: str) -> str:
    return html.escape(isolate(text), quote=True)


class HtmlTranscript(_Grouped):
    """One self-contained file: inline styles, no scripts, no external assets (a CSP says so)."""

    def begin(self) -> str:
        m = self.meta
        rows = (("Seminar", m.seminar), ("Scope", m.scope),
                ("Exported", describe_local(m.exported_at, m.zone)),
                ("Times", f"local to the seminar ({m.zone.key})"))
        meta = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "style-src 'unsafe-inline'\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                f"<title>{_e(m.title)}</title>\n<style>\n{_STYLE}\n</style>\n</head>\n<body>\n"
                f"<header>\n<h1>{_e(m.title)}</h1>\n<dl class=\"meta\">{meta}</dl>\n</header>\n"
                "<main>\n")

    def session_heading(self, thread: Thread) -> str:
        return f"<h2>{_e(_session_title(thread))}</h2>\n"

    def prompt_heading(self, thread: Thread) -> str:
        text = (f"<h3>Prompt {_e(thread.prompt_ref)} · {_e(thread.prompt_kind)}</h3>\n"
                f"<blockquote class=\"prompt\">{_e(thread.prompt_text)}</blockquote>\n")
        if thread.sections:
            text += f"<p class=\"sections\">Sections: {_e('; '.join(thread.sections))}</p>\n"
        return text

    def thread_heading(self, thread: Thread) -> str:
        return f"<h4>{_html_link(_e(_thread_name(thread)), thread.link)}</h4>\n"

    def entries(self, thread: Thread, entries: Sequence[Entry]) -> str:
        if not entries:
            return ""
        out = self.headings(thread)
        for entry in entries:
            edited = ""
            if entry.edited_at:
                edited = f" · edited {_time(entry.edited_at, self.meta)}"
            written = _html_link(_time(entry.written_at, self.meta), entry.link)
            out.append(f"<article id=\"r{entry.response_id}\">\n<p class=\"by\"><b>"
                       f"{_e(_author(entry))}</b> · {written}{edited}"
                       f"</p>\n<div class=\"text\">{_e(entry.text)}</div>\n</article>\n")
        return "".join(out)

    def end(self, count: int) -> str:
        return f"</main>\n<footer>{_count(count)}.</footer>\n</body>\n</html>\n"


def _html_link(inner: str, url: str) -> str:
    """Escaped markup linked to `url`: a plain link, opened without telling the page where
    the reader came from."""
    return f"<a href=\"{_e(url)}\" rel=\"noreferrer\">{inner}</a>" if url else inner


def _time(stamp: str, meta: ExportMeta) -> str:
    return f"<time datetime=\"{_e(stamp)}\">{_e(_local(stamp, meta))}</time>"
